"""Cross-list links need strong evidence; near misses stay separate parties."""

from __future__ import annotations

from enrich.sources.base import ListedParty
from screening.links import PartyLinks
from txmon.models import Tag, TagKind


def person(source: str, list_id: str, name: str, dob: str, *aliases: str) -> ListedParty:
    return ListedParty(list_id, source, name, "individual", aliases=aliases, dob=(dob,))


def test_name_and_full_dob_link_across_lists_only():
    parties = [
        person("ofac-sdn", "35096", "PUTIN, Vladimir Vladimirovich", "07 Oct 1952"),
        person("jp-mof", "29-1", "ウラジーミル・プーチン", "1952-10-07", "Vladimir Putin"),
        person("jp-mof", "29-9", "ウラジーミル・イワノフ", "1952-10-07", "Vladimir Ivanov"),
        person("un-sc", "X1", "Vladimir Putin", "circa 1952"),  # year only: never linked
        person("uk-hmt", "7", "PUTIN, Vladimir", "1952"),
        person("ofac-sdn", "1", "PUTIN, Vladimir", "1952-10-07"),  # same list: not a link
    ]
    links = PartyLinks(parties, [])
    assert links.group(("jp-mof", "29-1")) == (("jp-mof", "29-1"), ("ofac-sdn", "1"),
                                               ("ofac-sdn", "35096"))
    assert links.label(("ofac-sdn", "35096")).startswith("ofac-sdn 35096 / jp-mof 29-1")
    for alone in (("jp-mof", "29-9"), ("un-sc", "X1"), ("uk-hmt", "7")):
        assert links.group(alone) == (alone,)
    # kept in the store per list head: read back, the same groups, labels and count
    back = PartyLinks.from_wire(links.to_wire())
    for party in parties:
        key = (party.source, party.list_id)
        assert back.group(key) == links.group(key) and back.label(key) == links.label(key)
    assert len(back) == len(links) == 1


def test_a_shared_sanctioned_address_links_entities():
    def tag(source: str, list_id: str | None, kind: TagKind = TagKind.SANCTION) -> Tag:
        return Tag("0x" + "ab" * 20, "evm", source, kind, "x", "sanctioned", list_id=list_id)

    links = PartyLinks([], [tag("ofac-sdn", "27307"), tag("jp-mof", "16-68"),
                            tag("graphsense", None), tag("etherscan", "e1", TagKind.ENTITY)])
    assert links.group(("jp-mof", "16-68")) == (("jp-mof", "16-68"), ("ofac-sdn", "27307"))
    assert links.group(("etherscan", "e1")) == (("etherscan", "e1"),)
    assert len(links) == 1
