"""Reminder texts: concise Chinese, one message listing everything a member still owes."""
from __future__ import annotations

from datetime import date
from typing import Sequence

from models.periods import period_label, this_period_word
from models.rules import Rules


def example(rules: Rules, code: str) -> str:
    """What to send to report one of this kind: 读书一本 / 心得交流一次 / 解决难题一个."""
    rule = rules.kinds[code]
    word = rule.synonyms[0] if rule.synonyms else rule.name
    return f"{word}一{rule.unit}"


def reminder_text(rules: Rules, *, period: str, day: date, kinds: Sequence[str], name: str | None = None) -> str:
    """【学习提醒】…本月（2026年11月）您还未完成：读书、心得。完成后直接发送如「读书一本」即可登记。

    Without `name` the text is the same for everyone owing the same kinds, so WeCom can take
    up to 1000 recipients per call; with it, each member gets their own call.
    """
    owed = "、".join(rules.kinds[code].name for code in kinds)
    greeting = f"{name}同志，" if name else "同志您好，"
    return (f"【学习提醒】{greeting}{this_period_word(period)}（{period_label(period, day)}）"
            f"您还未完成：{owed}。完成后直接发送如「{example(rules, kinds[0])}」即可登记。")
