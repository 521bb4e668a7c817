"""Which groups of a report clause name an activity: not a level naming a programme (本科自考), not a
kind word in a heading (【学习打卡】), not one that only modifies the head of its phrase (读书心得交流一次,
QC课题成果获奖), not one that elaborates what another clause counted. Pure; no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from handlers.clauses import FILLER, SOFT_SEP, is_bare
from handlers.dates import CURRENT_PERIOD, PERIOD, DateMark
from handlers.groups import Group, evident
from handlers.numerals import Quantity
from handlers.titles import Title
from handlers.tokens import Clause, Mention, end_before, fold, standard

if TYPE_CHECKING:
    from handlers.parser import KindWords

_HEADING = re.compile(r"\s*[【\[〖]([^】\]〗]*)[】\]〗]")  # 【学习打卡】 before the items
_REPORTING = re.compile(r"\s*(?:现将?|现)?(?:汇报|报告)(?:一下)?[^\n:]{0,12}:\s*$")
_RECEIVED = re.compile(r"获|荣获")  # 获奖 after another kind word: what that thing received (QC成果获奖)
_NEXT = re.compile(r"又|再|接着|随后|之后|早上|上午|中午|下午|晚上")  # …培训两个小时下午又去听了党课: a new item
_TEAM = re.compile(r"\w*(?:小组|团队|工作室)")  # a kind word naming a team (QC小组)
_ACHIEVED = re.compile(r"成果|奖|发布|推广|采纳|授权|专利|结题")  # what a team's result is said with


def drop_programmes(clause: Clause, found: list[Group]) -> list[Group]:
    """A level word alone (本科) next to another kind's word, with an amount or a title after it,
    names the programme of that activity (自考本科过了两门课, 本科自考过了一门, 自考本科的《马原》过了:
    exams), not a degree; with a degree word (自考本科毕业) or as the object (读完本科) it is one."""
    def programme(i: int, g: Group) -> bool:
        if not g.level or g.end - g.start != len(g.level):
            return False
        beside = [n for n in found[max(i - 1, 0):i] + found[i + 1:i + 2]
                  if n.kind != g.kind and (n.end == g.start or g.end == n.start)]
        return bool(beside) and any(isinstance(t, (Quantity, Title)) and t.start >= g.end for t in clause.tokens)
    return [g for i, g in enumerate(found) if not programme(i, g)]


@lru_cache(maxsize=16)
def _words(kinds: tuple[KindWords, ...]) -> tuple[frozenset[str], ...]:
    """The synonyms of each kind as the parser sees them (standard, ASCII lower-case)."""
    return tuple(frozenset(fold(standard(w)) for w in k.synonyms) for k in kinds)


def _narrowed(run: list[Group], text: str, kinds: tuple[KindWords, ...]) -> list[Group]:
    """A head word that ends a longer word of the kind before it (成果 of QC成果, 证书 of 授权证书)
    takes that kind: QC课题成果, QC小组的成果, 专利证书. What the word before brought joins it."""
    words, merged = _words(kinds), []
    for group in run:
        last = merged[-1] if merged else None
        word = text[group.start:group.end]
        if (last and last.kind != group.kind and not last.quantities
                and any(w != word and w.endswith(word) for w in words[last.kind])):
            group.kind, group.titles = last.kind, last.titles + group.titles
            merged.pop()
        merged.append(group)
    return merged


def _received(run: list[Group], text: str) -> list[Group]:
    """`QC成果获奖`, `论文获奖一项`: 获奖 after another kind word says what that thing received; its
    amount and titles are that thing's."""
    kept: list[Group] = []
    for group in run:
        if kept and _RECEIVED.match(text, group.start):
            kept[-1].quantities += group.quantities
            kept[-1].titles += group.titles
            continue
        kept.append(group)
    return kept


