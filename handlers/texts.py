"""Reply fragments shared by handlers: quantities, 五个一 status, the year's total."""
from __future__ import annotations

from typing import Iterable, Sequence

from models import ledger
from models.periods import this_period_word
from models.rules import KindRule
from models.tables import Entry

MAX_REPLY_BYTES = 2048
HELP_POINTER = "发送「帮助」查看可用命令。"


def amount(rule: KindRule, quantity: float, title: str | None = None, level: str | None = None) -> str:
    """读书 1 本《红岩》 / 学历学位 本科 / 培训 8 学时."""
    text = f"{rule.name} {level}" if level else f"{rule.name} {quantity:g} {rule.unit}"
    return f"{text}《{title}》" if title else text


def with_points(text: str, points: float) -> str:
    """读书 1 本《红岩》+2 分 / 读书 2 本 +4 分."""
    return f"{text}{'' if text.endswith('》') else ' '}+{points:g} 分"


def entry_line(rule: KindRule, entry: Entry) -> str:
    """One entry for lists: #12 11-20 读书 1 本《红岩》 +2 分."""
    states = {"pending": "待审核", "rejected": "已驳回", "revoked": "已撤销"}
    what = amount(rule, entry.quantity, entry.title, entry.level)
    shown = f"{what} {states[entry.status]}" if entry.status in states else with_points(what, entry.points)
    return f"#{entry.id} {entry.occurred_on:%m-%d} {shown}"


def five_ones_line(status: Sequence[tuple[KindRule, bool]], periods: Iterable[str]) -> str:
    """本月五个一：读书 ✓ 心得 ✗ — for each named period, the 五个一 kinds due in it."""
    parts = []
    for period in dict.fromkeys(periods):
        marks = " ".join(f"{k.name} {'✓' if done else '✗'}" for k, done in status if k.required_period == period)
        if marks:
            parts.append(f"{this_period_word(period)}五个一：{marks}")
    return "；".join(parts)


def year_line(ctx, total: float | None = None) -> str:
    """本年积分 12 / 60."""
    if total is None:
        total = ledger.year_total(ctx.session, member_id=ctx.member.id, today=ctx.today)
    return f"本年积分 {total:g} / {ctx.rules.year_target:g}"


def status_line(ctx, periods: Iterable[str] = ("month",)) -> str:
    """本月五个一：读书 ✓ 心得 ✗。本年积分 12 / 60 — from one query."""
    status, total = ledger.progress(ctx.session, member_id=ctx.member.id, rules=ctx.rules, today=ctx.today)
    return "。".join(filter(None, [five_ones_line(status, periods), year_line(ctx, total)]))


def fit(text: str, limit: int = MAX_REPLY_BYTES, tail: str = "\n……（内容过长，已省略）") -> str:
    """Cut a reply to WeCom's byte limit on a line boundary, ending with `tail` when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(tail.encode("utf-8"))
    kept = []
    for line in text.split("\n"):
        if len("\n".join(kept + [line]).encode("utf-8")) > budget:
            break
        kept.append(line)
    if not kept:
        kept = [text.encode("utf-8")[:budget].decode("utf-8", "ignore")]
    return "\n".join(kept) + tail
