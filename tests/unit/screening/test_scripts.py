"""The per-script steps of name screening, on names from the lists: kana folding,
kanji readings, Hangul romanisation, the Cyrillic soft sign, the Japanese phonetic key."""

from __future__ import annotations

import pytest

from screening import phonetic
from screening.hangul import romanise
from screening.kana import fold_kana, kana_words
from screening.kanji import readings
from screening.score import align
from screening.text import forms, kana_only, normalise


@pytest.mark.parametrize("spelling", [
    "ウラジーミル・プーチン", "ｳﾗｼﾞｰﾐﾙ･ﾌﾟｰﾁﾝ", "うらじーみる・ぷーちん", "ウラジミル　プーチン",
    "ウラジーミル=プーチン"])
def test_kana_spellings_of_one_name_fold_to_one(spelling: str) -> None:
    assert kana_words(spelling) == ("ウラジミル", "プチン")


def test_vu_row_small_kana_and_gemination_fold() -> None:
    assert fold_kana("ヴィクトル") == fold_kana("ビクトル") == "ビクトル"
    assert fold_kana("ヴェクセリベルグ") == "ベクセリベルグ"
    assert fold_kana("アブラモヴィッチ") == "アブラモビチ"
    assert fold_kana("キャ") == "キャ"  # small ya stays: kya is not kiya


def test_japanese_legal_form_is_a_word_of_its_own() -> None:
    assert kana_words("株式会社第140修理工場")[0] == "株式会社"
    assert normalise("株式会社第140修理工場")[0] == "kabushikigaisha"


def test_kanji_name_gets_the_listed_reading_among_its_readings() -> None:
    assert ("タカヤマ", "キヨシ") in readings(("高山清司",))  # OFAC: TAKAYAMA, Kiyoshi
    assert readings(("篠田建市",))[0] == ("シノダ", "ケンイチ")  # OFAC: SHINODA, Kenichi
    listed = sorted(normalise("TAKAYAMA, Kiyoshi"))  # folded as the index folds it
    assert listed in [sorted(f) for f in forms("高山清司")]
    assert forms("高山清司")[0] != tuple(normalise("Takayama Kiyoshi"))  # pykakasi's "kozan"


@pytest.mark.parametrize(("hangul", "latin"), [
    ("김정은", "kim jong un"), ("최룡해", "choe ryong hae"), ("박도춘", "pak to chun"),
    ("리병철", "ri pyong chol"), ("리제선", "ri je son"), ("김여정", "kim yo jong")])
def test_hangul_is_spelled_as_the_lists_spell_dprk_names(hangul: str, latin: str) -> None:
    assert romanise(hangul) == latin


def test_cyrillic_soft_and_hard_signs_keep_the_word_whole() -> None:
    assert normalise("Вексельберг") == ("vexelberg",)  # unidecode alone: "veksel'berg"
    assert normalise("Гурьев") == normalise("Guryev")
    assert normalise("Подъячев") == ("podiachev",)


@pytest.mark.parametrize(("kana", "latin"), [
    ("プーチン", "putin"), ("ウラジーミル", "vladimir"), ("メドヴェージェフ", "medvedev"),
    ("ラヴロフ", "lavrov"), ("ヴェクセリベルグ", "vekselberg"), ("セメノフ", "semenov"),
    ("グリエフ", "guryev"), ("ミハイル", "mikhail"), ("アブラモヴィッチ", "abramovich")])
def test_phonetic_key_of_a_katakana_name_is_the_latin_names(kana: str, latin: str) -> None:
    romaji = " ".join(normalise(kana))
    assert phonetic.key(romaji) == phonetic.key(latin)


def test_phonetic_key_keeps_different_names_apart() -> None:
    assert phonetic.key("mendereefu") != phonetic.key("medvedev")  # メンデレーエフ


def test_only_kana_queries_take_the_phonetic_path() -> None:
    assert kana_only("ロマン・セメノフ") and kana_only("ろまん せめのふ")
    assert not kana_only("高山清司") and not kana_only("Roman Semenov")


def test_scorer_guards() -> None:
    # an affix makes another word: Megumi Yamaguchi is not the YAMAGUCHI-GUMI
    assert align(("megumi", "yamaguchi"), ("yamaguchi", "gumi"), person=False).score < 80
    # consonant skeletons disagree: Mendeleev is not Medvedev
    assert align(("dmitri", "mendelev"), ("medvedev", "dmitri", "anatolievich")).score < 80
    # a legal form in the query is not held against it
    bitvan = align(("bitvan", "lc"), ("limited", "liability", "kompany", "bitvan"), False)
    assert bitvan.score >= 90
    # one common Japanese surname names no entity
    assert align(("yamaguchi",), ("yamaguchi", "gumi"), person=False).score < 80
