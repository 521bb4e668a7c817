"""Passes over all the report clauses of a message, once each clause's groups are found: a thing begun
and later finished, a thing dated by a later clause, a heading line above its items, mentions that only
elaborate what another clause counted, a bare 证书 naming the certificate of the thing before. Pure; no I/O.
"""
from __future__ import annotations

import re

from handlers.clauses import is_bare
from handlers.dates import CURRENT_PERIOD, DateMark
from handlers.groups import Group, counted_back, evident
from handlers.heads import day_of
from handlers.tokens import Clause, Mention

_STARTED = re.compile(r"开始(?:读|看|学|写|备|准备)?\W*$")  # 上周开始读《活着》: begun then
_FINISHED = re.compile(r"(?:读|看|学|写|听|弄|搞)(?:完|好)|全部完成")  # 昨天读完了: finished now


def _take_over(later: Group, first: Group, holder: list[Group]) -> None:
    """The later mention takes what the first one named (titles, amounts, level); the first leaves its
    clause's groups (`holder`)."""
    later.titles, later.quantities, later.level = first.titles, first.quantities, first.level
    holder.remove(first)


def finish_started(text: str, reports: list[tuple[Clause, list[Group]]]) -> None:
    """A thing begun on one day (上周开始读《活着》) and said finished in a later clause naming nothing of
    its own (昨天读完了) is one item, on the day it was finished: the later mention takes over what the
    first one named, and the first is dropped."""
    for index, (clause, found) in enumerate(reports):
        for g in list(found):
            if not _STARTED.search(text, clause.start, g.start):
                continue
            later = next((h for c, hs in reports[index + 1:] for h in hs
                          if h.kind == g.kind and not evident(h) and _FINISHED.search(text, c.start, c.end)), None)
            if later:
                _take_over(later, g, found)


def first_dated(text: str, clause: Clause, before: list[tuple[Clause, list[Group]]]) -> bool:
    """The clause says a day or an earlier period (上个月, not 本月), and no report clause before it did."""
    return any(isinstance(t, DateMark) and not CURRENT_PERIOD.fullmatch(text, t.start, t.end)
               for t in clause.tokens) and not any(isinstance(t, DateMark) for c, _ in before for t in c.tokens)


def dated_later(text: str, reports: list[tuple[Clause, list[Group]]]) -> None:
    """A thing counted or named on no day (在职读的硕士; 论文《…》) and said done in a later clause on a day,
    with nothing of its own (上个月拿到学位了; 昨天已在期刊发表), is one item on that day: the later mention
    takes over what the first one named, and the first is dropped. When a day was said before, only a
    clause of a day and a kind word alone does so, for the clause right before it (读书：《工匠精神》，
    11月20日读完)."""
    for index, (clause, found) in enumerate(reports):
        if not index:
            continue
        if first_dated(text, clause, reports[:index]):
            before = reports[:index]
        elif all(isinstance(t, (DateMark, Mention)) for t in clause.tokens) and is_bare(text, clause):
            before = reports[counted_back(reports, index):index]  # 读书 1 本，书名：《…》，10月26日读完
            if not first_dated(text, clause, before):
                continue
        else:
            continue
        for later in found:
            earlier = [g for _, gs in before for g in gs if g.kind == later.kind]
            first = earlier[0] if len(earlier) == 1 else None
            if first and evident(first) and not later.again and not later.quantities and not later.titles and (
                    later.level in (None, first.level)):  # 博士学位论文答辩通过，昨天拿到博士学位证
                _take_over(later, first, next(gs for _, gs in before if first in gs))


def drop_heading_lines(text: str, reports: list[tuple[Clause, list[Group]]]) -> None:
    """A line of kind words only (一、读书学习) above lines that report one of its kinds with an amount or
    a title (本月共读书3本…) is their heading, no activity of its own."""
    for index, (clause, found) in enumerate(reports):
        line_start, line_end = text.rfind("\n", 0, clause.start) + 1, text.find("\n", clause.end)
        if (not found or line_end < 0 or any(evident(g) for g in found) or not is_bare(text, clause)
                or text[line_start:clause.start].strip() or text[clause.end:line_end].strip(" :")):
            continue
        kinds = {t.kind for t in clause.tokens if isinstance(t, Mention)}
        if any(evident(g) and g.kind in kinds for _, gs in reports[index + 1:] for g in gs):
            found.clear()


def drop_elaborations(text: str, reports: list[tuple[Clause, list[Group]]]) -> None:
    """A mention with nothing of its own is dropped when another clause reports the same kind with
    something of its own (研究生毕业，拿到硕士学位: one degree, 硕士), unless its clause and each of
    those name days of their own and its day is another (昨天QC成果获奖了，前天合理化建议采纳了一条: two
    things); so is a level said again with nothing else (大专毕业，取得大专学历), and one with no day when
    another says the day (评上高级工程师了，职称证书昨天拿到)."""
    said = [day_of(text, clause) for clause, _ in reports]
    kinds = {g.kind for _, found in reports for g in found if evident(g)}
    days = {(g.kind, day) for (_, found), day in zip(reports, said) for g in found if evident(g)}
    levels: set = set()  # 函授大专毕业，取得大专学历: the same level said again is the same degree
    for (_, found), day in zip(reports, said):
        found[:] = [g for g in found if (evident(g) or g.again or g.kind not in kinds or (
                        day and (g.kind, None) not in days and (g.kind, day) not in days)) and not (
            g.level and not g.quantities and not g.titles and (g.kind, g.level) in levels)]
        levels.update((g.kind, g.level) for g in found if g.level and not g.quantities and not g.titles)
    dated = {g.kind for (_, found), day in zip(reports, said) for g in found if not evident(g) and not g.again and day}
    for (_, found), day in zip(reports, said):  # 评上高级工程师了，职称证书昨天拿到: one, on the day said
        if not day:
            found[:] = [g for g in found if evident(g) or g.again or g.kind not in dated]


_CERTIFICATE = re.compile(r"\W*证书?")  # a part opening with 证书 (证书刚拿到), nothing naming it


def drop_certificates(text: str, reports: list[tuple[Clause, list[Group]]]) -> None:
    """A part opening with a bare 证书 right after a group of another kind (大专毕业，证书刚拿到; 通过了…考试
    证书拿到了) names that thing's certificate, not one more; alone (拿到了证书) or named (取得…工程师证书) it
    stands."""
    before = None
    for clause, found in reports:
        kept = []
        for g in found:
            part = max(clause.start, text.rfind(" ", clause.start, g.start) + 1)
            if not (before and not evident(g) and _CERTIFICATE.fullmatch(text, part, g.end)):
                kept.append(g)
            before = g
        found[:] = kept
        before = before if found else None  # 另外晋升了主管技师，证书已上传: the clause before named nothing
