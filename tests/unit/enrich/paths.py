"""Where the tag tests find real data: the shipped seeds and tests/data/tags."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
OFAC = SEEDS / "ofac"
TAGDATA = ROOT / "tests" / "data" / "tags"
SDN_2022 = OFAC / "sdn-csv-2022-03-15" / "sdn.csv"
SDN_2024 = OFAC / "sdn-csv-2024-05-03" / "sdn.csv"
COMMENTS = OFAC / "legacy-csv-2025-01" / "sdn_comments.csv"
ALT = OFAC / "legacy-csv-2025-01" / "alt.csv"
LISTS = OFAC / "address-lists-2024-09-27"