def _listed(run: list[Group], index: int, masked: str, end: int) -> bool:
    """The group follows right after the amount of the group before and closes the clause
    (交流心得一次党课, not 培训2小时学习安规): the next item of a list written without separators."""
    before, group = run[index - 1] if index else None, run[index]
    return bool(before and before.quantities and before.quantities[-1].start >= before.end
                and end_before(masked, group.start) == before.quantities[-1].end
                and not FILLER.sub("", masked[group.end:end]))


def drop_modifiers(found: list[Group], clause: Clause, text: str, masked: str,
                   kinds: Sequence[KindWords]) -> list[Group]:
    """In a run of groups with no separator between them (读书心得交流一次, 看了党课视频), a group with
    nothing of its own only modifies another: keep the groups that have a quantity, title or
    level, or else the last one (the head of the phrase); a group right after another's amount
    starts a new item (`_listed`), as does one after 又, a time of day (`_NEXT`) or a date. First a head
    takes the kind that narrows it (`_narrowed`) and 获奖 gives way to what received it (`_received`)."""
    runs: list[list[Group]] = []
    for group in found:
        gap = masked[runs[-1][-1].end:group.start] if runs else ""
        dated = runs and any(isinstance(t, DateMark) and runs[-1][-1].end <= t.start < group.start
                             and not masked.startswith("的", t.end)  # QC小组今年的成果: one thing
                             and text[t.end - 1] in "日号"  # a calendar day (读书会上周心得交流: one)
                             for t in clause.tokens)  # 11月8号交流了心得11月12号解决了一个难题
        if runs and not SOFT_SEP.search(gap) and not _NEXT.search(gap) and not dated:
            runs[-1].append(group)
        else:
            runs.append([group])
    kept = []
    for run in runs:
        run = _received(_narrowed(run, text, tuple(kinds)), text) if len(run) > 1 else run
        heads = [g for i, g in enumerate(run) if evident(g) or _listed(run, i, masked, clause.end)]
        kept += heads or run[-1:]
    return kept


def drop_teams(text: str, clause: Clause, found: list[Group]) -> list[Group]:
    """A kind word naming a team (QC小组) names the team, not a result of it, when the clause says
    nothing it achieved (QC小组开会, 参加QC小组活动2次): kept with a title of its own, or with 成果,
    an award, 发布, 采纳 ... in the clause (QC小组的课题获二等奖)."""
    if not any(_TEAM.fullmatch(text, g.start, g.end) for g in found) or _ACHIEVED.search(
            text, clause.start, clause.end):
        return found
    return [g for g in found if g.titles or not _TEAM.fullmatch(text, g.start, g.end)]


_ASIDE = re.compile(r"\([^()]*\)")


def drop_breakdowns(text: str, clause: Clause, found: list[Group]) -> list[Group]:
    """Groups inside parentheses after a counted group of their kind (发表论文3篇（1篇SCI、2篇EI）)
    break that count down; they add nothing, unless they bring titles. So do groups of one each
    that make up the count before them (考了两个证 一个电工证 一个焊工证)."""
    asides = [(m.start(), m.end()) for m in _ASIDE.finditer(text, clause.start, clause.end)]
    kept: list[Group] = []
    for group in found:
        aside = next((a for a, b in asides if a < group.start < b), None)
        if aside is None or group.titles or "又" in text[aside:group.start] or not any(
                g.kind == group.kind and g.quantities and g.end <= aside for g in kept):
            kept.append(group)
    return drop_parts(text, kept)


def drop_parts(text: str, found: list[Group], masked: str | None = None) -> list[Group]:
    """Without the groups, titled or not, that follow a group counting as many of their kind in all, one
    each or adding up, with no 又 between (两个证 一个电工证 一个焊工证: two certificates; 成果3项 两篇文章一个课件). Given `masked`, only
    parts counted before their kind word (一个安全员证一个高压电工证, not 课件1个、微课1个)."""
    for index, whole in enumerate(found):
        total = whole.quantities[0].value if len(whole.quantities) == 1 else None
        parts = [g for g in found[index + 1:] if g.kind == whole.kind]
        values = [q.value for g in parts for q in g.quantities]
        adds_up = (all(g.quantities for g in parts) and None not in values and len(values) >= 2
                   and sum(values) == total)  # 一个电工证 一个焊工证: 2; 两篇文章一个课件: 3
        if (total and total >= 2 and not whole.titles and adds_up
                and (masked is None or all(masked[q.end:q.end + 1] == "\0" or masked[q.end:q.end + 1].isalpha()
                                           for g in parts for q in g.quantities))
                and "又" not in text[whole.end:parts[-1].end]):
            whole.titles += [t for g in parts for t in g.titles]  # 两本书 一本《白鹿原》一本《边城》
            return [g for g in found if not any(g is p for p in parts)]
    return found


