"""The pieces the parser cuts a message into, and the masking they share.

Positions index the standard (NFKC-normalised, traditional characters as simplified),
ASCII-lower-cased message. Masking a token replaces its
span with MASK, so that later steps see only the words around titles, dates, quantities and
kind words. Pure; no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

MASK = "\0"


@dataclass(frozen=True)
class Mention:
    """A kind word at [start, end): the index of its kind, and the level it names (本科) if any."""
    start: int
    end: int
    kind: int  # index into kinds
    level: str | None


@dataclass
class Clause:
    """A stretch of the message between hard separators, with the tokens that start in it."""
    start: int
    end: int
    asked: bool  # ended with a question mark
    tokens: list = field(default_factory=list)
    after: str = ""  # the hard separator before it (还, 但是, ...), "" for none or punctuation


@lru_cache(maxsize=1)
def _simplified() -> dict[int, str]:
    """Traditional character -> simplified, from handlers/t2s.txt (OpenCC's character table)."""
    lines = resources.files(__package__).joinpath("t2s.txt").read_text(encoding="utf-8").splitlines()
    return {ord(line[0]): line[1] for line in lines if len(line) == 2}


@lru_cache(maxsize=1)
def _mandarin() -> tuple[re.Pattern, dict[str, str]]:
    """Dialect word -> Mandarin word of the same length, from handlers/dialect.txt, and a pattern
    finding them (the longest first)."""
    lines = resources.files(__package__).joinpath("dialect.txt").read_text(encoding="utf-8").splitlines()
    words = dict(line.split("\t") for line in lines if line and not line.startswith("#"))
    assert all(len(a) == len(b) for a, b in words.items()), "dialect.txt: a pair of different lengths"
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True))), words


# dialect characters that are Mandarin words elsewhere, read as Mandarin only in their dialect's
# context: Lanzhou 么 = 没 before a verb (额么看书, 还么交流; not 什么/怎么/要么); Minnan 无 = 没 before
# a verb (我无读书, 难题至今无解决; not 有无, 解决了无交流电源, 设备无看护); northwestern 咧 = 了
# ending a phrase (看完咧; not 咧嘴, Minnan 咧看书); southwestern 莫 and Shandong 木 = 没 after 还/都/我
# before a verb (还莫批下来, 还木看完); southwestern 克 = 去 before an activity (昨天克听了党课; not 克服);
# Hakka, Cantonese and Xiang 咯/哒 = 了 after a word (会谈咯一次, 评上哒; not 咯吱), Xiang and Wu 明朝 = 明天
# before a verb (not 《明朝那些事儿》), Xiang 我港下 = 我说下, 系 = 是 after 还/就/我 or opening a
# phrase (还系零, 系上周四讲嘅; not 系统, 关系), Cantonese 上紧 = 在上 before a lesson (上紧网上培训)
_VERB = "看|读|写|交|解|去|考|发|参|上|做|学|听|谈|报|拿|完|评"  # what 么/莫/木 deny: the activities' verbs
_IN_CONTEXT = (
    (re.compile(rf"(?<![什怎那这多要干为咋啥甚么])么(?={_VERB}|被|时间|有|过)"), "没"),
    (re.compile(r"(?<![有了的])无(?=(?:去|做|看(?!护)|读(?!数)|写|发(?!票|热)|交流(?!电)|参加|上课|上党课"
                r"|考(?!核|勤|虑)|拿|报(?!酬|警)|学(?!历|位|分|费)|听|谈|解决))"), "没"),
    (re.compile(r"(?<=[\u4e00-\u9fff])(?<!好)咧(?![\u4e00-\u9fff])"), "了"),
    (re.compile(rf"(?<=[还都也我俺就又月周天年文课书得题谈果训习])[莫木](?={_VERB}|批|整|搞)"), "没"),
    (re.compile(r"(?<![坦千公毫马巧攻])克(?=听|参加|开会|上课|上党课|考试|培训|学习)"), "去"),
    (re.compile(r"(?<=[\u4e00-\u9fff》])[咯哒](?![吱咯噔血哒])"), "了"),
    (re.compile(r"明朝(?=[去要再就跟和同参上听开交学读看考谈])"), "明天"),
    (re.compile(r"(?<=[我俺])港(?=下|一下)"), "说"),
    (re.compile(r"上紧(?=网|线上|课|党课|培训)"), "在上"),  # Cantonese 上紧网上培训 (not 把螺栓上紧)
    (re.compile(r"(?:(?<=[还就都也唔我佢他她间]|[,，])|^)系(?!统|列|数|着|在|好)"), "是"),
)


def standard(text: str) -> str:
    """The text NFKC-normalised with traditional characters read as simplified (讀書 -> 读书) and
    dialect words as Mandarin (琴日睇咗 -> 昨天看了, 额么看书 -> 额没看书); every step keeps the
    length, so titles can be given back as typed."""
    pattern, words = _mandarin()
    text = pattern.sub(lambda m: words[m.group()], unicodedata.normalize("NFKC", text).translate(_simplified()))
    for context, word in _IN_CONTEXT:
        text = context.sub(word, text)
    return text


def fold(text: str) -> str:
    """ASCII lower-cased (keeps the length of NFKC text, so positions match the raw text)."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def mask(text: str, spans, start: int = 0, end: int | None = None) -> str:
    """text[start:end] with the spans of the given tokens replaced by the mask character."""
    end = len(text) if end is None else end
    chars = list(text[start:end])
    for token in spans:
        a, b = max(token.start, start), min(token.end, end)
        if a < b:
            chars[a - start:b - start] = MASK * (b - a)
    return "".join(chars)


def end_before(masked: str, pos: int) -> int:
    """The end of the text before pos, spaces skipped (so `读书 2` counts as adjacent)."""
    while pos and masked[pos - 1] == " ":
        pos -= 1
    return pos
