"""Hand-written parts of the name benchmark and the variant makers (bench/make_names.py).

Every hand-written query names its listed party by a Latin *hint* (the name as the list
spells it, given name first); make_names.py resolves the hint to list ids from the lists
themselves. The kana, kanji, Cyrillic and Hangul spellings are the usual Japanese /
Russian / Korean ones (Japanese press style for Russian names, MOF's style where MOF has
the party, DPRK names in Hangul as printed in the DPRK).
"""

from __future__ import annotations

import random
import re

import jaconv

_HAN = re.compile(r"[\u4e00-\u9fff]")
_PATRONYMIC = re.compile(r"(vich|vna|ovich|evich|ovna|evna|ichna|ogly|kyzy)$", re.IGNORECASE)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def given_and_surname(latin: str) -> str:
    """"PUTIN, Vladimir Vladimirovich" → "Vladimir Putin" (patronymic dropped)."""
    if "," in latin:
        surname, _, given = latin.partition(",")
        words = [w for w in given.split() if not _PATRONYMIC.search(w)][:1]
        return " ".join([*words, surname.strip()]).title()
    words = [w for w in latin.split() if not _PATRONYMIC.search(w)]
    return " ".join(words).title()


# ---- katakana ----------------------------------------------------------------------
def _swap_order(name: str, sep: str) -> str | None:
    parts = name.split("・")
    return sep.join(reversed(parts)) if len(parts) >= 2 else None


def _vu_to_bu(name: str) -> str | None:
    out = name
    for a, b in (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ")):
        out = out.replace(a, b)
    return out if out != name else None


def _bu_to_vu(name: str) -> str | None:
    out = name
    for a, b in (("バ", "ヴァ"), ("ビ", "ヴィ"), ("ベ", "ヴェ"), ("ボ", "ヴォ")):
        out = out.replace(a, b, 1)
    return out if out != name else None


def _drop_long(name: str) -> str | None:
    return name.replace("ー", "") if "ー" in name else None


def _add_long(name: str) -> str | None:
    m = re.search(r"[イエオ](?=[^ー・])", name[1:])
    if not m:
        return None
    at = m.start() + 1
    return name[:at] + "ー" + name[at:]


def _big_small(name: str) -> str | None:
    out = name.translate(str.maketrans("ァィゥェォ", "アイウエオ"))
    return out if out != name else None


KANA_VARIANTS = (
    ("without ・ (joined)", lambda n: n.replace("・", "")),
    ("space for ・", lambda n: n.replace("・", " ")),
    ("family name first, 、", lambda n: _swap_order(n, "、")),
    ("family name first, space", lambda n: _swap_order(n, " ")),
    ("ヴ row written ブ row", _vu_to_bu),
    ("ブ row written ヴ row", _bu_to_vu),
    ("long vowel ー dropped", _drop_long),
    ("long vowel ー added", _add_long),
    ("half-width kana", lambda n: jaconv.z2h(n, kana=True, ascii=False, digit=False)),
    ("hiragana", jaconv.kata2hira),
    ("small kana written full size", _big_small),
)


def kana_variant(name: str, n: int) -> tuple[str | None, str]:
    """The ``n``-th variant kind (cycling) that applies to ``name``."""
    for k in range(len(KANA_VARIANTS)):
        how, make = KANA_VARIANTS[(n + k) % len(KANA_VARIANTS)]
        out = make(name)
        if out and out != name:
            return out, how
    return None, ""


# ---- Latin variants ----------------------------------------------------------------
_TRANSLIT = (("yev", "ev"), ("iev", "yev"), ("ey", "ei"), ("iy", "i"), ("kh", "h"),
             ("ks", "x"), ("x", "ks"), ("y ", "i "), ("ii", "iy"), ("ou", "u"),
             ("mohammed", "muhammad"), ("muhammad", "mohamed"), ("j", "dj"), ("aa", "a"),
             ("ya", "ia"), ("yu", "iu"), ("ch", "tch"), ("sh", "ch"), ("ov ", "ow "),
             ("ov", "off"), ("ph", "f"))


def translit_variant(clean: str) -> str | None:
    low = clean.lower() + " "
    for a, b in _TRANSLIT:
        if a in low[1:]:
            return (low[0] + low[1:].replace(a, b, 1)).strip().title()
    return None


def typo(clean: str, rng: random.Random) -> str | None:
    words = clean.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 5:
        return None
    at = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "drop", "double", "vowel"))
    if op == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif op == "drop":
        word = word[:at] + word[at + 1:]
    elif op == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + ("a" if word[at] != "a" else "e") + word[at + 1:]
    words[longest] = word
    out = " ".join(words)
    return out if out.lower() != clean.lower() else None


