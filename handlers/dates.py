"""Date words in chat reports, resolved against today: 昨天, 上周, 上个月, 3月15日, 2026-03-15 ...

Pure helpers for handlers.parser; text is NFKC-normalised. A period word (上个月, 去年, 上季度)
resolves to the last day of that period; a date that would lie after today without a year
(12月5日 in November) means last year's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.numerals import to_number

_N = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"


@dataclass(frozen=True)
class DateMark:
    """A date phrase found at [start, end); on is None when it names no real day (2月30日); rough
    when it names a stretch of days (11月上旬, 国庆期间): its last day, to be confirmed."""
    start: int
    end: int
    on: date | None
    rough: bool = False


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _last_month(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def _last_quarter(today: date) -> date:
    return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1) - timedelta(days=1)


def _quarter(today: date, found: re.Match) -> date:
    """第三季度, Q3 -> the last day of that quarter (this quarter: today; a later one: last year's)."""
    quarter = _num(found[1] or found[2])
    if quarter == (today.month - 1) // 3 + 1:
        return today
    end = _month_end(today.year, 3 * quarter)
    return _month_end(today.year - 1, 3 * quarter) if end > today else end


def _next_month(today: date) -> date:
    return _month_end(today.year, today.month) + timedelta(days=1)


def _days(n: int):
    return lambda today: today + timedelta(days=n)


RELATIVE = {
    **dict.fromkeys(("今天", "今日", "今儿个", "今儿", "当天", "本周", "这周", "这星期", "这个星期", "本月份",
                     "本月", "这个月", "这月", "当月", "今年", "本年度", "今年度", "本季度", "这个季度", "这季度",
                     "本半年度", "本半年", "这半年",
                     "前几天", "这几天", "前两天", "这两天"), _days(0)),
    **dict.fromkeys(("昨天", "昨日", "昨儿个", "昨儿", "昨晚"), _days(-1)),
    **dict.fromkeys(("次日", "第二天", "翌日"), _days(0)),  # the day after a day said before: see handlers.scan
    **dict.fromkeys(("前天", "前儿个", "前儿"), _days(-2)), **dict.fromkeys(("大前天", "大前儿个", "大前儿"), _days(-3)),
    **dict.fromkeys(("明天", "明日", "明儿", "明儿个", "赶明儿"), _days(1)), "后天": _days(2),
    **dict.fromkeys(("上周", "上星期", "上个星期", "上礼拜", "上个礼拜"), _days(-7)),
    **dict.fromkeys(("下周", "下星期", "下个星期", "下礼拜", "下个礼拜"), _days(7)), "下个月": _next_month, "下月": _next_month,
    "明年": lambda t: date(t.year + 1, 1, 1),
    **dict.fromkeys(("上个月", "上月", "上个月底", "上月底", "上个月末", "上月末"), _last_month),
    **dict.fromkeys(("上上个月", "上上月"), lambda t: _last_month(_last_month(t))),
    "去年": lambda t: date(t.year - 1, 12, 31), "前年": lambda t: date(t.year - 2, 12, 31),
    "上季度": _last_quarter, "上个季度": _last_quarter,
    "上半年": lambda t: date(t.year, 6, 30) if t.month > 6 else t,
    "下半年": lambda t: t if t.month > 6 else date(t.year, 7, 1),
}
CURRENT_PERIOD = re.compile(r"今年|本年度?|今年度|本月|这个?月|本季度?|这个?季度|本周|这周")  # no day of its own
PERIOD = re.compile(r"(?:月|季度?|年|年度|q[1-4]|上半年|下半年)(?:份|底|末)?$")  # a period, not a day
_BEFORE_WHAT = "跟眼年节面门窗床炕头"
SAME_DAY = ("当天", "当日")  # the day said before (11月18日参加培训…当天晚上读完): see handlers.scan
NEXT_DAY = ("次日", "第二天", "翌日")  # the day after the day said before
_RELATIVE_WORDS: dict[str, list[str]] = {}  # first character -> words, longest first
for _word in sorted(RELATIVE, key=len, reverse=True):
    _RELATIVE_WORDS.setdefault(_word[0], []).append(_word)
del _word


def _on(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(today: date, month: int, day: int) -> date | None:
    on = _on(today.year, month, day)
    return _on(today.year - 1, month, day) if on and on > today else on


def _month(today: date, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    if month == today.month:
        return today
    end = _month_end(today.year, month)
    return _month_end(today.year - 1, month) if end > today else end


def _day(today: date, day: int) -> date | None:
    on = _on(today.year, today.month, day)
    if on and on > today:
        last = _last_month(today)
        return _on(last.year, last.month, day)
    return on


def _weekday(today: date, prefix: str, name: str) -> date:
    index = 6 if name in "日天7" else ("一二三四五六".find(name) if not name.isdigit() else int(name) - 1)
    on = today - timedelta(days=today.weekday()) + timedelta(days=index)
    if prefix == "下":
        return on + timedelta(days=7)
    return on - timedelta(days=7) if prefix == "上" or (not prefix and on > today) else on


def _num(word: str) -> int:
    return int(to_number(word) or 0)


_YEARS = {"今年": 0, "去年": 1, "前年": 2}


def _in_year(today: date, word: str) -> int:
    return today.year - _YEARS[word]


def _year_month(today: date, found: re.Match) -> date | None:
    """去年10月 -> the last day of that month; this month -> today."""
    year, month = _in_year(today, found[1]), _num(found[2])
    if not 1 <= month <= 12:
        return None
    return today if (year, month) == (today.year, today.month) else _month_end(year, month)


def _in_month(today: date, found: re.Match) -> date | None:
    """上个月15号 -> that day of last month; 这个月3号 -> of this month."""
    month = _last_month(today) if found[1].startswith("上") else today
    month = _last_month(month) if found[1].startswith("上上") else month
    return _on(month.year, month.month, _num(found[2]))


def _ten_days(today: date, found: re.Match) -> date | None:
    """11月上旬 -> 11-10, 中旬 -> 11-20, 下旬 -> the month's last day (this month without one)."""
    month = _num(found[1]) if found[1] else today.month
    if not 1 <= month <= 12:
        return None
    end = _month_end(today.year, month) if found[2] == "下" else _on(today.year, month, 10 if found[2] == "上" else 20)
    return end.replace(year=end.year - 1) if end > today and month != today.month else min(end, today)


def _holiday(today: date, month: int, day: int) -> date:
    """The last one of a yearly day (国庆 -> 10-07) up to today."""
    on = date(today.year, month, day)
    return on if on <= today else date(today.year - 1, month, day)


def _last_weekend(today: date) -> date:
    """上周末 -> the Sunday of the week before."""
    return today - timedelta(days=today.weekday() + 1)


# stretches of days, resolved to their last day and marked rough (to be confirmed)
_ROUGH = [
    (re.compile(r"(?:" + _N + r"\s*月份?)?的?([上中下])旬"), _ten_days),
    (re.compile(_N + r"\s*月份?的?最后一(?:周|个?星期)"), lambda t, m: _month(t, _num(m[1]))),
    (re.compile(r"(上个?|本|这个?)?月初(?![步心衷]|以来|至今|到现在)"),
     lambda t, m: (_last_month(t) if m[1] and m[1][0] == "上" else t).replace(day=1)),
    (re.compile(r"国庆(?:节)?(?:期间|假期|长假|那几天)"), lambda t, m: _holiday(t, 10, 7)),
    (re.compile(r"元旦(?:前|之前)"), lambda t, m: t if t.month == 12 else date(t.year - 1, 12, 31)),
]
# (pattern, resolver(today, match) -> date | None), tried in order at a position
_PATTERNS = [
    (re.compile(r"上个?周末"), lambda t, m: _last_weekend(t)),
    (re.compile(r"(今年|去年|前年)\s*" + _N + r"\s*月\s*" + _N + r"\s*[日号]"),
     lambda t, m: _on(_in_year(t, m[1]), _num(m[2]), _num(m[3]))),
    (re.compile(r"(今年|去年|前年)\s*" + _N + r"\s*月份?"), _year_month),
    (re.compile(r"(今年|去年|前年)的?\s*([上下])半年"),  # 去年下半年 -> 12-31 of last year
     lambda t, m: min(t, date(_in_year(t, m[1]), 6, 30) if m[2] == "上" else date(_in_year(t, m[1]), 12, 31))),
    (re.compile(r"(今年|去年|前年)的?\s*(?:第?([一二三四1-4])\s*季度|q([1-4])(?!\d))"),  # 去年四季度, 去年Q4
     lambda t, m: min(t, _month_end(_in_year(t, m[1]), 3 * _num(m[2] or m[3])))),
    (re.compile(r"(今年|去年|前年)的?元旦(?:那天|当天|当日)?(?![前之后以假期])"), lambda t, m: _on(_in_year(t, m[1]), 1, 1)),
    (re.compile(r"(?<!年)元旦(?:那天|当天|当日)?(?![前之后以假期])"), lambda t, m: _holiday(t, 1, 1)),
    (re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"),
     lambda t, m: _on(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(\d{4})\s*年\s*" + _N + r"\s*月份?"),
     lambda t, m: (t if (int(m[1]), _num(m[2])) == (t.year, t.month) else _month_end(int(m[1]), _num(m[2])))
     if 1 <= _num(m[2]) <= 12 else None),  # 2026年11月: this month so far
    (re.compile(r"(\d{4})\s*年"), lambda t, m: t if int(m[1]) == t.year else _on(int(m[1]), 12, 31)),
    (re.compile(_N + r"\s*月\s*" + _N + r"\s*[日号]"), lambda t, m: _month_day(t, _num(m[1]), _num(m[2]))),
    (re.compile(r"(上上个?|上个?|这个?|本)月\s*" + _N + r"\s*[日号]"), _in_month),
    (re.compile(r"(?<![a-z])(?<![a-z]\s)(1[0-2]|0?[1-9])[./-](3[01]|[12]\d|0?[1-9])(?![\d.a-z])(?!\s*(?:[学课小]时|钟头|分钟|h|[本次个项篇门科部回场堂节份批件条册套遍趟张期轮人名位岁天年月分元万%]))"),
     lambda t, m: _month_day(t, int(m[1]), int(m[2]))),  # 11.12 培训6学时 (not 2.5学时)
    (re.compile(r"(?<![\d/])(1[3-9]|2\d|3[01])/(1[0-2]|0?[1-9])(?![\d/])"),
     lambda t, m: _month_day(t, int(m[2]), int(m[1]))),  # 18/11: day/month, as in Hong Kong and Macau
    (re.compile(_N + r"\s*天前"), lambda t, m: t - timedelta(days=_num(m[1]))),
    (re.compile(_N + r"\s*月份?(?![日号])(?!\d(?![\d.]*\s*(?:[本次个项篇门部回场件条套遍]|[学课小]时|钟头|h(?![a-z]))))"
                r"(?:的?最后一天|底|末)?"), lambda t, m: _month(t, _num(m[1]))),  # 11月1本: November, one
    (re.compile(r"第?([一二三四1-4])\s*季度|q([1-4])(?!\d)"), _quarter),
    (re.compile(_N + r"\s*[日号](?![\d线楼车仓库站台门口院厂房位窗柜井罐炉塔桥舱厅泵道高机船泊箱柱区段堆桩变皮输转]|主变|主控)"),  # not 2号线, 5号仓, 3号高炉
     lambda t, m: _day(t, _num(m[1]))),
    (re.compile(r"(上|这|本|下)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])"
                r"(?!(?<=一)[直起样共定下些般边点致切向])"),  # 这周一直在…: 这周, not Monday
     lambda t, m: _weekday(t, m[1] or "", m[2])),
]
STARTS = frozenset("0123456789一二三四五六七八九十上这本周星礼第q中下月国元") | {w[0] for w in RELATIVE}  # first characters


def match_date(text: str, pos: int, today: date) -> DateMark | None:
    """The date phrase starting at pos, resolved against today, or None if there is none."""
    if text[pos] not in STARTS or (pos and (text[pos - 1].isdigit() or text[pos - 1] in "个第")
                                    and text[max(0, pos - 2):pos] not in ("那个", "这个")):
        return None  # 三个月, 第二天; but 我那个上个月…: a filler before the date
    for pattern, resolve in _ROUGH:
        found = pattern.match(text, pos)
        if found:
            return DateMark(pos, found.end(), resolve(today, found), rough=True)
    for pattern, resolve in _PATTERNS:
        found = pattern.match(text, pos)
        if found:
            return DateMark(pos, found.end(), resolve(today, found))
    word = next((w for w in _RELATIVE_WORDS.get(text[pos], ()) if text.startswith(w, pos)), None)
    if word and word.startswith("前儿") and pos and text[pos - 1] in _BEFORE_WHAT:
        return None  # 跟前儿, 眼前儿, 年前儿: before something, no day
    return DateMark(pos, pos + len(word), RELATIVE[word](today)) if word else None
