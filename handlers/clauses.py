"""Cutting a message into clauses, and the clause text that cue words are looked for in.

Hard separators (，。；！？ 还 但 另外 ...) end a clause; soft ones (、 和 spaces ...) only part
the kind words inside it. Pure; no I/O.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from handlers.dates import DateMark
from handlers.numerals import Quantity
from handlers.tokens import MASK, Clause, Mention, end_before, mask

HARD_SEP = re.compile(r"[,;。!?\n\r]|还(?!是)|但是?|不过|可是|然后|另外|(?<![做答说弄猜选])对了")
SOFT_SEP = re.compile(r"[、\s和及与跟并/&+]|以及|同时|而且")
FILLER = re.compile(r"\[\w{1,4}\]|嗯|啊|哈|呢|吧|啦|哦|呀|嘛|哟|噢|额|呃|唉|喔|嘿|哇|我|也|都|请|帮|登记|记录|上报|申报|报"
                    r"|@[^\s@]{1,12}|一下|补(?:报|录|充)?|那个(?=\s)|然后|的|是|好|又|再|和|及|与|跟|同|并|刚才|刚刚|最近|近期|早上|上午|中午|下午|晚上"
                    r"|今早|今晚|[\W_]")
DONE_WORD = re.compile(r"[了过完]")  # something was done (读了, 看过, 读完)
_DENIED = re.compile(r"[没未](?!有?(?:通过|过|中|考|参加|去|成|拿|批|录|采纳|获|评|选上|上))")  # 笔记没交; not 考试 没通过
_PART_BOUNDS = re.compile(r"\s+|:")
_VOCATIVE = re.compile(r"(?:\W*(?:书记|领导|老师|支书|班长|主任)(?:您好|你好|好)?(?![\w\0]))?")  # 书记 党课


_STILL_NOT = re.compile(r"\0{0,3}[没未不在差]")  # 还没, 还一项没有


def _still(masked: str, sep: re.Match, tokens: list, start: int) -> bool:
    """还 as `still` (书还没读, 难题还在排查, 成果今年还一项没有) after a bare topic, since the last space (读书1本 难题还没有):
    no separator. After an amount, a title or a thing done (a verb with 了 before the kind word) it is
    `and also` (读书一本还没交流心得, 交流了心得还没写总结; but 书到了还没看)."""
    if sep.group() != "还" or not _STILL_NOT.match(masked, sep.end()):
        return False
    start = max(start, masked.rfind(" ", start, end_before(masked, sep.start())) + 1)
    last_kind = max((t.start for t in tokens if start <= t.start < sep.start() and isinstance(t, Mention)),
                    default=start)
    if DONE_WORD.search(masked, start, last_kind):  # 交流了心得晚上还没写总结: and also
        return False  # (书到了还没看: still)
    return not any(start <= t.start < sep.start() and not isinstance(t, (Mention, DateMark)) for t in tokens)


def clauses(text: str, tokens: list, masked: str) -> list[Clause]:
    """Cut at hard separators outside tokens; each clause gets the tokens that start in it and
    remembers the separator word before it (还, 但是)."""
    found, start, after = [], 0, ""
    for sep in HARD_SEP.finditer(masked):
        if _still(masked, sep, tokens, start):
            continue
        if sep.group().isalpha() and not masked[start:sep.start()].strip():  # ，但是 / ，还
            start, after = sep.end(), sep.group()
            continue
        found.append(Clause(start, sep.start(), sep.group() == "?", after=after))
        start, after = sep.end(), sep.group() if sep.group().isalpha() else ""
    found.append(Clause(start, len(text), False, after=after))
    starts = [c.start for c in found]
    for token in sorted(tokens, key=lambda t: t.start):
        found[bisect_right(starts, token.start) - 1].tokens.append(token)
    return found


def named(part: Clause) -> bool:
    """The clause or part names a kind."""
    return any(isinstance(t, Mention) for t in part.tokens)


def _dated(part: Clause) -> bool:
    return any(isinstance(t, DateMark) for t in part.tokens)


def _done(part: Clause, masked: str) -> bool:
    """The part counts or names what it reports (读书2本, 《林海雪原》), or says it was done (交流了心得)."""
    return (any(not isinstance(t, (Mention, DateMark)) for t in part.tokens)
            or bool(DONE_WORD.search(masked, part.start, part.end)))


def _parts(clause: Clause, bounds: list[int], masked: str = "") -> list[Clause]:
    """The clause cut at the given positions; a part without a kind word joins its neighbour
    (读书 2本, 这周忙死了 只参加了个党课), unless it names a day after a part that says what was done,
    or a denial, which opens a part of its own (交流了心得 明天夜班; 看完了 山上没信号今天才发; 听了党课 笔记没交;
    but 读书 今天没有).
    One part: the clause itself."""
    parts = [Clause(a, b, False) for a, b in zip(bounds, bounds[1:] + [clause.end])]
    for token in clause.tokens:
        parts[bisect_right(bounds, token.start) - 1].tokens.append(token)
    merged: list[Clause] = []
    for part in parts:
        if merged and not (named(part) and named(merged[-1])) and not (
                masked and _done(merged[-1], masked) and (_dated(part) or (
                    named(merged[-1]) and _DENIED.search(masked, part.start, part.end)))):
            merged[-1].end = part.end
            merged[-1].tokens.extend(part.tokens)
        else:
            merged.append(part)
    merged[0].after, merged[-1].asked = clause.after, clause.asked
    return merged if len(merged) > 1 else [clause]


def cut_at(clause: Clause, pos: int) -> list[Clause]:
    """The clause cut in two at pos (where a quoted notice ends inside it: …完成情况】 我这边：读书1本)."""
    head, tail = Clause(clause.start, pos, False, after=clause.after), Clause(pos, clause.end, clause.asked)
    for token in clause.tokens:
        (head if token.start < pos else tail).tokens.append(token)
    return [head, tail]


def scoped(masked: str, clause: Clause) -> list[Clause]:
    """A clause split at its spaces and colons into parts that each name a kind (这周只参加了个党课 书也没看;
    学习不能落下：本周读完了《红岩》): a negation or plan then covers only its own part. One part: the
    clause itself."""
    bounds = [clause.start + c.end() for c in _PART_BOUNDS.finditer(masked[clause.start:clause.end])]
    return _parts(clause, [clause.start] + bounds, masked)


def counted(clause: Clause) -> list[Clause]:
    """A clause without separators split before each kind word that follows an amount or a title
    (读书一本心得一次成果没有): items listed one after another, each with its own mood."""
    tokens = sorted(clause.tokens, key=lambda t: t.start)
    bounds = [t.start for before, t in zip(tokens, tokens[1:])
              if isinstance(t, Mention) and not isinstance(before, (Mention, DateMark))]
    return _parts(clause, [clause.start] + bounds)


def cue_text(text: str, clause: Clause) -> str:
    """The clause with titles, kind words and dates masked: where cue words are looked for."""
    spans = [t for t in clause.tokens if not isinstance(t, Quantity)]
    cue = mask(text, spans, clause.start, clause.end)
    end = len(cue)
    while end and not (cue[end - 1].isalnum() or cue[end - 1] == MASK):
        end -= 1  # trailing punctuation and emoji: 能报么？😀 ends with 么
    return cue[:end]


def is_bare(text: str, clause: Clause) -> bool:
    """Nothing in the clause but kind words, dates, filler and a greeting (书, 今天读书, 书记 党课)."""
    rest = mask(text, clause.tokens, clause.start, clause.end)
    return not FILLER.sub("", rest[_VOCATIVE.match(rest).end():])