_FORM_FIRST = re.compile(r"^(LIMITED LIABILITY COMPANY|JOINT STOCK COMPANY|PUBLIC JOINT STOCK "
                         r"COMPANY|CLOSED JOINT STOCK COMPANY|OOO|AO|OAO|ZAO|PAO)\s+(.+)$")
_FORM_LAST = re.compile(r"^(.+?),?\s+(LLC|LTD\.?|LIMITED|CO\.,? LTD\.?|INC\.?|GMBH|OOO|JSC|FZE)$")
FORMS = ("LLC", "Ltd", "OOO", "JSC", "Co., Ltd.", "Limited", "Inc.")


def legal_core(name: str) -> tuple[str, str] | None:
    """("BITVAN", "LIMITED LIABILITY COMPANY") for "LIMITED LIABILITY COMPANY BITVAN"."""
    name = name.replace('"', "").strip()
    m = _FORM_FIRST.match(name)
    if m:
        core, form = m.group(2), m.group(1)
    else:
        m = _FORM_LAST.match(name)
        if not m:
            return None
        core, form = m.group(1), m.group(2)
    if len(core) < 4 or "(" in core or "," in core:
        return None
    return core, form


def other_form(form: str, rng: random.Random) -> str:
    same = {"LIMITED LIABILITY COMPANY": "LLC", "OOO": "OOO", "LTD": "Ltd", "LTD.": "Ltd",
            "LIMITED": "Limited", "JOINT STOCK COMPANY": "JSC", "JSC": "JSC"}
    choices = [f for f in FORMS if f != same.get(form.upper(), "")]
    return rng.choice(choices)


