"""From the groups of the report clauses to items, each on its date; and the message's intent.

Pure; no I/O. Used by handlers.parser.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from datetime import date

from handlers import intent
from handlers.clauses import FILLER, is_bare
from handlers.dates import CURRENT_PERIOD, PERIOD, DateMark
from handlers.groups import Group, counted_back, evident
from handlers.numerals import Quantity, dimension, in_unit, occasions
from handlers.reading import Item, KindWords, Reading
from handlers.titles import Title
from handlers.tokens import Clause, Mention, mask

Entry = tuple[Item, bool, bool]  # the item, whether it is sure, whether it has an amount/title/level
# 上个月处理主变故障的心得: the date is the thing's; 上个月漏报的心得: the reporting is late, not the date
# matched before a date (…，时间是11月11日; not 截止时间：…, 报名时间：…)
_DATING = re.compile(r"\W*(?:已于|于|已经?在(?=\s*\d)|(?!\w{0,4}(?:截止|报名|下次|开始|计划|预计|提交|报送|申报))\w{0,4}(?:时间|日期)(?:为|是|:))")
# a clause saying when or where the thing before was done (上周六在分场会议室, 月初读的, 是上周四在车间讲的),
# not when a paper came or the report was made (上周刚领的, 今天才报)
_WHEN = re.compile(r"^\W*(?:是|就是)?\0+(?:在|于)|^\W*\w{0,3}\0+[^\0,。]{0,8}的(?:证书?)?\W*$")
_DONE_THEN = re.compile(r"(?:已经?)?(?:获得|取得|评审|验收|鉴定|审核|答辩)?(?:完成|授权|结题|发布|结业|获评|获奖|通过|办结)|的事儿?"
                        r"|^\W*(?:大概|大约|差不多|应该)是?")  # 大概是10月中旬
_ALL = re.compile(r"都|全|均")
_RECEIPT = re.compile(r"领|拿|到手|下来|发|收到|报|登记|录|补|送|写|考|布置|(?<!搞)定|约|出版|买|借")
_PAPER = re.compile(r"文件|证|通知|批复|公示|成绩")  # 评上了工程师职称，昨天文件下来的: the paper says when
_ATTRIBUTE = re.compile(r"(?![^,。\s]*(?:报|登记|录入|填))\w[^,。\s]*的")
# a verb of doing opening a kind word (交流心得, 解决难题): said of a past day, the thing was done
_ACTION = re.compile(r"交流|分享|解决|攻克|参加|参与|发表|发布|撰写|编写|取得|获得|考取|通过")
_DID = re.compile(f"(?:{_ACTION.pattern}|听)了|(?:拿|考|评)(?:到|上)?的")  # 上周三参加了党委的中心组学习, 前年拿的电工证:
# the date is the activity's


def _best_quantity(quantities: list[Quantity], unit: str, start: int, titles: int = 0) -> Quantity | None:
    """An exact quantity in a fitting unit if there is one (one said after the kind word, at
    `start`, before one said ahead of it: 我先报两个啊读书一本), else any fitting one (one with a
    value first: 读了几本书 大概三四本), else the first. With several titles, the count that matches
    them comes first (两本书读完了 一本《…》一本《…》). A mass amount (一点心得) says nothing of how many
    times something was done."""
    if occasions(unit):
        quantities = [q for q in quantities if q.unit != "点"]
    fitting = [q for q in quantities if q.value is None or in_unit(q.value, q.unit, unit) is not None]
    exact = sorted((q for q in fitting if q.value is not None and not q.vague),
                   key=lambda q: (titles < 2 or in_unit(q.value, q.unit, unit) != titles, q.start < start))
    return (exact or sorted(fitting, key=lambda q: q.value is None) or quantities or [None])[0]


def _items(group: Group, kind: KindWords, on: date, sure: bool) -> list[Entry]:
    """The items a group stands for, each with whether it can be recorded without asking.

    Unsure: a vague amount (guess: its lower bound, or 1); a unit contradicting the kind's
    (guess 1); no hours for an hour-measured kind; a fraction of a counted thing; no level for
    a kind with levels; more titles than the count given. Counted kinds give one item per title.
    """
    q = _best_quantity(group.quantities, kind.unit, group.start, len(group.titles))
    value = in_unit(q.value, q.unit, kind.unit) if q and q.value is not None else None
    sure = sure and (q is None or (value is not None and not q.vague))
    if q is None and dimension(kind.unit) == "hour":
        sure = False
    value = 1.0 if value is None else value
    if dimension(kind.unit) == "count" and value != int(value):  # 读书一本半: propose the whole one
        sure, value = False, float(max(1, int(value)))
    if kind.levels and not group.level:
        sure = False
    has = evident(group)
    if not group.titles or dimension(kind.unit) not in (None, "count"):
        title = "、".join(group.titles) or None
        return [(Item(kind.code, value, title, group.level, on), sure, has)]
    items = [Item(kind.code, 1.0, title, group.level, on) for title in group.titles]
    if q and q.value is not None and value < len(items):
        sure = False
    elif q and q.value is not None and value > len(items):
        items.append(Item(kind.code, value - len(items), None, group.level, on))
    return [(item, sure, has) for item in items]


def _date_of(text: str, group: Group, said: list[DateMark], carried: DateMark | None,
             found: list[Group]) -> DateMark | None:
    """The date said last before the group in its clause; else one said after it with no group
    after it (党课昨天参加了); else the last one of the clauses before. A date inside a phrase
    describing the thing (上个月处理…的心得) yields to another date said for the activity; one
    followed by a verb of doing (上周三参加了党委的中心组学习) is the activity's; the current period
    (今年, 本月) yields to a day said after the group."""
    before = bisect_left([d.start for d in said], group.start)
    later = said[before] if before < len(said) and not any(g.start > said[before].start for g in found) else None
    own = said[before - 1] if before else None
    if (own and _ATTRIBUTE.fullmatch(text, own.end, group.start)
            and not _DID.search(text, own.end, group.start)):
        own = later or (said[before - 2] if before > 1 else None) or own
    if (own and later and CURRENT_PERIOD.fullmatch(text, own.start, own.end)
            and " " not in text[group.end:later.start]):
        own = later  # 今年第二项发明专利上周授权了: the day said after narrows the period said before
    if own and PERIOD.search(text, own.start, own.end):
        day = (later if later and later.start < group.end  # 上半年的培训：6月10日参加…培训
               else carried if carried and carried.start > group.end
               and _DATING.search(text, max(0, carried.start - 4), carried.start) else None)  # …，时间是11月11日
        if (day and day.on and own.on and not PERIOD.search(text, day.start, day.end) and day.on <= own.on
                and day.on.year == own.on.year):
            own = day  # 补录上半年的培训：6月10日参加…; 本月培训：…，时间是11月11日: the day in that period
    return own or later or carried


def _own_day(clause: Clause, today: date, until: int = 0) -> bool:
    """The clause names a day of its own before today (`until` 1: or today)."""
    return any(isinstance(t, DateMark) and t.on and (t.on - today).days < until for t in clause.tokens)


def dated_log(clauses: list[Clause], today: date) -> bool:
    """Three or more report clauses each name a day of their own, two of them past (11月2日 读书…
    11月9日 心得交流…, 前天听党课，昨天读书1本，今天交流心得): a log of what was done, day by day."""
    return (sum(_own_day(c, today, 1) for c in clauses) >= 3
            and sum(_own_day(c, today) for c in clauses) >= 2)


def _done_on_day(text: str, clause: Clause, today: date, log: bool) -> bool:
    """A bare clause that still says something was done: an entry of a dated log, or a verb of doing
    said of a past day (上周二交流心得; 昨天读书 stays a bare kind word)."""
    return (log and _own_day(clause, today, 1)) or (_own_day(clause, today) and any(
        isinstance(t, Mention) and _ACTION.match(text, t.start) for t in clause.tokens))


def _title_days(entries: list[Entry], group: Group, marks: list, today: date) -> list[Entry]:
    """Titles listed each after a day of its own (读书：11月3日《三体》、11月17日《球状闪电》; 7月12日《红岩》，
    8月9日《长征》) are read on that day: the last day said after the group began and before the title."""
    days = [t for t in marks if isinstance(t, DateMark) and t.start >= group.start and t.on and not t.rough
            and t.on <= today]
    if not days:
        return entries
    at = {t.text: t.start for t in marks if isinstance(t, Title)}
    dated = []
    for item, sure, has in entries:
        day = max((d for d in days if item.title in at and d.end <= at[item.title]), key=lambda d: d.start,
                  default=None)
        dated.append((replace(item, occurred_on=day.on) if day else item, sure, has))
    return dated


def clause_items(text: str, clause: Clause, found: list[Group], carried: DateMark | None,
                 kinds: tuple[KindWords, ...], today: date, log: bool = False,
                 marks: tuple = ()) -> list[Entry]:
    """Items of one report clause; all unsure when the clause hedges (大概, 左右, 或), names an
    impossible date, or holds nothing but kind words (书, 今天读书, 读书和交流心得) and says
    nothing was done on a past day (`_done_on_day`). A mention with nothing of its own dated
    after today is a plan (心得明天班会上交流): no item."""
    bare = (not any(evident(g) or g.again for g in found) and is_bare(text, clause)
            and not _done_on_day(text, clause, today, log))
    sure = not bare and not intent.hedged(text, clause)
    said = sorted((t for t in clause.tokens if isinstance(t, DateMark)), key=lambda d: d.start)
    entries = []
    for group in found:
        mark = _date_of(text, group, said, carried, found)
        on = mark.on if mark and mark.on else today
        if on > today and not evident(group):
            continue
        firm = sure and (mark is None or (mark.on is not None and not mark.rough)) and not _tacked_on(
            text, clause, group, found)
        entries += _title_days(_items(group, kinds[group.kind], on, firm), group, marks, today)
    return entries


def _tacked_on(text: str, clause: Clause, group: Group, found: list[Group]) -> bool:
    """A bare kind word set apart by a space after another item, with nothing around it (交流心得一次
    党课): as vague as the kind word alone. Run on (交流心得一次党课) or joined (读书一本和交流心得), the
    verb and amount of the list cover it."""
    if group is found[0] or evident(group) or group.again or _ACTION.match(text, group.start):
        return False  # 读书一本 交流心得: a verb of its own
    rest = mask(text, clause.tokens, clause.start, clause.end)
    before = max((t.end for t in clause.tokens if t.end <= group.start), default=clause.start)
    gap = rest[before - clause.start:group.start - clause.start]
    return " " in gap and not FILLER.sub("", gap + rest[group.end - clause.start:])


def carried_dates(text: str, reports: list[tuple[Clause, list[Group]]]) -> list[DateMark | None]:
    """For each report clause, the last date said before it (a date covers what follows it); a
    clause holding only a date (读书一本，10月的) dates the clause before it (with 都, every clause back
    to the last that said a day: 解决难题两个，深度会谈一次，都是上季度的), unless a word like 对了 or
    然后 turns to something new before it; one opening with 已于/时间为 and a date (…，已于上周五在部门分享)
    dates the last clause before it that names a kind. So does a clause that reports nothing of its
    own and says when or where with no other amount or title (我去听了党课，上周六在分场会议室; 月初读的;
    是上周四在车间讲的), when that clause said no day of its own."""
    result, last = [], None
    named = None  # the last clause before this one that names a kind
    for index, (clause, found) in enumerate(reports):
        said = [t for t in clause.tokens if isinstance(t, DateMark)]
        if (index and said and not found and all(isinstance(t, DateMark) or (isinstance(t, Quantity) and t.unit)
                                                 for t in clause.tokens)
                and _bare_day(text, clause) and not clause.after and not _dates_next(text, clause, reports[index + 1:])
                and not _opens_line(text, clause)):
            target = counted_back(reports, index)  # …，8学时，11月10日: the clause the amount went to
            result[target] = said[-1]
            if _ALL.search(text, clause.start, clause.end) or (index == len(reports) - 1 and _last_words(text, clause)):
                _date_back(result, reports, target, said[-1])  # 解决难题两个，深度会谈一次，都是上季度的
        elif said and len(said) == len(clause.tokens) and _DATING.match(text, clause.start):
            if named is not None:  # 深度会谈一次，对象为…，时间为上周三: the day of the thing said before
                result[named] = said[0]
        elif (said and named is not None and not found and not clause.after
              and all(isinstance(t, (DateMark, Mention)) for t in clause.tokens)
              and _WHEN.search(mask(text, clause.tokens, clause.start, clause.end))
              and (not _RECEIPT.search(text, clause.start, clause.end) or _PAPER.search(text, clause.start, clause.end))
              and not CURRENT_PERIOD.fullmatch(text, said[-1].start, said[-1].end)
              and not any(isinstance(t, DateMark) for t in reports[named][0].tokens)):
            result[named] = said[-1]
            if _ALL.search(text, clause.start, clause.end):
                _date_back(result, reports, named, said[-1])  # 培训6学时，党课1次，都是昨天白班后参加的
        result.append(last)
        last = max(said, key=lambda d: d.start, default=last)
        if any(isinstance(t, Mention) for t in clause.tokens):
            named = index
    return result


def _date_back(result: list, reports: list[tuple[Clause, list[Group]]], first: int, day: DateMark) -> None:
    """Date the clauses before `first` with `day`, back to the last one that said a day of its own (all since
    the last day said)."""
    for before in range(first - 1, -1, -1):
        if any(isinstance(t, DateMark) for t in reports[before + 1][0].tokens + reports[before][0].tokens):
            break
        result[before] = day


def _last_words(text: str, clause: Clause) -> bool:
    """The clause ends the message on the line of what it follows (发表论文一篇，合理化建议采纳一条，上季度的):
    it dates the whole list."""
    return not text[clause.end:].strip(" ,;。!~") and "\n" not in text[:clause.start]


def _opens_line(text: str, clause: Clause) -> bool:
    """The clause opens a line that goes on after it (10月9日，参加支部党课1次): it dates what follows."""
    line_end = text.find("\n", clause.end)
    return not text[text.rfind("\n", 0, clause.start) + 1:clause.start].strip() and bool(
        text[clause.end:len(text) if line_end < 0 else line_end].strip(" ,;。"))


def _bare_day(text: str, clause: Clause) -> bool:
    """Nothing in the clause but dates, amounts, filler and a word saying the thing was done then
    (11月6日完成, 10月15日授权)."""
    rest = mask(text, clause.tokens, clause.start, clause.end)
    return not FILLER.sub("", _DONE_THEN.sub("", rest))


def _dates_next(text: str, clause: Clause, after: list[tuple[Clause, list[Group]]]) -> bool:
    """The next clause was cut from this one at 还 (11月上旬还交流过一次心得): the day is its, or a
    heading (本季度：) stands above the items that follow."""
    return intent.heading(text, clause) or bool(after and after[0][0].after == "还"
                                                 and not text[clause.end:after[0][0].start].strip("还 "))


def conclude(entries: list[Entry], negated: dict[str, set[date | None]], asked: bool, eligible: bool,
             topic: str | None) -> Reading:
    """The message's intent from its clauses.

    A kind the member says was not done (on the day said then, or with no day said) drops its
    mentions that have nothing of their own and makes a firm report of it unsure; said of another
    day (上个月交流心得1次，这个月心得还没交流) it leaves them. A question whether something counts
    (能报吗) is a question; another question next to a firm report is unsure (ask before recording);
    otherwise a question wins. Then report (all sure) or unsure, then negation, else chatter.
    """
    def denied(item: Item) -> bool:
        days = negated.get(item.kind, ())
        return None in days or item.occurred_on in days

    kept = [(item, sure and not denied(item)) for item, sure, has in entries if has or not denied(item)]
    items = tuple(item for item, _ in kept)
    if asked:
        firm = any(sure for _, sure in kept) and not eligible
        return Reading("unsure", items) if firm else Reading("question", topic=topic)
    if kept:
        return Reading("report" if all(sure for _, sure in kept) else "unsure", items)
    return Reading("negation") if negated else Reading("chatter")
