"""What kind of name a term is: organisation or place by its suffix (X集团, X街道), and
whether its first token can start a name at all (洛阳, 七, 西工区; not 僵尸 or 六大); and the
shapes of the tokens a term may hold.

Split from ``corpus.terms`` (term selection) along this seam.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

NUMERIC = re.compile(r"^[\d零一二三四五六七八九十百千万亿两几多余个年月日号时分点%％.]+$")
MAX_N = 5
"""Longest term, in tokens."""
CONTENT = re.compile(r"^(?:[\u3400-\u9fff]+|[A-Za-z0-9][A-Za-z0-9.\-]*)$")
"""A token a term may hold: words and numbers, no punctuation."""
NUMERAL_NAME = re.compile(r"^[一二三四五六七八九十百千]{3,}$")
"""Numerals that name a thing when quoted: 十四五 (the plan), 七二五 (the institute)."""

ADMIN = frozenset("市 省 县 区".split())

ORG_SUFFIXES = tuple(
    "有限公司 委员会 常委会 研究所 研究院 设计院 管理局 办公室 党支部 党工委 工委 党委 党组 "
    "集团 公司 银行 大学 学院 医院 法院 检察院 商会 协会 学会 "
    "联合会 管委会 中心 局 厅 所 院 社".split()
)
"""Longest first: an organisation's name ends in one of these (X集团, X研究所, 七二五所)."""
PLACE_SUFFIXES = tuple(
    "街道 社区 新区 片区 园区 开发区 示范区 水库 公园 大道 公路 科技园 产业园 工业园 "
    "省 市 县 区 镇 乡 村 路".split()
)
ORG_SET = frozenset(ORG_SUFFIXES)
PLACE_SET = frozenset(PLACE_SUFFIXES)
SUFFIX_SET = ORG_SET | PLACE_SET


def suffix_kind(text: str) -> str | None:
    """Organisation or place by the text's ending (X集团, X街道), or None."""
    for s in ORG_SUFFIXES:
        if text.endswith(s) and len(text) > len(s):
            return "organisation"
    for s in PLACE_SUFFIXES:
        if text.endswith(s) and len(text) > len(s):
            return "place"
    return None


def token_suffix_kind(parts: Sequence[str]) -> str | None:
    """Organisation or place when the last token is the suffix itself (安乐/街道, 七/二五/所)."""
    last = parts[-1]
    if last in ORG_SET:
        return "organisation"
    if last in PLACE_SET:
        return "place"
    if len(parts) > 1 and len(last) == 1 and (parts[-2] + last).endswith(_CROSSING_ORG):
        return "organisation"  # 市委常委/会: a suffix of three characters over two tokens
    if len(parts) > 1 and len(last) > 2:
        # a token that ends in a suffix of two characters or more (行政/服务中心): one
        # character is too little to tell (格局, 思路, 城市 end in 局, 路, 市)
        if last.endswith(_LONG_ORG):
            return "organisation"
        if last.endswith(_LONG_PLACE):
            return "place"
    return None


_TAG_KIND = {"ns": "place", "nt": "organisation"}
_LONG_ORG = tuple(s for s in ORG_SUFFIXES if len(s) > 1)
_LONG_PLACE = tuple(s for s in PLACE_SUFFIXES if len(s) > 1)
_CROSSING_ORG = tuple(s for s in ORG_SUFFIXES if len(s) > 2)
"""Suffixes long enough to tell across a token boundary (常委会, 委员会; not 协会: 政协/会…)."""


def name_kind(parts: Sequence[str], tags: Mapping[str, str]) -> str | None:
    """Organisation or place for a term that is a name: a suffix after a proper start."""
    kind = token_suffix_kind(parts)
    if kind is None and parts[0] in ADMIN and parts[-1].endswith(ORG_SUFFIXES):
        kind = "organisation"  # 市/政协党组, 市/应急/管理局
    if kind is None and len(parts) > 1 and len(parts[-1]) > 1:
        # a name that ends in a name the dictionary knows: 洛阳市/涧西区, 河南/中信重工
        kind = _TAG_KIND.get(tags.get(parts[-1], "")[:2])
    if kind is not None and not proper_start(parts[0], tags):
        kind = None  # 僵尸/园区, 五大/产业园: a kind of place, not a place's name
    return kind


PROPER_TAGS = ("ns", "nr", "nz", "nt", "j", "m")

_NUMERALS = frozenset("一二三四五六七八九十两百千万")
COUNTED = re.compile(r"^[一二三四五六七八九十两几多百千万亿]+[大个项条家名位批级]$")


def proper_start(first: str, tags: Mapping[str, str]) -> bool:
    """A name starts with a proper noun, a place or a numeral (洛阳, 鼎门, 七), or with a word
    the dictionary does not know (西工区), or 市/县/区 of an office; not with a common noun."""
    tag = tags.get(first)
    if COUNTED.match(first) or (tag or "").startswith("m"):
        return NUMERIC.match(first) is not None  # 七/二五/所, not 六大/产业园, 四大/园区
    if tag is None and first[:1] in _NUMERALS and not NUMERIC.match(first):
        return False  # 四好/农村路, 两新/组织: a counted slogan, not a name (三门峡 is ns)
    return tag is None or tag.startswith(PROPER_TAGS) or first in ADMIN
