from __future__ import annotations

import datetime as dt

import pytest

from screening import countries, dates
from screening.text import forms, normalise, skeleton


@pytest.mark.parametrize(("raw", "expected"), [
    ("Роман Семенов", ("roman", "semenov")),  # Cyrillic via unidecode
    ("SEMENOV, Roman", ("semenov", "roman")),
    ("Roman Semyonov", ("roman", "semenov")),  # yo → e
    ("ANDREYEV, Anton", ("andrev", "anton")),  # vowel-y-vowel, doubled letters
    ("Anton Andreev", ("anton", "andrev")),
    ("Dmitriy Aleksandrovich", ("dmitri", "alexandrovich")),
    ("Dmitrii Alexandrovich", ("dmitri", "alexandrovich")),
    ("しのだ けんいち", ("shinoda", "kenichi")),  # kana → passport Hepburn, one token per word
    ("シノダ ケンイチ", ("shinoda", "kenichi")),
    ("AL-QAIDA", ("al", "kaida")),
])
def test_normalise_brings_variants_together(raw: str, expected: tuple[str, ...]) -> None:
    assert normalise(raw) == expected


def test_skeleton_ignores_vowels() -> None:
    assert skeleton("semenov") == skeleton("semonov") == "smnv"


@pytest.mark.parametrize(("text", "codes"), [
    ("Russia", {"RU"}), ("1) Saudi Arabia 2) Qatar", {"SA", "QA"}), ("IRQ", {"IQ"}),
    ("Korea, North", {"KP"}), ("Democratic Republic of the Congo", {"CD"}),
    ("Iraqi", {"IQ"}), ("Afghan", {"AF"}), ("Martian", set()),
])
def test_country_codes(text: str, codes: set[str]) -> None:
    assert countries.codes(text) == codes


@pytest.mark.parametrize(("listed", "verdict"), [
    ("08 Nov 1987", "exact"), ("1987", "year"), ("00/00/1987", "year"), ("1987-11-08", "exact"),
    ("08 Nov 1986", "differs"), ("circa 1986", "year"), ("1985 to 1987", "year"), ("", "unknown"),
])
def test_dob_agreement(listed: str, verdict: str) -> None:
    assert dates.agreement(dt.date(1987, 11, 8), dates.parse(listed)) == verdict


def test_other_kanji_readings_only_for_a_person_length_name() -> None:
    # 高山清司 (OFAC "TAKAYAMA, Kiyoshi"): pykakasi alone reads it "kozan kiyoshi"
    assert normalise("Takayama Kiyoshi") in forms("高山清司")
    # an organisation's long kanji name: pykakasi's one reading only (MOF's own spelling)
    assert len(forms("株式会社第810航空機修理工場")) == 1
    assert len(forms("軍用輸送航空司令部")) == 1