def take_back_unfinished(clause: Clause, found: list[Group], kinds: Sequence[KindWords]) -> str:
    """A clause saying something is not finished yet (还没读完) right after one naming it by title
    only, with no count (读了《红楼梦》前四十回): it was begun, not done. Its groups of that kind are
    taken back, and the clause is "plan" (under way); else it stays a "negation"."""
    said = {t.kind for t in clause.tokens if isinstance(t, Mention)}
    begun = [g for g in found if len(g.titles) == 1 and g.kind in said and not any(
        q.value and not q.vague and q.unit in ("", kinds[g.kind].unit) for q in g.quantities)]  # 前四十回: chapters
    if not begun:
        return "negation"
    found[:] = [g for g in found if not any(g is b for b in begun)]
    return "plan"


# 主要讲的是…的一些体会: what was said, no activity of its own
_CONTENT = re.compile(r"(?:讲|说|谈|聊)(?:的是|了讲)|主要(?:讲|说|谈|聊)")
_MEANS = re.compile(r"通过[^,。\s]{0,14}的$")  # 通过国家开放大学的学习: the means


def drop_content(text: str, clause: Clause, found: list[Group]) -> list[Group]:
    """Kind words after words saying what was talked about (主要讲的是配网故障抢修的一些体会), or through
    what something came (通过国家开放大学的学习), name the content or the means, not one more activity,
    unless they bring an exact amount or a title."""
    return [g for g in found if not (_CONTENT.search(text, clause.start, g.start)
                                     or (_MEANS.search(text, clause.start, g.start) and g.end == clause.end
                                         and text[g.start:g.end] == "学习"))
            or g.titles or any(not q.vague and q.value for q in g.quantities)]


_MORE = re.compile(r"另|也|又|还|其他|别的")  # 另外读了两本: more, no total
_ALL = re.compile(r"都|均|共|总|这|合计")  # 两本都读完了: all of them


def drop_totals(text: str, clause: Clause, found: list[Group], orphans: list, last: Group | None,
                reports: list[tuple[Clause, list[Group]]]) -> tuple[list[Group], list]:
    """After titles listed one by one, a count of them (①《…》②《…》③《…》 三本都读完了; 就这两本; 两项成果均已
    公示) adds nothing: groups with no titles whose amount is the number of titles of their kind said
    before, and a lone amount of that number after them, when the clause says 都/共/这 or nothing
    else (not 另外读了两本, 单位发的两本书也读完了)."""
    said = text[clause.start:clause.end]
    if _MORE.search(said) or not (_ALL.search(said) or is_bare(text, clause)):
        return found, orphans

    def listed(kind: int, quantities: list) -> bool:
        values = {q.value for q in quantities if isinstance(q, Quantity) and not q.vague}
        titled = sum(len(g.titles) for _, groups in reports for g in groups if g.kind == kind)
        return titled >= 2 and values == {titled}

    found = [g for g in found if g.titles or not listed(g.kind, g.quantities)]
    if last and len(orphans) == 1 and listed(last.kind, orphans):
        orphans = []
    return found, orphans


