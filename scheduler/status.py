"""A branch's 五个一 and points status as of a day: shared by the monthly summary and chat.

`branch_status` / `branch_statuses` are set-based (three queries whatever the branch count;
two GROUP BY queries for counts only);
`summary_text` renders last month's summary a secretary receives on the 1st.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from models.outbox import among
from models.periods import period_bounds, period_label
from models.queries import counted
from models.rules import Rules
from models.tables import Branch, Entry, Member
from scheduler.recipients import done_pairs, not_on_leave

MAX_TEXT_BYTES = 2048


@dataclass
class KindStatus:
    """One 五个一 kind in a branch: how many of the active members did it, and who did not."""

    code: str
    name: str
    period: str
    label: str
    closed: bool
    done: int = 0
    owing: list[str] = field(default_factory=list)


@dataclass
class BranchStatus:
    """A branch as of `day`: active members (not on leave), 五个一 per kind, the month's points."""

    branch_id: int
    branch_name: str
    day: date
    members: int = 0
    kinds: list[KindStatus] = field(default_factory=list)
    month_points: float = 0.0

    @property
    def month_average(self) -> float:
        """The month's points per active member."""
        return self.month_points / self.members if self.members else 0.0


def branch_statuses(session: Session, *, rules: Rules, day: date,
                    branch_ids: Iterable[int] | None = None, detail: bool = True) -> dict[int, BranchStatus]:
    """Status of each branch (all, or `branch_ids`) for the periods containing `day`.

    A kind is `closed` when its period ends on `day` (a summary of a finished month shows
    the quarter too when the month closed it). With `detail=False` only the counts are
    filled in (members, done per kind), each grouped by branch in the database: no names
    of who owes and no month points, for views over every branch (全部支部).
    """
    kinds = rules.five_ones()
    spans = {k.code: period_bounds(k.required_period, day) for k in kinds}
    dialect = session.get_bind().dialect.name
    branches = select(Branch.id, Branch.name)
    if branch_ids is not None:
        branches = branches.where(among(Branch.id, branch_ids, dialect))
    result = {}
    for branch_id, name in session.execute(branches):
        result[branch_id] = BranchStatus(branch_id, name, day, kinds=[
            KindStatus(k.code, k.name, k.required_period, period_label(k.required_period, day),
                       closed=spans[k.code][1] == day) for k in kinds])
    if not result:
        return result
    in_branches = among(Member.branch_id, result, dialect)
    if not detail:
        _count_done(session, result, kinds, spans, in_branches, day)
        return result
    active = (select(Member.id, Member.name, Member.branch_id)
              .where(in_branches, not_on_leave(day)).order_by(Member.id))
    names = {}
    for member_id, name, branch_id in session.execute(active):
        names[member_id] = (name, branch_id)
        result[branch_id].members += 1
    done = defaultdict(set)
    if kinds:
        pairs = done_pairs(spans, members=select(Member.id).where(in_branches))
        for member_id, kind in session.execute(select(pairs.c.member_id, pairs.c.kind)):
            done[member_id].add(kind)
    for member_id, (name, branch_id) in names.items():
        for status in result[branch_id].kinds:
            if status.code in done[member_id]:
                status.done += 1
            else:
                status.owing.append(name)
    start, end = period_bounds("month", day)
    points = session.execute(
        select(Member.branch_id, func.coalesce(func.sum(Entry.points), 0))
        .join(Member, Member.id == Entry.member_id)
        .where(in_branches, not_on_leave(day), counted(Entry.status),
               Entry.occurred_on >= start, Entry.occurred_on <= end)
        .group_by(Member.branch_id))
    for branch_id, total in points:
        result[branch_id].month_points = float(total)
    return result


def _count_done(session: Session, result: dict[int, BranchStatus], kinds, spans, in_branches, day: date) -> None:
    """Fill members and done counts per branch with two GROUP BY queries."""
    members = session.execute(select(Member.branch_id, func.count())
                              .where(in_branches, not_on_leave(day)).group_by(Member.branch_id))
    for branch_id, count in members:
        result[branch_id].members = count
    if not kinds:
        return
    pairs = done_pairs(spans)
    counts = session.execute(
        select(Member.branch_id, pairs.c.kind, func.count())
        .select_from(pairs).join(Member, Member.id == pairs.c.member_id)
        .where(in_branches, not_on_leave(day))
        .group_by(Member.branch_id, pairs.c.kind))
    for branch_id, kind, count in counts:
        for status in result[branch_id].kinds:
            if status.code == kind:
                status.done = count


def branch_status(session: Session, *, branch_id: int, rules: Rules, day: date) -> BranchStatus:
    """One branch's status as of `day` (see `branch_statuses`)."""
    return branch_statuses(session, rules=rules, day=day, branch_ids=[branch_id])[branch_id]


def last_month_end(day: date) -> date:
    """The last day of the month before `day`'s month."""
    return day.replace(day=1) - timedelta(days=1)


def summary_text(status: BranchStatus) -> str:
    """The monthly summary a secretary receives, cut to WeCom's 2048 bytes."""
    month = period_label("month", status.day)
    shown = [k for k in status.kinds if k.period == "month" or k.closed]
    lines = [f"【支部月报】{status.branch_name} {month}",
             f"五个一完成：" + "，".join(
                 f"{k.name} {k.done}/{status.members} 人" + ("" if k.period == "month" else f"（{k.label}）")
                 for k in shown),
             f"积分：合计 {status.month_points:g} 分，人均 {status.month_average:.1f} 分"]
    owing = [k for k in shown if k.owing]
    if owing:
        lines.append("尚未完成：")
        lines += [f"· {k.name}：{'、'.join(k.owing)}" for k in owing]
    else:
        lines.append("全部完成，继续保持！")
    return fit("\n".join(lines))


def fit(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """Cut `text` to `limit` UTF-8 bytes at a name or line boundary, saying that it was cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    tail = "……（名单过长，已省略）"
    budget = limit - len(tail.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    cut = cut[:max(cut.rfind("、"), cut.rfind("\n"))] if ("、" in cut or "\n" in cut) else cut
    return cut + tail
