"""Name screening against the loaded lists, and allow/review/block decisions.

Modules: :mod:`text` (normalise, transliterate, fold spelling variants), :mod:`index`
(candidate blocking so a query costs well under a millisecond), :mod:`score` (token
alignment with rapidfuzz), :mod:`matcher` (explained matches with DOB/nationality),
:mod:`decision` and :mod:`service` (the decision and its confirmation record),
:mod:`api` (HTTP). Thresholds and their reasons: docs/screening.md.
"""