# ---- hand-written queries in other scripts ------------------------------------------
KANA_OF_LATIN = (
    ("ロマン・セメノフ", "Roman Semenov"), ("アリー・ハメネイ", "Ali Khamenei"),
    ("モジタバ・ハメネイ", "Mojtaba Khamenei"), ("エフゲニー・プリゴジン", "Yevgeniy Prigozhin"),
    ("オレグ・デリパスカ", "Oleg Deripaska"), ("アリシェル・ウスマノフ", "Alisher Usmanov"),
    ("イーゴリ・セーチン", "Igor Sechin"), ("アルカジー・ローテンベルク", "Arkady Rotenberg"),
    ("ゲンナジー・ティムチェンコ", "Gennady Timchenko"),
    ("エリヴィラ・ナビウリナ", "Elvira Nabiullina"), ("ドミトリー・ペスコフ", "Dmitriy Peskov"),
    ("セルゲイ・ナルイシキン", "Sergey Naryshkin"), ("ニコライ・パトルシェフ", "Nikolai Patrushev"),
    ("ミハイル・ミシュスチン", "Mikhail Mishustin"), ("セルゲイ・キリエンコ", "Sergei Kiriyenko"),
    ("ユーリー・コワリチュク", "Yuri Kovalchuk"), ("ミハイル・フリードマン", "Mikhail Fridman"),
    ("ウラジーミル・ポターニン", "Vladimir Potanin"), ("アンドレイ・コスチン", "Andrey Kostin"),
    ("ゲルマン・グレフ", "Herman Gref"), ("アレクセイ・ミレル", "Alexey Miller"),
    ("ヴャチェスラフ・ヴォロージン", "Vyacheslav Volodin"),
    ("アレクサンドル・ボルトニコフ", "Alexander Bortnikov"),
    ("セルゲイ・ショイグ", "Sergei Shoigu"),
    ("キム・ジョンウン", "Kim Jong Un"), ("キム・ヨジョン", "Kim Yo Jong"),
    ("チェ・リョンヘ", "Choe Ryong Hae"), ("ヴィクトル・ヴェクセリベルク", "Viktor Vekselberg"),
    ("ハサン・ナスララ", "Hasan Nasrallah"), ("ボリス・ローテンベルク", "Boris Rotenberg"),
)
KANJI = (
    ("高山清司", "Kiyoshi Takayama"), ("高山 清司", "Kiyoshi Takayama"),
    ("篠田建市", "Kenichi Shinoda"), ("山口組", "YAMAGUCHI GUMI"),
    ("神戸山口組", "KOBE YAMAGUCHI GUMI"), ("稲川会", "INAGAWA KAI"), ("住吉会", "SUMIYOSHI KAI"),
    ("弘道会", "KODO KAI"), ("山健組", "YAMAKEN GUMI"), ("清田次郎", "Jiro Kiyota"),
    ("西口茂男", "Shigeo Nishiguchi"), ("井上邦雄", "Kunio Inoue"), ("寺岡修", "Osamu Teraoka"),
    ("池田孝志", "Takashi Ikeda"), ("森尾卯太男", "Utao Morio"), ("津田力", "Chikara Tsuda"),
    ("高木康男", "Yasuo Takagi"), ("光安克明", "Katsuaki Mitsuyasu"),
    ("竹内照明", "Teruaki Takeuchi"), ("オウム真理教", "AUM SHINRIKYO"),
)
CYRILLIC = (
    ("Путин Владимир", "Vladimir Putin"), ("Владимир Владимирович Путин", "Vladimir Putin"),
    ("Сергей Лавров", "Sergei Lavrov"), ("Вексельберг Виктор", "Viktor Vekselberg"),
    ("Виктор Феликсович Вексельберг", "Viktor Vekselberg"), ("Дмитрий Медведев", "Dmitry Medvedev"),
    ("Олег Дерипаска", "Oleg Deripaska"), ("Алишер Усманов", "Alisher Usmanov"),
    ("Сергей Шойгу", "Sergei Shoigu"), ("Михаил Мишустин", "Mikhail Mishustin"),
    ("Эльвира Набиуллина", "Elvira Nabiullina"), ("Игорь Сечин", "Igor Sechin"),
    ("Алексей Миллер", "Alexey Miller"), ("Аркадий Ротенберг", "Arkady Rotenberg"),
    ("Геннадий Тимченко", "Gennady Timchenko"), ("Юрий Ковальчук", "Yuri Kovalchuk"),
    ("Андрей Гурьев", "Andrey Guryev"), ("Евгений Пригожин", "Yevgeniy Prigozhin"),
    ("Сергей Кириенко", "Sergei Kiriyenko"), ("Дмитрий Песков", "Dmitriy Peskov"),
    ("Вячеслав Володин", "Vyacheslav Volodin"), ("Николай Патрушев", "Nikolai Patrushev"),
    ("Александр Бортников", "Alexander Bortnikov"), ("Сергей Нарышкин", "Sergey Naryshkin"),
    ("Андрей Костин", "Andrey Kostin"), ("Герман Греф", "Herman Gref"),
    ("Михаил Фридман", "Mikhail Fridman"), ("Владимир Потанин", "Vladimir Potanin"),
    ("Роман Семенов", "Roman Semenov"), ("Игорь Ротенберг", "Igor Rotenberg"),
)
HANGUL = (
    ("김정은", "Kim Jong Un"), ("김여정", "Kim Yo Jong"), ("최룡해", "Choe Ryong Hae"),
    ("리병철", "Ri Pyong Chol"), ("김영철", "Kim Yong Chol"), ("조용원", "Jo Yong Won"),
    ("박도춘", "Pak To Chun"), ("리제선", "Ri Je Son"), ("최춘식", "Choe Chun Sik"),
    ("주규창", "Chu Kyu Chang"), ("김정식", "Kim Jong Sik"), ("리만건", "Ri Man Gon"),
    ("장창하", "Jang Chang Ha"), ("김 정은", "Kim Jong Un"),
)
# (query, hint or None, DOB, expected decision)
SPECIAL = (
    ("Megumi Yamaguchi", None, None, "allow"),
    ("Dmitri Mendeleev", None, None, "allow"),
    ("Andrei Guryev", "Andrey Grigoryevich Guryev", "1960-03-24", "block"),
    ("Bitvan LLC", "BITVAN", None, "review"),
    ("Виктор Вексельберг", "Viktor Vekselberg", None, "review"),
    ("ウラジーミル・プーチン", "Vladimir Putin", "1952-10-07", "block"),
    ("Vladimir Putin", "Vladimir Putin", "1990-01-01", "allow"),
    ("김정은", "Kim Jong Un", None, "review"),
)
SPECIAL_WHY = {
    "Megumi Yamaguchi": "known false flag: a person, not the YAMAGUCHI-GUMI",
    "Dmitri Mendeleev": "known false flag: the chemist, not Dmitry MEDVEDEV",
    "Andrei Guryev": "candidate cut: many Andrei …; the listed DOB confirms OFAC 38216",
    "Bitvan LLC": "legal form in the query (LIMITED LIABILITY COMPANY BITVAN)",
    "Виктор Вексельберг": "Cyrillic soft sign inside a word",
    "ウラジーミル・プーチン": "MOF katakana + listed DOB",
    "Vladimir Putin": "listed name, DOB 38 years off: namesake ruled out",
    "김정은": "Hangul",
}

