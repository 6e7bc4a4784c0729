"""Names out of IVMS101 travel-rule payloads (originator / beneficiary persons).

IVMS101 splits a natural person's name into ``primaryIdentifier`` (family name) and
``secondaryIdentifier`` (given names); a legal person has ``legalPersonName``. The
display form used on transfers and for screening is "given family" / the legal name.
"""

from __future__ import annotations

from typing import Any


def person_names(person: dict[str, Any]) -> list[str]:
    """Every name of one IVMS101 person object (natural or legal)."""
    if "naturalPerson" in person:
        ids = person["naturalPerson"]["name"]["nameIdentifier"]
        return [" ".join(p for p in (n.get("secondaryIdentifier"), n["primaryIdentifier"]) if p)
                for n in ids]
    ids = person["legalPerson"]["name"]["nameIdentifier"]
    return [n["legalPersonName"] for n in ids]


def party_names(travel_rule: dict[str, Any] | None, side: str) -> list[str]:
    """Names of the ``originator`` or ``beneficiary`` side (empty when absent)."""
    if not travel_rule or side not in travel_rule:
        return []
    persons = travel_rule[side].get(f"{side}Persons", [])
    return [name for person in persons for name in person_names(person)]


def display(travel_rule: dict[str, Any] | None, side: str) -> str | None:
    names = party_names(travel_rule, side)
    return names[0] if names else None


def counterparty_country(travel_rule: dict[str, Any] | None, direction: str) -> str | None:
    """Where the other side is: its first person's country of residence (natural) or of
    registration (legal) when given, else the counterparty VASP's country; None unknown.

    FEFTA Art. 55 reports concern payments between residents and non-residents, so the
    person's own country is the better evidence; a VASP's country is a fallback.
    """
    if not travel_rule:
        return None
    side = "originator" if direction == "deposit" else "beneficiary"
    for person in (travel_rule.get(side) or {}).get(f"{side}Persons", []):
        body = person.get("naturalPerson") or person.get("legalPerson") or {}
        country = body.get("countryOfResidence") or body.get("countryOfRegistration")
        if country:
            return str(country)
    vasp = travel_rule.get("originatingVASP" if direction == "deposit" else "beneficiaryVASP")
    return str(vasp["country"]) if vasp and vasp.get("country") else None


def counterparty_vasp(travel_rule: dict[str, Any] | None, direction: str) -> str | None:
    """The other VASP: the originating one for a deposit, the beneficiary one otherwise."""
    if not travel_rule:
        return None
    key = "originatingVASP" if direction == "deposit" else "beneficiaryVASP"
    vasp = travel_rule.get(key)
    return vasp["name"] if vasp else None
