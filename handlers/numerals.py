"""Numerals and quantities as members type them: 一 两 十二 二十五 半 一个半 2 ２ 2.5, with a unit.

Pure helpers for handlers.parser. Text is expected NFKC-normalised (full-width digits already
half-width) and ASCII-lowercased.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
MULTIPLIERS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
TENS = {"廿": 20, "卅": 30}  # 廿个钟, 廿五: twenty, as written in Cantonese and on old forms
CN_NUMERAL = "".join(DIGITS) + "".join(MULTIPLIERS) + "".join(TENS) + "几"

# unit word -> dimension. "hour" units convert into each other, "minute" converts to hours,
# "count" units are interchangeable counts, "day" is a duration no hour count can be read from.
UNITS = {
    "学时": "hour", "小时": "hour", "课时": "hour", "钟头": "hour", "hours": "hour", "hour": "hour",
    "钟": "hour",  # 一个半钟 (Cantonese 个钟 = 小时)
    "学是": "hour", "学识": "hour",  # the usual pinyin typos of 学时
    "hrs": "hour", "hr": "hour", "h": "hour",
    "分钟": "minute", "min": "minute",
    "天": "day", "日": "day", "周": "day", "星期": "day", "个月": "day", "月": "day", "年": "day",
    **{u: "count" for u in "本次个项篇门科部回场堂节份批件条册套遍趟张期轮"},
}
_UNIT_WORDS = sorted(UNITS, key=len, reverse=True)
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_LONGEST = 12  # a longer run of digits or numerals is no count (an id, a phone number)
_CN_RUN = re.compile(f"[{CN_NUMERAL}]{{1,{_LONGEST + 1}}}")
_MINUTES = re.compile(r"\s*零?")  # 1小时30分钟, 1小时零5分
_RANGE_LINK = re.compile(r"\s*(?:-|~|到|至)\s*")
_UNIT_FIRST = re.compile(r"(学时|课时|小时)\s*[:：]?\s*")  # 学时24: the number after the unit word
_PAIR = re.compile(r"(?<![咱们我你他她])[俩仨](?!人)")  # 俩 = 两个, 仨 = 三个 (咱俩, 俩人: people)
_TIMES = re.compile(r"[×✕✖*]\s*|(?<![a-z0-9])x\s*(?=\d)")  # 心得交流×2: a count of times
STARTS = frozenset("0123456789半好若不很许大些点多会学课小老×✕✖*x" + CN_NUMERAL)  # first characters of quantities
_RATE = re.compile(r"每(?:天|日|晚|周|星期|次|节|堂|期)?\s*$")  # 每天8学时: a rate, not how much in all
_VAGUE = re.compile(r"好几|若干|不少|很多|许多|好多|蛮多|挺多|老多|老鼻子|大量|一些|一点儿?|一?会儿|不止|几|(?<=了)些|(?<=了)点儿?"
                    r"|多(?=[本次个项篇门部回场堂节份批件条])")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as found at [start, end); value None for a vague word like 一些."""
    start: int
    end: int
    value: float | None
    unit: str | None = None
    vague: bool = False  # a range (两三本), "多"/"余"/"几", or a vague word: not an exact count
    bare: bool = False   # an Arabic number with no unit (读书2)
    times: bool = False  # after a times sign (读书×2): counts what it follows


def chinese_number(word: str) -> float | None:
    """Value of a Chinese numeral such as 十二, 二十五, 一百零五, 两万; None if it is not one."""
    total = section = digit = 0
    seen = False
    for ch in word:
        if ch in DIGITS:
            digit, seen = DIGITS[ch], True
        elif ch == "万":
            total += (section + digit) * 10000
            section = digit = 0
        elif ch in TENS and not section and not digit:
            section, seen = TENS[ch], True
        elif ch in MULTIPLIERS:
            section += (digit or 1) * MULTIPLIERS[ch]
            digit, seen = 0, True
        else:
            return None
    return float(total + section + digit) if seen or total else None


def to_number(word: str) -> float | None:
    """Value of an Arabic or Chinese numeral word; None if it is neither."""
    return float(word) if _ARABIC.fullmatch(word) else chinese_number(word)


def _number_at(text: str, pos: int) -> tuple[int, float, bool] | None:
    """(end, value, vague) of the numeral starting at pos; a range like 两三 or 十几 is vague."""
    arabic = _ARABIC.match(text, pos)
    if arabic:
        return (arabic.end(), float(arabic.group()), False) if len(arabic.group()) <= _LONGEST else None
    run = _CN_RUN.match(text, pos)
    if not run or len(run.group()) > _LONGEST:
        return None
    end, word = run.end(), run.group()
    if "几" in word:
        base = chinese_number(word.replace("几", "")) if word != "几" else None
        return (end, base, True) if base else None
    # two plain digits side by side (两三, 三四) is a range: keep the lower bound
    for i, (a, b) in enumerate(zip(word, word[1:])):
        if a in DIGITS and b in DIGITS and DIGITS[a] and DIGITS[b]:
            return end, chinese_number(word[:i + 1]), True
    value = chinese_number(word)
    return (end, value, False) if value is not None else None


