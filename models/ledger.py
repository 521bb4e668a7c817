"""Scoring and recording point entries under the organisation's rules."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from models import queries
from models.periods import period_bounds, period_label, this_period_word
from models.rules import KindRule, Rules
from models.tables import Entry, Member

MAX_QUANTITY = 100


@dataclass(frozen=True)
class Claim:
    """What a member says they did (from the parser), before scoring."""

    kind: str
    quantity: float
    occurred_on: date
    title: str | None = None
    level: str | None = None


@dataclass
class Outcome:
    """The result of one claim: the stored entry, or the reason it was refused."""

    claim: Claim
    rule: KindRule
    entry: Entry | None = None
    refused: str | None = None
    notes: list[str] = field(default_factory=list)


def _refusal(claim: Claim, rule: KindRule, rules: Rules, today: date) -> str | None:
    if claim.occurred_on > today:
        return f"{claim.occurred_on:%Y-%m-%d} 还没到，不能提前登记"
    if not 0 < claim.quantity <= MAX_QUANTITY:
        return f"数量 {claim.quantity:g} 不合常理，请核实后重新发送"
    if rule.levels and claim.level not in rule.levels:
        return f"请注明层次（{'/'.join(rule.levels)}），如「取得本科学历」"
    period = rule.required_period or rule.cap_period
    _, end = period_bounds(period, claim.occurred_on)
    if end < today and today > end + timedelta(days=rules.grace_days):
        return (f"{period_label(period, claim.occurred_on)}已结束，补报期（结束后 {rules.grace_days} 天内）"
                f"已过，不能再登记")
    return None


def _score(session: Session, member: Member, claim: Claim, rule: KindRule, notes: list[str]) -> tuple[float, bool]:
    """Points for the claim after duplicate and cap checks, and whether it is a duplicate."""
    start, end = period_bounds(rule.cap_period, claim.occurred_on)
    used_qty, used_pts, seen = queries.usage(
        session, member_id=member.id, kind=rule.code, start=start, end=end,
        title=claim.title if rule.titled else None, title_span=period_bounds("year", claim.occurred_on))
    if seen:
        notes.append(f"《{claim.title}》今年已登记过，不重复计分")
        return 0.0, True
    quantity = claim.quantity
    word = this_period_word(rule.cap_period).removeprefix("本")
    if rule.cap is not None and used_qty + quantity > rule.cap:
        counted = max(0.0, rule.cap - used_qty)
        notes.append(f"每{word}最多计 {rule.cap:g} {rule.unit}，{quantity - counted:g} {rule.unit}不计分")
        quantity = counted
    points = rule.base_points(quantity, claim.level)
    if rule.cap_points is not None and used_pts + points > rule.cap_points:
        points = max(0.0, rule.cap_points - used_pts)
        notes.append(f"每{word}最多计 {rule.cap_points:g} 分，超出部分不计分")
    return points, False


def _snapshot(rule: KindRule) -> str:
    return json.dumps({
        "points": rule.points, "levels": dict(rule.levels), "cap": rule.cap,
        "cap_points": rule.cap_points, "cap_period": rule.cap_period, "approval": rule.approval,
    }, ensure_ascii=False, sort_keys=True)


def record(session: Session, *, member: Member, claims: list[Claim], rules: Rules, today: date,
           source_text: str, inbound_id: int | None) -> list[Outcome]:
    """Score and store each claim; refused claims store nothing and say why."""
    outcomes = []
    for claim in claims:
        rule = rules.kinds[claim.kind]
        outcome = Outcome(claim=claim, rule=rule, refused=_refusal(claim, rule, rules, today))
        outcomes.append(outcome)
        if outcome.refused:
            continue
        points, duplicate = _score(session, member, claim, rule, outcome.notes)
        outcome.entry = Entry(
            member_id=member.id, kind=rule.code, quantity=claim.quantity, points=points,
            title=claim.title, level=claim.level, occurred_on=claim.occurred_on,
            status="pending" if rule.approval else "recorded", duplicate=duplicate,
            note="；".join(outcome.notes) or None, rule=_snapshot(rule),
            source_text=source_text, inbound_id=inbound_id,
        )
        queries.insert_row(session, outcome.entry)
    return outcomes


def progress(session: Session, *, member_id: int, rules: Rules, today: date,
             with_total: bool = True) -> tuple[list[tuple[KindRule, bool]], float | None]:
    """Each 五个一 kind with whether it is done in its current period, and (`with_total`) the
    member's counted points for the calendar year of `today`: one query."""
    kinds = rules.five_ones()
    spans = {k.code: period_bounds(k.required_period, today) for k in kinds}
    done, total = queries.progress(session, member_id=member_id, spans=spans,
                                   year=period_bounds("year", today) if with_total else None)
    return [(k, k.code in done) for k in kinds], total


def year_total(session: Session, *, member_id: int, today: date) -> float:
    """The member's counted points for the calendar year of `today`."""
    return queries.progress(session, member_id=member_id, spans={}, year=period_bounds("year", today))[1]


def five_ones_status(session: Session, *, member_id: int, rules: Rules, today: date) -> list[tuple[KindRule, bool]]:
    """Each 五个一 kind with whether it is done in its current period."""
    return progress(session, member_id=member_id, rules=rules, today=today, with_total=False)[0]