def drop_headings(masked: str, clause: Clause, found: list[Group]) -> list[Group]:
    """A kind word in a heading (【学习打卡】) with nothing of its own names no activity when the
    clause goes on to name others, or the heading is a line of its own above more."""
    heading = _HEADING.match(masked, clause.start)
    if not heading:
        line = _REPORTING.match(masked, clause.start, clause.end)  # 汇报11月学习：above the items
        return [g for g in found if evident(g)] if line and clause.end < len(masked.rstrip()) else found
    inside = {id(g) for g in found if g.end <= heading.end() and not g.titles and not g.level
              and all(q.end <= heading.end() for q in g.quantities)}  # 【理赔二部 学习打卡】
    label = FILLER.sub("", masked[heading.start():heading.end()].replace("\0", ""))  # 【学习打卡】, not 【读书】
    alone = bool(label) and not FILLER.sub("", masked[heading.end():clause.end]) and clause.end < len(masked)
    return [g for g in found if id(g) not in inside] if len(inside) < len(found) or alone else found


def day_of(text: str, clause: Clause):
    """The day the clause names, if any (not a period: 今年, 本月, 上季度)."""
    return next((t.on for t in clause.tokens if isinstance(t, DateMark) and t.on
                 and not CURRENT_PERIOD.fullmatch(text, t.start, t.end) and not PERIOD.search(text, t.start, t.end)), None)


def another_day(text: str, clause: Clause, reports: list[tuple[Clause, list[Group]]], kind: int) -> bool:
    """The clause names a day or period (11月, 下半年) other than the one the last clause reporting `kind`
    named, both right before the kind word or the amount (10月读书2本，11月1本; 9月党课 10月党课): one more of
    that kind, on its own day (not 上个月开始写论文，这个月论文发表了: one paper); so does one naming the kind
    in other words on another day (10月拿到中级职称，11月考过了注册安全工程师资格证)."""
    before = next((c for c, found in reversed(reports) if any(g.kind == kind for g in found)), None)
    if before is None:
        return False
    own, theirs = _dates_leading(text, clause), _dates_leading(text, before)
    if own and theirs:
        return own[-1] != theirs[-1]
    own, theirs = _days(clause), _days(before)  # 10月拿到中级职称，11月考过了注册安全工程师资格证: another thing
    return (bool(own and theirs) and own[-1] != theirs[-1] and not _BEGUN.search(text, before.start, before.end)
            and not _said(text, clause, kind) & _said(text, before, kind))


def _days(clause: Clause) -> list:
    """The days the clause says (periods included)."""
    return [t.on for t in clause.tokens if isinstance(t, DateMark) and t.on]


def _said(text: str, clause: Clause, kind: int) -> set[str]:
    """The kind words of `kind` the clause says (职称, 论文)."""
    return {text[t.start:t.end] for t in clause.tokens if isinstance(t, Mention) and t.kind == kind}


_BEGUN = re.compile(r"开始|立项|申报|报名|启动|着手")  # 9月立项的QC课题，11月QC成果发布了: one thing
_LABEL_GAP = re.compile(r"[ :份的]*")  # between a day and what it labels (10月：2本, 10月份读书)


def _dates_leading(text: str, clause: Clause) -> list:
    """The days said right before a kind word or an amount in the clause (10月读书, 11月1本, 10月：2本)."""
    starts = {t.start for t in clause.tokens if isinstance(t, (Mention, Quantity))}
    return [t.on for t in clause.tokens if isinstance(t, DateMark) and t.on
            and _LABEL_GAP.match(text, t.end, clause.end).end() in starts]


def replaces_announcement(text: str, group: Group, reports: list[tuple[Clause, list[Group]]]) -> bool:
    """The kind of `group` was announced before by a clause with nothing but kind words (报一下自考，
    马克思主义基本原理概论考试通过): that announcement names no activity of its own and is dropped
    in favour of the group, which then stands. False (nothing dropped) otherwise."""
    earlier = [(clause, g) for clause, found in reports for g in found if g.kind == group.kind]
    if not earlier or any(evident(g) or g.again or not is_bare(text, clause) for clause, g in earlier):
        return False
    for clause, found in reports:
        found[:] = [g for g in found if g.kind != group.kind]
    return True
