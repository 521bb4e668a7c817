"""Groups: the mentions of one kind inside a clause, with the quantities and titles that belong
to them (读了《红岩》、《原则》两本书 is one group; 党课2次、中心组学习1次 two). Pure; no I/O.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from handlers.dates import DateMark
from handlers.numerals import Quantity, dimension, in_unit
from handlers.titles import Title
from handlers.tokens import Clause, Mention, end_before

if TYPE_CHECKING:
    from handlers.parser import KindWords

@dataclass
class Group:
    """Mentions of one kind inside a clause, with what attached to them."""
    kind: int
    start: int
    end: int
    level: str | None = None
    quantities: list[Quantity] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    again: bool = False  # its clause adds one more (这个月又做了个课件): no mere elaboration


def groups(clause: Clause, text: str = "") -> list[Group]:
    """Consecutive mentions of one kind form one group (读了2本书, 读了《红岩》、《原则》两本书),
    unless the group already has an exact quantity and the next mention brings its own
    (党课2次、中心组学习1次 / 读书1本 读书1本《红日》 / 两次专题学习、一次中心组学习; but 三次党课 两次党课在线上
    counts a part of it)."""
    found: list[Group] = []
    marks = [t for t in sorted(clause.tokens, key=lambda t: t.start) if isinstance(t, (Mention, Quantity, Title))]
    counted = titled = led = False  # what the current group has met since it began; whether an amount led it
    for index, m in enumerate(marks):
        if not isinstance(m, Mention):
            counted = counted or (isinstance(m, Quantity) and not m.vague)  # 好几本书 具体几本: one group
            titled = titled or isinstance(m, Title)
            continue
        following = marks[index + 1] if index + 1 < len(marks) else None
        leading = index > 0 and _leads(marks[index - 1], m)
        listed = leading and text[marks[index - 1].start - 1:marks[index - 1].start] in ("、", "和", "及")
        own = isinstance(following, Quantity) or (titled and isinstance(following, Title)) or (led and listed)
        if found and found[-1].kind == m.kind and not (counted and own):
            found[-1].end, found[-1].level = m.end, found[-1].level or m.level
        else:
            found.append(Group(m.kind, m.start, m.end, m.level))
            counted, titled, led = False, False, leading
    return found


def _leads(mark, mention: Mention) -> bool:
    """An exact amount written right before the kind word (两次专题学习)."""
    return isinstance(mark, Quantity) and not mark.vague and mark.end == mention.start


def _neighbours(found: list[Group], starts: list[int], start: int, end: int):
    """The last group starting before `start` (or at it: a kind word implied by the amount there)
    and the first starting at or after `end`."""
    before, after = bisect_right(starts, start), bisect_left(starts, end)
    return (found[before - 1] if before else None), (found[after] if after < len(found) else None)


def _head(group: Group, found: list[Group], masked: str, q: Quantity, kinds: Sequence[KindWords]) -> Group:
    """The last kind word of a noun phrase that starts with `group` (一个安全培训课件: 课件), when
    the quantity before it fits its unit."""
    index = found.index(group)
    while index + 1 < len(found) and masked[found[index].end:found[index + 1].start] in ("", "的") \
            and in_unit(1, q.unit, kinds[found[index + 1].kind].unit) is not None:
        index += 1
    return found[index]


def _quantity_owners(q: Quantity, marks: list, found: list[Group], starts: list[int], masked: str,
                     kinds: Sequence[KindWords]) -> list[Group]:
    """The group(s) a quantity belongs to: the one it sits in; all before 各; else its neighbour
    before or after (a times sign counts what it follows), chosen by which has a quantity already,
    then by unit, then by adjacency: one written right after a kind word is its (QC成果1项获奖),
    else the one it precedes (一次党课 / 读书一本). `marks` are the clause's mentions and quantities in order; `starts`
    where the groups start."""
    before, after = _neighbours(found, starts, q.start, q.end)
    if before and before.end > q.start:
        return [before]
    if masked[max(0, end_before(masked, q.start) - 1):q.start] == "各":
        return [g for g in found if g.end <= q.start and not g.quantities]
    if not (before and after):
        if after and " " in masked[q.end:after.start].strip():  # 跑了7个单程 中午把《平凡的世界》看完了
            return []
        return [g for g in (before, after) if g]
    if q.times:  # 读书×2 心得×1: a times sign follows what it counts
        return [before]
    if before.quantities:
        return [after]
    for fits in (lambda g: kinds[g.kind].unit == q.unit,
                 lambda g: in_unit(1, q.unit, kinds[g.kind].unit) is not None):
        fitting = [g for g in (before, after) if fits(g)]
        if len(fitting) == 1:
            return fitting
    following = bisect_left(marks, after.end, key=lambda t: t.start)
    after_has_own = following < len(marks) and isinstance(marks[following], Quantity)
    touches = before.end == q.start
    return [before] if after_has_own or touches or masked[q.end:after.start].strip() else [after]


def _describes(q: Quantity, group: Group, masked: str, kinds: Sequence[KindWords]) -> bool:
    """`困扰班组半年的泵堵塞问题`, `两天的班组长培训`: an amount in a unit that does not fit the kind,
    followed by 的 and more words before the kind word, describes something else; so does a length
    of time before a counted thing (困扰我们半年的难题), but not before hours (两天的培训). Hours
    before a counted thing (讲了20分钟的心得) are said of it: not a count, so it is asked about."""
    unit = kinds[group.kind].unit
    return (masked.startswith("的", q.end) and in_unit(1, q.unit, unit) is None
            and not (dimension(unit) == "count" and dimension(q.unit) in ("hour", "minute")
                     and not masked.startswith("的时间", q.end))  # 用了两个小时的时间读完了: describes
            and (group.start > q.end + 1 or dimension(unit) == "count" and dimension(q.unit) == "day"))


def attach(clause: Clause, found: list[Group], masked: str, kinds: Sequence[KindWords]) -> list:
    """Give each quantity and title of the clause to a group; return those that found none."""
    orphans, starts = [], [g.start for g in found]
    marks = sorted((t for t in clause.tokens if isinstance(t, (Mention, Quantity))), key=lambda t: t.start)
    for token in clause.tokens:
        if isinstance(token, Quantity):
            if _elsewhere(token, clause, masked) or _PEOPLE.match(masked, token.end):
                continue  # 给新来的3个学员交流了心得: people, not a count
            owners = [g if g.start < token.start else _head(g, found, masked, token, kinds)
                      for g in _quantity_owners(token, marks, found, starts, masked, kinds)]
            if any(_describes(token, g, masked, kinds) for g in owners):
                continue
            for group in owners:
                group.quantities.append(token)
        elif isinstance(token, Title):
            before, after = _neighbours(found, starts, token.start, token.start)
            if after and masked[token.start - 1:token.start] == "把":
                before = after  # …深度会谈一次，又把《苦难辉煌》看完了: what follows is done to it
            owners = [before] if before else found[:1]
            for group in owners:
                group.titles.append(token.text)
        else:
            continue
        if not owners:
            orphans.append(token)
    return orphans


_TOTAL = re.compile(r"共|合计|累计|总")  # 10月2本 11月1本 共3本: the total, no month's
_SPANS = (("month", re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3}|上上个?|上个?|这个?|本)月份?")),
          ("quarter", re.compile(r"(?:[上这本]个?|第?[一二三四1-4])季度|q[1-4]")), ("half", re.compile(r"[上下]半年")))


def _span(said: str) -> str | None:
    """What stretch a day said names (10月, 上个月: month; 三季度: quarter; 上半年: half), None for a day or a year."""
    return next((name for name, pattern in _SPANS if pattern.fullmatch(said.strip())), None)


def split_by_day(clause: Clause, found: list[Group], masked: str, text: str) -> list[Group]:
    """A group counted several times, each amount right after a day or period of its own (心得交流10月2次
    11月1次; 心得10月1次、11月1次): one group per day, each starting at its amount, the later ones each
    one more of the kind."""
    days = {t.end: t for t in clause.tokens if isinstance(t, DateMark) and t.on}
    result = []
    for group in found:
        result.append(group)
        exact = sorted((q for q in group.quantities if not q.vague and q.start > group.start
                        and not _TOTAL.search(masked, max(0, q.start - 3), q.start)), key=lambda q: q.start)
        dated = [days.get(end_before(masked, q.start)) for q in exact]
        if len(exact) < 2 or not all(dated) or len({d.on for d in dated}) < len(dated):
            continue
        spans = {_span(text[d.start:d.end]) for d in dated}
        if len(spans) != 1 or None in spans:
            continue  # 读书今年12本 上个月3本, 10月份2次 其中10月15日1次: a total and a part
        group.quantities = [q for q in group.quantities if q not in exact[1:]]
        group.start = exact[0].start  # on the day said before its first amount
        result += [Group(group.kind, q.start, q.end, group.level, [q], again=True) for q in exact[1:]]
    return result


_PEOPLE = re.compile(r"\s*(?:新来的|新|年轻)?(?:学员|徒弟|同事|新员工|员工|同志|党员|职工|小伙伴|客户|大学生|青年)")
_LIST_UNITS = ("项", "个", "件", "样", "条", "类")


def _elsewhere(quantity: Quantity, clause: Clause, masked: str) -> bool:
    """The amount ends a space-separated part of its own that names no kind but something else done
    (线路跳闸3次了 难题一堆): it counts that, not a kind."""
    if any(isinstance(t, Mention) and t.start < quantity.start for t in clause.tokens):
        return False  # 党课 参加3次了: the kind was named before
    if masked.startswith(":", end_before(masked, quantity.end) + (masked[quantity.end:quantity.end + 1] == " ")) and (
            quantity.unit in _LIST_UNITS):
        return True  # 提醒的两项：读书已完成《大江大河》: how many the list holds (not 8学时：消防安全培训)
    start = max(masked.rfind(" ", clause.start, quantity.start), masked.rfind("\n", clause.start, quantity.start),
                clause.start - 1) + 1
    end = quantity.end + masked.startswith("了", quantity.end)
    return (end > quantity.end and (end == clause.end or masked[end:end + 1].isspace())
            and "\0" not in masked[start:quantity.start] and any(c.isalnum() for c in masked[start:quantity.start]))


def carry(orphans: list, group: Group, again: bool, unit: str, bare: bool = True) -> list[Group]:
    """`读书，2本` / `读了2本书，分别是《红岩》和《活着》` / `参加了两天培训，共16学时`: a clause of only
    quantities or titles completes the group before it (with no amount in the kind's `unit` yet);
    one that adds more (昨天又参加了2学时) is a new group of its kind, returned. A clause saying more
    than its amount (not `bare`: 深度会谈，聊了一个多小时) gives no amount in a unit that does not fit."""
    added = []
    for token in orphans:
        if not bare and isinstance(token, Quantity) and token.unit and in_unit(1, token.unit, unit) is None:
            continue
        if isinstance(token, Title):
            group.titles.append(token.text)
        elif all(q.value is None or in_unit(q.value, q.unit, unit) is None for q in group.quantities):
            group.quantities.append(token)
        elif again and not added:
            added.append(Group(group.kind, token.start, token.end, group.level, [token], again=True))
    return added


_ADDED = re.compile(r"再|又|加|补")  # 学习成果再加一个: one more, named next
_IS = re.compile(r"\W*(?:也?就?是|即)")
_COUNTS_AS = re.compile(r"\W*(?:这|就|也)?(?:算(?:是|作|为)?|记(?:作|为))(?=[\d一两二三四五六七八九十]|\W*\w{0,2}\s*$)")  # …分享了，算一次心得交流


def name(found: list[Group], before: list[Group], text: str, clause: Clause) -> list[Group]:
    """`成果1项，微课《安全帽的正确佩戴》`: a clause whose only group gives titles and no amount to the
    kind the clause before counted without titles names what was counted: its titles join that
    group, and the clause adds nothing; so does one counting as many again, on no day of its own
    (学习成果再加一个，做了一份课件《…》); so does one saying what it was (成果都发布了，是一篇论文《…》),
    amount and all; so does one saying what the thing before counts as (把读后感分享了，算一次心得交流).
    Said again (又读了《活着》), it adds."""
    if len(found) != 1 or not before:
        return found
    group, last = found[0], before[-1]
    if _COUNTS_AS.match(text, clause.start) and group.kind == last.kind and not group.titles:
        last.quantities = last.quantities or group.quantities  # 把读后感分享了，算一次心得交流: that one
        return []
    identity = bool(_IS.match(text, clause.start))
    recount = (len(group.quantities) == len(last.quantities) == 1  # 学习成果一个，做了一份课件《…》
               and group.quantities[0].value == last.quantities[0].value == len(group.titles)
               and not any(isinstance(t, DateMark) for t in clause.tokens)
               and bool(_ADDED.search(text, last.start, clause.start)))
    if (group.kind == last.kind and group.titles and (identity or recount or not group.quantities) and not group.again
            and (identity or last.quantities) and not last.titles):
        last.titles += group.titles
        return []
    return found


def counted_back(reports: list, index: int) -> int:
    """The report clause before `index` that holds groups, past clauses with neither groups nor a day
    (读书 1 本，书名：《…》，…: their amounts or titles went to it); 0 at the first."""
    before = index - 1
    while before > 0 and not reports[before][1] and not any(isinstance(t, DateMark) for t in reports[before][0].tokens):
        before -= 1
    return max(before, 0)


def evident(group: Group) -> bool:
    """Whether the group carries something of its own: a quantity, a title or a level."""
    return bool(group.quantities or group.titles or group.level)


_BOTH = re.compile(r"\W*(\w+?(?:(?:和|、|与|以及)\w+?)+)[都全](?:已经?)?(?:考过|通过|过|拿下|完成)了")


def listed_count(text: str, clause: Clause) -> int:
    """`自考成绩出来了，电力系统分析和工程制图都过了`: a clause of only named things joined by 和/、 that
    all passed counts them (2) for the kind the clause before named without an amount; else 0."""
    match = None if clause.tokens else _BOTH.fullmatch(text, clause.start, clause.end)
    return len(re.split(r"和|、|与|以及", match.group(1))) if match else 0
