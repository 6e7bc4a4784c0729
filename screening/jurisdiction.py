"""Jurisdictions that turn a screening into a review.

Two published lists, as data here because they change rarely and must be cited:
* OFAC comprehensive country sanctions programs (Cuba, Iran, North Korea, Syria);
* FATF "High-risk jurisdictions subject to a call for action" (North Korea, Iran,
  Myanmar; FATF public statement, June 2024).
Occupied regions (Crimea, DNR/LNR) have no ISO code and are not detectable from a country
code; they are named in docs/screening.md as a limitation.
"""

from __future__ import annotations

HIGH_RISK: dict[str, str] = {
    "CU": "OFAC comprehensive sanctions (Cuba)",
    "IR": "OFAC comprehensive sanctions; FATF call for action (Iran)",
    "KP": "OFAC comprehensive sanctions; FATF call for action (North Korea)",
    "SY": "OFAC comprehensive sanctions (Syria)",
    "MM": "FATF call for action (Myanmar)",
}


def risk(country: str | None) -> str | None:
    """Why ``country`` (ISO alpha-2) is high-risk, or None."""
    return HIGH_RISK.get(country.upper()) if country else None
