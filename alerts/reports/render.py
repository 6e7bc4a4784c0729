"""A :class:`Report` as CSV (one row per listed party) and as a printable HTML page.

The HTML page is self-contained (inline CSS, no script, no remote asset) so it prints the
same offline and can be attached to an e-mail; every value is HTML-escaped (names on
sanctions lists carry quotes, ampersands and non-Latin scripts).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from html import escape

from alerts.reports.fields import Party, Report

COLUMNS = ("report", "action", "reporter", "action_date", "due_date", "party", "list",
           "list_record", "programs", "listed_at", "matched", "transfer", "chain", "tx_hash",
           "block", "asset", "amount", "amount_base_units", "value_jpy", "account",
           "direction", "counterparty_vasp", "addresses", "alert", "rule", "severity",
           "rulebook_version", "list_version", "confirmation", "feed_seq", "feed_hash",
           "alert_stored_at", "generated")


def _rows(report: Report) -> list[dict[str, str]]:
    t, a = report.transfer, report.alert
    common = {"report": report.title, "action": report.action, "reporter": report.reporter,
              "action_date": report.action_date.isoformat(),
              "due_date": report.due_date.isoformat() if report.due_date else "",
              "transfer": t["id"], "chain": t["chain"], "tx_hash": t["tx_hash"],
              "block": "" if t["block"] is None else str(t["block"]), "asset": t["asset"],
              "amount": t["amount"], "amount_base_units": t["amount_base_units"],
              "value_jpy": t["value_jpy"], "account": t["account"],
              "direction": t["direction"], "counterparty_vasp": t["counterparty_vasp"],
              "addresses": t["addresses"], "alert": a["id"], "rule": a["rule"],
              "severity": a["severity"], "rulebook_version": a["rulebook_version"],
              "list_version": a["list_version"], "confirmation": a["confirmation"],
              "feed_seq": str(a["feed_seq"]), "feed_hash": str(a["feed_hash"]),
              "alert_stored_at": a["stored_at"], "generated": report.generated.isoformat()}
    empty = Party("", "", "", "", "", "")
    return [{**common, "party": p.name, "list": p.source, "list_record": p.list_id,
             "programs": p.programs, "listed_at": p.listed_at, "matched": p.matched}
            for p in report.parties or (empty,)]


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(_rows(report))
    return buffer.getvalue()


_CSS = """body{font:11pt/1.4 sans-serif;margin:2cm;color:#000}h1{font-size:15pt}
h2{font-size:12pt;margin-top:1.5em;border-bottom:1px solid #000}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #777;padding:3px 6px;
text-align:left;vertical-align:top}th{width:30%;background:#eee}.due{font-weight:bold}
.mono{font-family:monospace;word-break:break-all}@media print{body{margin:1cm}}"""


def _table(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th><td class=\"mono\">{escape(v)}</td></tr>"
                   for k, v in pairs)
    return f"<table>{rows}</table>"


def to_html(report: Report) -> str:
    t, a = report.transfer, report.alert
    due = (f"<p class=\"due\">Due: {report.due_date.isoformat()} (10 business days after "
           f"{report.action_date.isoformat()}, weekends skipped, holidays not)</p>"
           if report.due_date else "<p>No statutory deadline is set by txmon for this "
           "report: file it as your supervisor instructs.</p>")
    sections = [("Reporting institution", [("Reporter", report.reporter),
                                           ("Action", report.action),
                                           ("Date of action", report.action_date.isoformat())])]
    for n, p in enumerate(report.parties, 1):
        sections.append((f"Listed party {n}", [
            ("Name", p.name), ("List", p.source), ("List record", p.list_id),
            ("Programs", p.programs), ("Listed since", p.listed_at), ("Matched", p.matched)]))
    sections.append(("Transfer / property", [(k.replace("_", " ").capitalize(), str(v))
                                            for k, v in t.items() if v not in ("", None)]))
    sections.append(("Evidence (txmon alert)", [(k.replace("_", " ").capitalize(), str(v))
                                               for k, v in a.items() if v not in ("", None)]))
    body = "".join(f"<h2>{escape(title)}</h2>{_table(pairs)}" for title, pairs in sections)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{escape(report.title)}</h1>{due}{body}"
            f"<p>Generated {report.generated.isoformat()} by txmon from alert "
            f"{escape(a['id'])}; check it against the verified feed (sequence "
            f"{escape(str(a['feed_seq']))}).</p></body></html>\n")


def as_dict(report: Report) -> dict[str, object]:
    """For ``--format json`` callers and tests."""
    return dataclasses.asdict(report)
