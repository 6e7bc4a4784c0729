"""Real names from the OFAC SDN, UN and UK excerpts, in other orders, other scripts,
transliteration variants and with typos, must match; clearly different names must not."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from screening.matcher import NameMatcher, NameQuery

SAME_PERSON = [
    # (query, source, list id)
    ("Roman Semenov", "ofac-sdn", "44718"),  # listed as "SEMENOV, Roman": other order
    ("Роман Семенов", "ofac-sdn", "44718"),  # Cyrillic
    ("Семенов Роман", "ofac-sdn", "44718"),
    ("Roman Semyonov", "ofac-sdn", "44718"),  # transliteration variant
    ("Roman Semenvo", "ofac-sdn", "44718"),  # typo
    ("Anton Andreev", "ofac-sdn", "29703"),  # "ANDREYEV, Anton Nikolaeyvich": no patronymic
    ("Andreyev Anton Nikolaevich", "ofac-sdn", "29703"),
    ("Jong Un Kim", "ofac-sdn", "20157"),
    ("Владимир Путин", "ofac-sdn", "35096"),
    ("しのだ けんいち", "ofac-sdn", "13072"),  # "SHINODA, Kenichi" in kana
    ("Kenichi Shinoda", "ofac-sdn", "13072"),
    ("Mugaragu Leodomir", "un-sc", "CDi.013"),  # UN "LEODOMIR MUGARAGU"
    ("Leodomir Mugaragou", "un-sc", "CDi.013"),  # typo
    ("Zimurinda Innocent", "un-sc", "CDi.031"),
    ("Yong Chol Kim", "un-sc", "KPi.024"),
    ("Abdulaziz Abbasin", "uk-hmt", "12156"),  # UK "ABBASIN, Abdul Aziz", written together
    ("Sundus Abd al-Ghafur", "uk-hmt", "8244"),
    ("Khalaf Souleimane Abdallah", "uk-hmt", "13155"),  # Souleymane / Souleimane
]

DIFFERENT = ["John Smith", "Maria Garcia", "Taro Yamada", "Hiroshi Tanaka", "Emma Johnson",
             "Roman Abramovich", "Anna Semenova", "Ivan Petrov", "Wei Zhang", "Kim Min-jun",
             "Roman", "Semenov"]


@pytest.mark.parametrize(("query", "source", "list_id"), SAME_PERSON)
def test_same_person_matches_first(matcher: NameMatcher, query: str, source: str,
                                   list_id: str) -> None:
    found = matcher.screen(NameQuery(query))
    assert found, f"{query!r} matched nothing"
    assert (found[0].source, found[0].list_id) == (source, list_id)
    assert found[0].score >= 85


@pytest.mark.parametrize("query", DIFFERENT)
def test_clearly_different_names_do_not_match(matcher: NameMatcher, query: str) -> None:
    assert matcher.screen(NameQuery(query)) == []


def test_dob_turns_a_match_strong_or_a_namesake(matcher: NameMatcher) -> None:
    listed_dob = matcher.screen(NameQuery("Roman Semenov", dt.date(1987, 11, 8), "RU"))[0]
    assert (listed_dob.verdict, listed_dob.dob, listed_dob.country) == ("strong", "exact", "agrees")
    other_dob = matcher.screen(NameQuery("Roman Semenov", dt.date(1990, 1, 2), "JP"))[0]
    assert (other_dob.verdict, other_dob.dob, other_dob.country) == ("namesake", "differs",
                                                                      "differs")


def test_match_is_explained(matcher: NameMatcher) -> None:
    wire = matcher.screen(NameQuery("Роман Семенов"))[0].to_wire()
    assert wire["matched_name"] == "SEMENOV, Roman" and wire["matched_kind"] == "name"
    assert wire["normalised"] == {"query": "roman semenov", "listed": "semenov roman"}
    assert wire["token_pairs"] == [["semenov", "semenov", 100.0], ["roman", "roman", 100.0]]
    assert wire["listed_dob"] == ["08 Nov 1987"] and "CYBER2" in wire["programs"]


def test_alias_is_named(matcher: NameMatcher) -> None:
    found = matcher.screen(NameQuery("Zimulinda Innocent"))[0]  # UN alias "Zimulinda"
    assert found.list_id == "CDi.031"


def test_query_cost_is_well_under_a_millisecond(matcher: NameMatcher) -> None:
    queries = [NameQuery(q) for q, _, _ in SAME_PERSON] + [NameQuery(q) for q in DIFFERENT]
    start = time.perf_counter()
    for _ in range(20):
        for q in queries:
            matcher.screen(q)
    per_query_ms = (time.perf_counter() - start) * 1000 / (20 * len(queries))
    assert per_query_ms < 1.0
