"""People in the text: the surnames, titles and verbs of speech that find their names.

A name is found by its context (书记赵会生, 阮金泉…强调), never by itself: jieba cuts names
(吴/劲松, 李俊/贤) and the dictionary has few of this genre's.  Here too the word lists the term
finder shares: the genre's stopwords and the tokens that break a run of content tokens.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords.txt"

# Tokens that never sit inside a term: they break the stream into runs.
BREAK = frozenset(
    "的 了 和 与 及 或 在 是 对 把 将 从 为 以 等 并 也 都 而 又 让 被 向 于 就 才 之 其 "
    "着 过 给 到 由 但 还 即 及其 以及 并且 而且 或者 通过 按照 围绕 对于 关于 根据 为了 "
    "这 那 该 此 各 每 我 你 他 她 它 我们 他们 要 能 会 可 不 没有 已 已经 正 正在 更 很 最 "
    "作 获 带动 构筑 喜获 获评 荣获 受到 来到 位于".split()
)
_TITLES = frozenset(
    "书记 副书记 市长 副市长 县长 区长 省长 主任 副主任 局长 部长 主席 副主席 院长 组长 "
    "秘书长 董事长 总经理 厅长 处长 校长 检察长 常委 委员 主委 总工程师 镇长 乡长 村长 "
    "记者 通讯员 实习生 市民 专家 教授 院士 代表 负责人 主持人 队长 站长 所长".split()
)
_SAYS = frozenset(
    "强调 指出 表示 说 要求 介绍 认为 带领 带队 主持 出席 参加 调研 先后 深入 点评 代表 还".split()
)
_COMRADE = "同志"
"""Said right after a name in every report of a meeting (楼阳生同志, 以习近平同志为核心): the
strongest cue there is, so a name before it needs no common surname."""
CUES = _SAYS | _TITLES | {_COMRADE}
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞"
    "姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
NOT_A_NAME = frozenset(
    "会议 他们 我们 市委 区委 县委 省委 大家 专家 负责人 有关 相关 该局 该区 该县 "
    "企业 部门 同时 并且 记者 全市 全省 全区 全县 高质量 要求 任务 会上 随后 此外".split()
)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The genre's boilerplate (data/stopwords.txt): never a keyword, never a term's edge."""
    words: set[str] = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)


def name_shaped(word: str) -> bool:
    """Two or three Chinese characters that are no boilerplate: a name, where a strong cue
    says so (``find_people``; the dictionary's tags have the last word in ``select_terms``)."""
    return (
        2 <= len(word) <= 3
        and word not in NOT_A_NAME
        and word not in stopwords()
        and all("\u4e00" <= c <= "\u9fff" for c in word)
    )


def looks_like_name(word: str) -> bool:
    """Two or three Chinese characters starting with a common surname."""
    return word[:1] in SURNAMES and name_shaped(word)


_NOT_GIVEN = "在给对向和与及等说到为是的了也都就还又从把被将以由带率来去指称讲要会已并同"
_GIVEN = re.compile(rf"^[\u4e00-\u9fff]$(?<![{_NOT_GIVEN}])")
"""One character that may end a name after a title (not a preposition, verb or particle)."""
_TITLE_ENDS = ("书记", "主任", "长")
TITLE_ENDS = _TITLE_ENDS
"""A token that ends so is a title (党委书记, 副主任, 区长): a cue of the name after it."""
TITLE_LAST = frozenset("记任长")


def find_people(tokens: Sequence[str], cues: Iterable[int], out: Counter[str]) -> None:
    """Names after a title (书记赵会生), before a verb of speech (阮金泉…强调) or before 同志
    (楼阳生同志, whatever the surname); ``cues``: where the titles and verbs of speech are."""
    n = len(tokens)
    for c in cues:
        cue = tokens[c]
        if cue == _COMRADE:
            if c >= 1 and tokens[c - 1] not in _TITLES and name_shaped(tokens[c - 1]):
                out[tokens[c - 1]] += 1
            continue
        # a name is one token (赵会生) or a surname plus given name (吴/劲松)
        if cue in _SAYS and c >= 1:
            for start in (c - 1, c - 2):
                if start < 0 or (
                    start == c - 2 and (len(tokens[start]) != 1 or tokens[start] in BREAK)
                ):
                    continue
                cand = "".join(tokens[start:c])
                if looks_like_name(cand):
                    out[cand] += 1
                    break
        if (cue in _TITLES or cue.endswith(_TITLE_ENDS)) and c + 1 < n:
            first = tokens[c + 1]
            if looks_like_name(first):
                j = c + 2
                if len(first) == 2 and j < n and _GIVEN.match(tokens[j]):
                    first += tokens[j]  # 院士/李俊/贤/入选: jieba cut a three-character name
                    j += 1
                out[first] += 1
                # a list of people under one title: 副主任/郭晓芒/、/马东安/等
                while j + 1 < n and tokens[j] == "、" and looks_like_name(tokens[j + 1]):
                    out[tokens[j + 1]] += 1
                    j += 2
            elif len(first) == 3 and name_shaped(first):
                out[first] += 1  # 书记/楼阳生: a whole name after a title, whatever the surname
            elif len(first) == 1 and first not in BREAK and c + 2 < n:
                cand = first + tokens[c + 2]
                if looks_like_name(cand):
                    out[cand] += 1
