"""Members correcting themselves mid-message: `读书两本，不对，应该是三本` / `上周五会谈一次，更正，是上周四` /
`不是读书三本，是读书两本`.

The amount or date after a correction word replaces the last one of its sort said before it, and the
correction itself is dropped, so the parser reads the message as the member meant it
(`读书三本`). Dates and amounts are found as the parser finds them (handlers.scan). Pure; no I/O.
"""
from __future__ import annotations

import re
from datetime import date

from handlers.dates import DateMark
from handlers.numerals import Quantity, dimension
from handlers.scan import scan
from handlers.tokens import fold, standard

_WORDS = re.compile(r"不对|更正|纠正|订正|说错了|写错了|打错了|报错了")
_CORRECTION = re.compile(rf"(?:^|[,;。\s]+)(?:{_WORDS.pattern})[,;:\s]*(?:应该是|应是|应为|是)?\s*")
_END = re.compile(r"[,;。!?\n]|$")
_NUMBER = r"[\d一二三四五六七八九十两俩半]"
_NOT_BUT = re.compile(rf"不是(?=[^,;。\n]{{0,12}}?{_NUMBER})[^,;。\n]{{1,12}}?[,;]?\s*(?:而)?是(?=[^,;。\n]{{0,8}}?{_NUMBER})")
# 不是本科，取得的是大专学历 opening the message: what it is not, then what it is
_NOT_THEN = re.compile(r"^\W*不是(?![^,;。\n]*[我你他她们人])[^,;。\n]{1,6}[,;]\s*(?=[^,;。\n]{0,6}是)")
# 心得交流是两次不是一次: what it is, then what it is not
_BUT_NOT = re.compile(rf"(是\s*{_NUMBER}[^,;。\n\s]{{0,5}}?)\s*[,;]?\s*不是[^,;。\n]{{0,8}}?{_NUMBER}[^,;。\n]{{0,4}}?(?=[,;。\n]|$)")
# 刚才说错了，… / 刚才那条报错了，我重新报一下：… opening the message: what follows is the report as meant
_OPENING = re.compile(r"^\W*(?:书记\W*)?(?:不好意思\W*)?(?:刚才|刚刚|之前|上一条)(?:那条|报的|说的|[^,;。\n]{0,8}?)"
                      r"(?:说错了|写错了|打错了|报错了|有问题)[,;。!\s]*(?:我?重新报一下[,;:。\s]*)?")


def _same_sort(a, b) -> bool:
    if isinstance(a, DateMark) or isinstance(b, DateMark):
        return isinstance(a, DateMark) and isinstance(b, DateMark)
    return isinstance(a, Quantity) and isinstance(b, Quantity) and dimension(a.unit) == dimension(b.unit) and (
        a.unit == b.unit or dimension(a.unit) != "count")  # 心得1次，读书2本，不对，是3次: the 次


def rewrite(text: str, today: date) -> str | None:
    """The message with each correction applied, or None when it holds none that can be applied
    (a correction whose new value is not a lone amount or date, or has nothing before it to replace,
    is left as it is)."""
    text = standard(text)  # 不對，應該是: traditional characters too
    replaced = _NOT_THEN.sub("", _OPENING.sub("", _BUT_NOT.sub(r"\1", _NOT_BUT.sub("", text))))  # 不是读书三本，是读书两本: what it is
    changed, text = replaced != text, replaced
    if not _WORDS.search(text):  # most messages: no correction word, no work
        return text if changed else None
    for found in reversed(list(_CORRECTION.finditer(text))):
        said = [t for t in scan(fold(text), text, today) if isinstance(t, (DateMark, Quantity))]
        new = next((t for t in said if t.start == found.end()), None)
        end = _END.search(text, new.end).start() if new else 0
        if not new or text[new.end:end].strip("的了 "):
            continue
        old = next((t for t in reversed(said) if t.end <= found.start() and _same_sort(t, new)), None)
        if old is None:
            continue
        text = text[:old.start] + text[new.start:new.end] + text[old.end:found.start()] + text[end:]
        changed = True
    return text if changed else None