_SECONDARY = re.compile(r"二次(?=[\u4e00-\u9fff])(?!交流|会谈|党课|培训|学习|心得|谈|[了啦呢吧啊的])")


def _unit_at(text: str, pos: int) -> str | None:
    return next((u for u in _UNIT_WORDS if text.startswith(u, pos)), None)


def match_quantity(text: str, pos: int) -> Quantity | None:
    """The quantity starting at pos (一本, 2.5学时, 一个半小时, 两三本, 半天, 8, ×2), or None.

    A number followed by no unit is returned with bare=True only when it is Arabic; the caller
    decides whether such a bare number belongs to a kind word. So is `×2` (2 times, 次).
    """
    if pos and (text[pos - 1] == "第" or text[pos - 1].isdigit() or text[pos - 1] == "."
                or ("a" <= text[pos - 1] <= "z" and text[pos - 1] != "x" and text[pos].isdigit())):
        return None  # K3次列车, G102: a train or a code, no count
    if _SECONDARY.match(text, pos):
        return None  # 二次供水, 二次设备: secondary, no count (twice is 两次)
    times = _TIMES.match(text, pos)
    if times:
        found = match_quantity(text, times.end()) if times.end() < len(text) else None
        if found is None or found.value is None:
            return None
        return Quantity(pos, found.end, found.value, found.unit or "次", found.vague, bare=True, times=True)
    if text[pos] in "学课小":
        return _unit_first(text, pos)
    if text[pos] == "半":
        end, value, vague = pos + 1, 0.5, bool(_RATE.search(text, max(0, pos - 3), pos))
    else:
        found = _number_at(text, pos)
        if found is None:
            return None
        end, value, vague = found
        vague = vague or bool(_RATE.search(text, max(0, pos - 3), pos))
        link = _RANGE_LINK.match(text, end)
        if link and _number_at(text, link.end()):
            end, vague = _number_at(text, link.end())[0], True
    if text.startswith(("多", "余"), end) or (text.startswith("来", end) and value and value % 10 == 0):
        end, vague = end + 1, True  # 十多个, 十来个: about ten
    after_number = end
    while end < len(text) and text[end] == " ":
        end += 1
    if text.startswith("个半", end):
        end, value = end + 2, value + 0.5
    elif text.startswith("个", end) and _unit_at(text, end + 1) not in (None, "个"):
        end += 1
    elif text.startswith("个多", end) and _unit_at(text, end + 2) not in (None, "个"):  # 一个多小时
        end, vague = end + 2, True
    unit = _unit_at(text, end)
    if unit is None and _PAIR.fullmatch(text, pos, after_number):  # 解决了俩难题: 俩 is 两个
        return Quantity(pos, after_number, value, "个")
    if unit is None:
        arabic = text[pos].isdigit()
        return Quantity(pos, after_number, value, None, vague, bare=True) if arabic else None
    end += len(unit)
    extra = _number_at(text, _MINUTES.match(text, end).end()) if unit in ("小时", "钟头") else None
    if extra and extra[1] and text.startswith("分", extra[0]):
        end = extra[0] + (2 if text.startswith("分钟", extra[0]) else 1)  # 1小时30分钟
        value += extra[1] / 60
    if text.startswith("半", end):
        end, value = end + 1, value + 0.5
    if text.startswith("多", end):
        end, vague = end + 1, True
    return Quantity(pos, end, value, unit, vague)


def _unit_first(text: str, pos: int) -> Quantity | None:
    """`学时24`, `培训学时：4`, `学时12个`: an hour count written after its unit word (not before
    another unit)."""
    unit = _UNIT_FIRST.match(text, pos)
    found = _number_at(text, unit.end()) if unit else None
    if not found or found[1] is None or text[found[0]:found[0] + 1].isdigit():
        return None
    end = found[0] + 1 if text.startswith("个", found[0]) and not _unit_at(text, found[0] + 1) else found[0]
    if end == found[0] and _unit_at(text, end):
        return None
    return Quantity(pos, end, found[1], unit[1], found[2])


def match_vague(text: str, pos: int) -> Quantity | None:
    """A vague amount word (一些, 点, 好几, 很多, 多本 ...) at pos, as a Quantity without value."""
    found = _VAGUE.match(text, pos)
    if not found:
        return None
    mass = "点" in found.group()  # 一点心得: a little of something, never a count of it
    return Quantity(pos, found.end(), None, "点" if mass else None, vague=True)


def dimension(unit: str | None) -> str | None:
    """The dimension of a unit word ("hour", "minute", "count", "day"), None if unknown."""
    return UNITS.get(unit or "")


def occasions(unit: str | None) -> bool:
    """Whether the unit counts occasions (次, 回): a mass amount (一点心得) is no count of them."""
    return unit in ("次", "回", "场")


def in_unit(value: float, unit: str | None, kind_unit: str) -> float | None:
    """value (in `unit`) expressed in the kind's unit, or None when the units contradict.

    No unit on either side means no contradiction; minutes become hours for hour-measured kinds.
    """
    want, have = dimension(kind_unit), dimension(unit)
    if not want or not have or want == have:
        return value
    if want == "hour" and have == "minute":
        return value / 60
    return None
