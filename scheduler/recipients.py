"""Who still owes what: set-based queries over the whole roster (never one query per member)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from sqlalchemy import Date, String, and_, exists, literal, not_, or_, select, true, union_all
from sqlmodel import Session

from models.outbox import among
from models.periods import period_bounds
from models.queries import counted
from models.rules import KindRule, Rules
from models.tables import Entry, Member


@dataclass(frozen=True)
class Owing:
    """One member and the 五个一 kinds (codes, in config order) they still owe."""

    member_id: int
    userid: str
    name: str
    kinds: tuple[str, ...]


def due_kinds(rules: Rules, period: str) -> list[KindRule]:
    """The 五个一 kinds whose required period is `period`, in config order."""
    return [k for k in rules.five_ones() if k.required_period == period]


def not_on_leave(day: date):
    """SQL condition: the member is not on leave on `day`."""
    return or_(Member.leave_until.is_(None), Member.leave_until < day)


def done_pairs(spans: Mapping[str, tuple[date, date]], *, members=None):
    """Subquery of (member_id, kind) with at least one counted, non-duplicate entry in the kind's span.

    Every member: one SELECT DISTINCT per kind glued with UNION ALL, each an index range scan
    on exactly its kind and dates. Some members (`members`, a subquery of member ids, e.g.
    a branch's): each (member, kind) pair is probed with EXISTS on
    (member, kind, dates), which stops at the first entry found. Either way no entry outside
    the kinds' own spans is read, where one OR of all the kinds would read every entry of
    the members. (The spans are a materialised CTE: a scan of one keeps PostgreSQL from
    planning a parallel query, whose start-up costs more than these few index probes.)
    """
    if members is not None:
        rows = [select(literal(code, String).label("kind"), literal(start, Date).label("start"),
                       literal(end, Date).label("end")) for code, (start, end) in spans.items()]
        span = (rows[0] if len(rows) == 1 else union_all(*rows)).cte("span").prefix_with(
            "MATERIALIZED", dialect="postgresql")
        done = (select(Entry.id).where(
            Entry.member_id == Member.id, Entry.kind == span.c.kind, Entry.occurred_on >= span.c.start,
            Entry.occurred_on <= span.c.end, counted(Entry.status), Entry.duplicate.is_(False))
            .correlate(Member, span))
        return (select(Member.id.label("member_id"), span.c.kind.label("kind"))
                .select_from(Member).join(span, true())
                .where(Member.id.in_(members), exists(done))).subquery("done")
    parts = [select(Entry.member_id.label("member_id"), Entry.kind.label("kind")).distinct()
             .where(Entry.kind == code, Entry.occurred_on >= start, Entry.occurred_on <= end,
                    counted(Entry.status), Entry.duplicate.is_(False))
             for code, (start, end) in spans.items()]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("done")


def _done_flag(code: str, start: date, end: date, *, correlated: bool):
    """SQL flag: the member has a counted, non-duplicate entry of kind `code` between two dates."""
    found = (Entry.kind == code, Entry.occurred_on >= start, Entry.occurred_on <= end,
             counted(Entry.status), Entry.duplicate.is_(False))
    if correlated:  # a few members: one index probe each
        return exists().where(Entry.member_id == Member.id, *found)
    # every member: the set of members who did it, built once (PostgreSQL: a hashed subplan;
    # SQLite: an ephemeral index), then one lookup per member
    return Member.id.in_(select(Entry.member_id).where(*found))


def owing_members(session: Session, *, kinds: Iterable[KindRule], day: date,
                  userids: Iterable[str] | None = None) -> list[Owing]:
    """Members not on leave on `day` who miss at least one of `kinds` in its period containing `day`.

    One query over the members, one done-flag per kind (see `_done_flag`); linear in members
    and entries on both databases. `userids` narrows it to some members (the sender's re-check
    before sending, a secretary's 提醒), in member order. The whole roster comes grouped by
    what each member owes, then in member order: members owing the same kinds get the same
    reminder text, and rows written in this order let the sender fill its 1000-recipient
    calls from each claim of the outbox.
    """
    kinds = list(kinds)
    if not kinds:
        return []
    flags = [_done_flag(k.code, *period_bounds(k.required_period, day), correlated=userids is not None)
             .label(f"done_{i}") for i, k in enumerate(kinds)]
    members = select(Member.id, Member.userid, Member.name, *flags).where(not_on_leave(day))
    if userids is not None:
        members = members.where(among(Member.userid, userids, session.get_bind().dialect.name))
    members = members.subquery("m")
    done = [members.c[f"done_{i}"] for i in range(len(kinds))]
    query = select(members).where(not_(and_(*done)))
    if userids is not None:
        query = query.order_by(members.c.id)
    else:  # members owing the same kinds get the same reminder text: keep them together
        query = query.order_by(*done, members.c.id)
    owing = []
    for member_id, userid, name, *done_flags in session.execute(query):
        owed = tuple(k.code for k, flag in zip(kinds, done_flags) if not flag)
        owing.append(Owing(member_id, userid, name, owed))
    return owing


def secretaries(session: Session, *, day: date) -> list[tuple[str, str, int]]:
    """(userid, name, branch_id) of every secretary not on leave on `day`."""
    rows = session.execute(
        select(Member.userid, Member.name, Member.branch_id)
        .where(Member.role == "secretary", not_on_leave(day)).order_by(Member.id))
    return [tuple(row) for row in rows]
