"""Titles in a message: 《红岩》, 〈红岩〉, <<红岩>>; “红岩” or <红岩> right after a kind word;
`解决难题：xxx`; `书名是xxx`, `名为xxx`. Titles are found in the NFKC text and given back as typed
(《英语（二）》 keeps its full-width brackets; `as_typed`). Pure; no I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.clauses import FILLER, HARD_SEP
from handlers.dates import DateMark
from handlers.numerals import Quantity
from handlers.tokens import Clause, Mention, mask as mask_tokens, standard

TITLES = {"《": "》", "〈": "〉", "<<": ">>"}
QUOTES = {"“": "”", "「": "」", "『": "』", '"': '"', "<": ">"}  # a title only right after a kind word
STARTS = frozenset("".join(TITLES) + "".join(QUOTES))  # first characters of a title
TRIM = " \t,.。:;、!?\"'“”"
_INTRODUCER = re.compile(r"(?:书名|名字|名称|题目|标题)(?!\s*(?:记不|不记|忘|还?没|不清))(?:是|叫|为)?\s*:?|(?:科目|课程)(?:是|为|名为)?\s*:|主题(?:是|为)?\s*:|(?<!主)题为|名为|名叫")
# 书名是乡土中国; but 主题为“…”的专题学习 names a theme
_NOTHING = re.compile(r"(?:题目)?(?:还|暂时?|都|也)?(?:没有?|无|未|不)\w{0,2}"  # 读书：暂无 / 未完成: no title
                      r"|(?:已经?)?(?:完成|完毕|搞定|读完|看完)了?(?:\([^()]*\))?")  # 心得交流：已完成（11月6日）
# a bare 叫 (一本书叫平凡的世界然后…) introduces no title: a name run into the sentence, with no end
_RUN_ON = re.compile(r"[^\W\d_]")  # a clause cut at a word (然后, 还), not at a mark or the end
_AND = re.compile(r"[和、及与\s]")
_DOING = re.compile(r"\s*(?:参加|参与|在|去|到|跟|和|与|同|取得|获得|考取|通过)")  # 培训：参加…培训 says what was done
_LISTED = re.compile(r"\s*(?:其|第)?[一二三四五六七八九十]是?\s*:")  # 一是：xxx，二是：yyy


@dataclass(frozen=True)
class Title:
    """A title at [start, end); quoted when it was in quotes (kept only right after a kind word)."""
    start: int
    end: int
    text: str
    quoted: bool = False


def title_at(text: str, raw: str, pos: int) -> Title | None:
    """A title in 《》 (to the clause end if unclosed) or in quotes at pos."""
    for pairs, quoted in ((TITLES, False), (QUOTES, True)):
        opener = next((o for o in pairs if text.startswith(o, pos)), None)
        if opener:
            end = close = text.find(pairs[opener], pos + len(opener))
            if close < 0 and quoted:
                return None
            if close < 0:
                stop = HARD_SEP.search(text, pos)
                end = stop.start() if stop else len(text)
            inner = raw[pos + len(opener):end].strip()
            stop = end + len(pairs[opener]) if close >= 0 else end
            return Title(pos, stop, inner, quoted) if inner else None
    return None


def colon_title(raw: str, masked: str, clause: Clause) -> Title | None:
    """`解决难题：xxx` -> the title xxx, when the colon closely follows a kind word.

    Not a title when the tail holds a 《》 title, a kind word together with an exact quantity
    (学习成果：发表论文一篇; 交流心得：…的几点体会 is one), or nothing but a quantity (读书：1本). A quantity closing the tail
    stays a quantity (培训：安规8学时). Nor is a word saying nothing was done (读书：无, 心得：没有).
    """
    colon = masked.find(":", clause.start, clause.end)
    mentions = [t for t in clause.tokens if isinstance(t, Mention) and t.end <= colon]
    tail = [t for t in clause.tokens if t.start > colon]
    if colon < 0 or not mentions or any(isinstance(t, Title) for t in tail):
        return None
    if len(FILLER.sub("", masked[mentions[-1].end:colon])) > 4:
        return None
    if any(isinstance(t, Mention) for t in tail) and any(isinstance(t, Quantity) and not t.vague for t in tail):
        return None
    if len(tail) > 1 and all(isinstance(t, Mention) for t in tail) and not FILLER.sub("", _AND.sub("", mask_tokens(
            masked, tail, colon + 1, clause.end))):
        return None  # 本月学习：读书、心得交流、党课: the kinds, no name
    same = [t for t in tail if isinstance(t, Mention) and t.kind == mentions[-1].kind]
    if ((len(same) > 1 and _AND.search(masked, same[0].end, same[-1].start))
            or (same and _DOING.match(masked, colon + 1))):
        return None  # 两个证：高压电工证和低压电工证; 培训：参加省里的思政培训: what was done, no name
    end = clause.start + len(raw[clause.start:clause.end].rstrip(TRIM))
    if tail and (isinstance(tail[0], Quantity) or (isinstance(tail[0], DateMark) and tail[0].on)) and not FILLER.sub(
            "", masked[colon + 1:tail[0].start]):
        return None  # 心得交流：1次（团队周会）: the amount, then a note; 心得交流：11月12日在…: when
    introduced = _INTRODUCER.match(masked, colon + 1)  # 解决难题1项：题目是xxx
    colon = introduced.end() - 1 if introduced else colon
    if tail and isinstance(tail[-1], Quantity) and tail[-1].end >= end:
        end = tail[-1].start
    title = raw[colon + 1:end].strip(TRIM)
    return Title(colon + 1, end, title) if title and not _NOTHING.fullmatch(title) else None


def introduced_title(raw: str, masked: str, clause: Clause) -> Title | None:
    """`书名是乡土中国` / `一本书名叫平凡的世界` -> the title after the introducing words, to the
    clause end, when the clause has no title of its own."""
    if any(isinstance(t, Title) for t in clause.tokens):
        return None
    found = _INTRODUCER.search(masked, clause.start, clause.end)
    if not found or _RUN_ON.match(masked, clause.end):  # 叫做历史的天空然后呢…: no end of its own
        return None
    title = raw[found.end():clause.end].strip(TRIM)
    if title.endswith(")") and "(" not in title:  # 解决难题1个（题目是xxx）
        title = title[:-1].rstrip(TRIM)
    return Title(found.end(), clause.end, title) if title else None


def listed_title(raw: str, masked: str, clause: Clause) -> Title | None:
    """`…解决工作难题2项，一是：xxx，二是：yyy` -> the title xxx of a clause that only names one of
    the things listed, after 一是： (no kind word in it)."""
    listed = _LISTED.match(masked, clause.start, clause.end)
    if not listed or any(isinstance(t, (Mention, Title)) for t in clause.tokens):
        return None
    title = raw[listed.end():clause.end].strip(TRIM)
    return Title(listed.end(), clause.end, title) if title else None


def take_title(raw: str, masked: str, clause: Clause) -> None:
    """Give the clause its colon, introduced or listed title, in place of the tokens it covers."""
    title = (colon_title(raw, masked, clause) or introduced_title(raw, masked, clause)
             or listed_title(raw, masked, clause))
    if title:
        clause.tokens = [t for t in clause.tokens if t.end <= title.start or t.start >= title.end]
        clause.tokens.append(title)


def as_typed(title: str, raw: str, typed: str) -> str:
    """The title as the member typed it: `raw` is `typed` made standard (one character for one, or
    a few for one: … is ...; list marks are line breaks); the title, found in raw, is given back in
    the characters of `typed`."""
    at = raw.find(title)
    if at < 0 or raw == typed:
        return title
    if len(raw) == len(typed):  # one character for one: the same place
        return typed[at:at + len(title)]
    pieces = [standard(c) for c in typed]
    if "".join(pieces)[at:at + len(title)] != title:  # composed across characters: keep it normalised
        return title
    ends, end = [], 0
    for piece in pieces:
        end += len(piece)
        ends.append(end)
    first = next(i for i, e in enumerate(ends) if e > at)
    last = next(i for i, e in enumerate(ends) if e >= at + len(title))
    return typed[first:last + 1]
