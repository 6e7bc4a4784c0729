"""The commonest Japanese surnames and given names, in passport Hepburn.

A Japanese customer called Yamaguchi or Kobayashi is not the YAMAGUCHI-GUMI or an OFAC
namesake on that one word: the scorer caps a match on a single token when that token is
one of these (:func:`screening.score.align`). No maintained library ships name
frequencies for Japanese, so the list is written here: the 100 commonest surnames (by the
usual household-register rankings, e.g. 佐藤, 鈴木, 高橋, 田中 …) and about 100 common
given names of men and women across generations. Folded as the scorer folds (``ou`` →
``o`` …) so that *Satou* and *Sato* are one entry.
"""

from __future__ import annotations

from screening.text import fold

_SURNAMES = """
sato suzuki takahashi tanaka ito watanabe yamamoto nakamura kobayashi kato yoshida yamada
sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto
yamashita ishikawa nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii
saito sakamoto endo aoki fujii nishimura fukuda ota miura fujiwara okamoto matsuda
nakagawa nakano harada ono tamura takeuchi kaneko wada nakayama ishida ueda morita hara
shibata sakai kudo yokoyama miyazaki miyamoto uchida takagi ando taniguchi ohno maruyama
imai takada fujimoto takeda murata ueno sugiyama masuda sugawara hirano otsuka chiba kubo
matsui iwasaki sakurai kinoshita noguchi matsuo kikuchi nomura arai watabe sano sugimoto
kojima
"""
_GIVEN = """
hiroshi takashi akira makoto takeshi kenji satoshi kazuo masao minoru osamu shigeru
isamu yutaka hideo kiyoshi tadashi susumu kenichi koichi shinichi seiji yuji daisuke
shota kenta yuta ryota takuya tsubasa sho haruto ren yuto sota yamato riku hiroto minato
taro ichiro jiro kenta naoki tetsuya masahiro kazuki yusuke kosuke keisuke ryo ken jun
megumi yumiko keiko kazuko sachiko michiko yoko akiko hiroko kyoko tomoko naoko yuko
mayumi kumiko noriko junko emi ai yui yuna hina sakura mio rin aoi yuka misaki haruka
nanami ayaka mai asuka kana mika yoshiko fumiko chiyo hanako eri kaori miki rie saori
atsuko masako reiko midori nozomi ayumi shizuka kei hitomi
"""
COMMON_NAMES: frozenset[str] = frozenset(fold(n) for n in (_SURNAMES + _GIVEN).split())