# ---- negatives: common Japanese names (kanji, kana, romaji) -------------------------
SURNAMES = (
    ("佐藤", "さとう", "Sato"), ("鈴木", "すずき", "Suzuki"), ("高橋", "たかはし", "Takahashi"),
    ("田中", "たなか", "Tanaka"), ("伊藤", "いとう", "Ito"), ("渡辺", "わたなべ", "Watanabe"),
    ("山本", "やまもと", "Yamamoto"), ("中村", "なかむら", "Nakamura"),
    ("小林", "こばやし", "Kobayashi"), ("加藤", "かとう", "Kato"), ("吉田", "よしだ", "Yoshida"),
    ("山田", "やまだ", "Yamada"), ("佐々木", "ささき", "Sasaki"), ("山口", "やまぐち", "Yamaguchi"),
    ("松本", "まつもと", "Matsumoto"), ("井上", "いのうえ", "Inoue"), ("木村", "きむら", "Kimura"),
    ("林", "はやし", "Hayashi"), ("清水", "しみず", "Shimizu"), ("山崎", "やまざき", "Yamazaki"),
    ("森", "もり", "Mori"), ("池田", "いけだ", "Ikeda"), ("橋本", "はしもと", "Hashimoto"),
    ("石川", "いしかわ", "Ishikawa"), ("前田", "まえだ", "Maeda"), ("藤田", "ふじた", "Fujita"),
    ("小川", "おがわ", "Ogawa"), ("岡田", "おかだ", "Okada"), ("村上", "むらかみ", "Murakami"),
    ("近藤", "こんどう", "Kondo"), ("坂本", "さかもと", "Sakamoto"), ("遠藤", "えんどう", "Endo"),
)
GIVEN = (
    ("大輔", "だいすけ", "Daisuke"), ("翔太", "しょうた", "Shota"), ("健太", "けんた", "Kenta"),
    ("拓也", "たくや", "Takuya"), ("直樹", "なおき", "Naoki"), ("誠", "まこと", "Makoto"),
    ("浩", "ひろし", "Hiroshi"), ("隆", "たかし", "Takashi"), ("学", "まなぶ", "Manabu"),
    ("陽斗", "はると", "Haruto"), ("蓮", "れん", "Ren"), ("悠真", "ゆうま", "Yuma"),
    ("恵", "めぐみ", "Megumi"), ("裕子", "ゆうこ", "Yuko"), ("美穂", "みほ", "Miho"),
    ("陽子", "ようこ", "Yoko"), ("真由美", "まゆみ", "Mayumi"), ("愛", "あい", "Ai"),
    ("さくら", "さくら", "Sakura"), ("結衣", "ゆい", "Yui"), ("美咲", "みさき", "Misaki"),
    ("彩", "あや", "Aya"), ("千尋", "ちひろ", "Chihiro"), ("和子", "かずこ", "Kazuko"),
    ("明", "あきら", "Akira"), ("勇", "いさむ", "Isamu"), ("正", "ただし", "Tadashi"),
    ("一郎", "いちろう", "Ichiro"), ("次郎", "じろう", "Jiro"), ("太郎", "たろう", "Taro"),
)
OTHER_NEGATIVES = (
    "John Smith", "Maria Garcia", "Emma Johnson", "Dmitri Mendeleev", "Fyodor Dostoevsky",
    "Lev Tolstoy", "Pyotr Tchaikovsky", "Anna Karenina", "Kim Min-jun", "Lee Ji-eun",
    "Park Seo-yeon", "Wei Zhang", "Li Na", "Ivan Turgenev", "Natalia Goncharova",
    "Фёдор Достоевский", "Лев Толстой", "Пётр Чайковский", "김민준", "이지은",
    "ジョン・スミス", "マリア・ガルシア", "レフ・トルストイ", "フョードル・ドストエフスキー",
)


def negatives(rng: random.Random) -> list[tuple[str, str]]:
    """~200 common Japanese full names (a third each in romaji, kana, kanji) and others."""
    out: list[tuple[str, str]] = []
    pairs = [(s, g) for s in SURNAMES for g in GIVEN]
    rng.shuffle(pairs)
    for n, (s, g) in enumerate(pairs[:195]):
        form = n % 3
        if form == 0:
            query = f"{g[2]} {s[2]}" if n % 2 else f"{s[2]} {g[2]}"
        elif form == 1:
            query = f"{s[1]} {g[1]}" if n % 2 else jaconv.hira2kata(f"{s[1]}{g[1]}")
        else:
            query = f"{s[0]}{g[0]}" if n % 2 else f"{s[0]} {g[0]}"
        out.append((query, "common-ja"))
    out += [(q, "other-negative") for q in OTHER_NEGATIVES]
    return out
