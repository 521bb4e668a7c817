"""Calendar periods (month, quarter, half-year, year) in the organisation's time zone."""
from __future__ import annotations

from datetime import date, timedelta

_MONTHS = {"month": 1, "quarter": 3, "halfyear": 6, "year": 12}
_THIS = {"month": "本月", "quarter": "本季度", "halfyear": "本半年", "year": "本年"}


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day (both inclusive) of the `period` that contains `day`."""
    size = _MONTHS[period]
    first_month = (day.month - 1) // size * size + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + size
    end = date(day.year + 1, 1, 1) if end_month > 12 else date(day.year, end_month, 1)
    return start, end - timedelta(days=1)


def period_key(period: str, day: date) -> str:
    """A stable key for the period containing `day`: 2026-11, 2026-Q4, 2026-H2, 2026."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "halfyear":
        return f"{day.year}-H{(day.month - 1) // 6 + 1}"
    return str(day.year)


def this_period_word(period: str) -> str:
    """本月 / 本季度 / 本半年 / 本年."""
    return _THIS[period]


def period_label(period: str, day: date) -> str:
    """Human label: 2026年11月, 2026年第4季度, 2026年下半年, 2026年."""
    if period == "month":
        return f"{day.year}年{day.month}月"
    if period == "quarter":
        return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
    if period == "halfyear":
        return f"{day.year}年{'上' if day.month <= 6 else '下'}半年"
    return f"{day.year}年"
