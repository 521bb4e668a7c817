"""Small keyword-only query functions; each takes a session and touches no global state.

The statements are built once, with bind parameters, and reused: building a SQLAlchemy
expression costs more CPU than running the query it describes (bench/RESULTS.md), and the
callback runs several of these on every message. Column-only queries are Core statements on
the tables; as an ORM query would, they flush the session's pending changes first.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Iterable, Mapping

from sqlalchemy import Integer, any_, bindparam, exists, func, literal_column, or_
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from models.tables import Branch, Entry, InboundMessage, Member

COUNTED = "recorded"
LIVE = ("recorded", "pending")

_E = Entry.__table__.c
_M = Member.__table__.c
_I = InboundMessage.__table__.c


def counted(status):
    """`status = 'recorded'`, the value written into the SQL text (not a bound parameter), so
    that the partial indexes on counted entries (models.tables) apply: PostgreSQL cannot use
    them in a generic plan, nor SQLite at all, when the value is a parameter."""
    return status == literal_column(f"'{COUNTED}'")


def _core(session: Session, statement, params: dict):
    """Run a prebuilt Core statement in the session's transaction, after an autoflush."""
    if session.autoflush:
        session.flush()
    return session.execute(statement, params)


def _live(status):
    return or_(status == LIVE[0], status == LIVE[1])


def _ids(column, name: str, dialect: str):
    """`column IN (:name)` for a list parameter: one array on PostgreSQL, an expanding IN elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


_MEMBER_BY_USERID = select(Member).where(Member.userid == bindparam("userid"))
_RECENT = (core_select(func.count()).select_from(InboundMessage.__table__)
           .where(_I.userid == bindparam("userid"), _I.received_at >= bindparam("since")))
_POINTS_BY_KIND = (core_select(_E.kind, func.sum(_E.points))
                   .where(_E.member_id == bindparam("member_id"), counted(_E.status),
                          _E.occurred_on >= bindparam("start"), _E.occurred_on <= bindparam("end"))
                   .group_by(_E.kind))
_USAGE = (core_select(func.coalesce(func.sum(_E.quantity), 0), func.coalesce(func.sum(_E.points), 0))
          .where(_E.member_id == bindparam("member_id"), _E.kind == bindparam("kind"), _live(_E.status),
                 _E.duplicate.is_(False), _E.occurred_on >= bindparam("start"), _E.occurred_on <= bindparam("end")))
_TITLE_SEEN = (core_select(_E.id)
               .where(_E.member_id == bindparam("member_id"), _E.kind == bindparam("kind"),
                      _E.title == bindparam("title"), _live(_E.status),
                      _E.occurred_on >= bindparam("start"), _E.occurred_on <= bindparam("end"))
               .limit(1))
_LATEST = (select(Entry).where(Entry.member_id == bindparam("member_id"))
           .order_by(Entry.id.desc()).limit(bindparam("limit", type_=Integer)))
_OWN_NEWEST = (select(Entry).where(Entry.member_id == bindparam("member_id"), _live(Entry.status))
               .order_by(Entry.id.desc()).limit(1))
_OWN_BY_ID = (select(Entry).where(Entry.member_id == bindparam("member_id"), _live(Entry.status),
                                  Entry.id == bindparam("entry_id"))
              .order_by(Entry.id.desc()).limit(1))


def member_by_userid(session: Session, *, userid: str) -> Member | None:
    """The roster entry for a WeCom userid, or None."""
    return session.exec(_MEMBER_BY_USERID, params={"userid": userid}).first()


def recent_messages(session: Session, *, userid: str, since: datetime) -> int:
    """How many messages this userid sent since `since` (for the per-member rate limit)."""
    return _core(session, _RECENT, {"userid": userid, "since": since}).scalar_one()


def branch_name(session: Session, *, branch_id: int) -> str:
    """A branch's name."""
    return session.get(Branch, branch_id).name


def points_by_kind(session: Session, *, member_id: int, start: date, end: date) -> dict[str, float]:
    """Counted points per kind for one member between two dates (inclusive)."""
    rows = _core(session, _POINTS_BY_KIND, {"member_id": member_id, "start": start, "end": end})
    return {kind: float(total or 0) for kind, total in rows}


def usage(session: Session, *, member_id: int, kind: str, start: date, end: date) -> tuple[float, float]:
    """Quantity and points already used toward a cap (pending entries count too)."""
    qty, pts = _core(session, _USAGE, {"member_id": member_id, "kind": kind, "start": start, "end": end}).one()
    return float(qty), float(pts)


def title_seen(session: Session, *, member_id: int, kind: str, title: str, start: date, end: date) -> bool:
    """Whether the member already has a live entry of this kind with this title in the span."""
    return _core(session, _TITLE_SEEN, {"member_id": member_id, "kind": kind, "title": title,
                                        "start": start, "end": end}).first() is not None


@lru_cache(maxsize=64)
def _done_kinds_statement(count: int):
    """SELECT EXISTS(kind 0 in its span), EXISTS(kind 1 …): one index probe per kind."""
    return core_select(*[
        exists().where(_E.member_id == bindparam("member_id"), _E.kind == bindparam(f"kind_{i}"),
                       _E.occurred_on >= bindparam(f"start_{i}"), _E.occurred_on <= bindparam(f"end_{i}"),
                       counted(_E.status), _E.duplicate.is_(False)).label(f"done_{i}")
        for i in range(count)])


def done_kinds(session: Session, *, member_id: int, spans: Mapping[str, tuple[date, date]]) -> set[str]:
    """Which kinds have at least one counted, non-duplicate entry inside their own span."""
    if not spans:
        return set()
    params = {"member_id": member_id}
    for i, (kind, (start, end)) in enumerate(spans.items()):
        params.update({f"kind_{i}": kind, f"start_{i}": start, f"end_{i}": end})
    flags = _core(session, _done_kinds_statement(len(spans)), params).one()
    return {kind for kind, flag in zip(spans, flags) if flag}


def latest_entries(session: Session, *, member_id: int, limit: int = 10) -> list[Entry]:
    """The member's newest entries, newest first."""
    return list(session.exec(_LATEST, params={"member_id": member_id, "limit": limit}).all())


def own_entry(session: Session, *, member_id: int, entry_id: int | None) -> Entry | None:
    """One of the member's own live entries by number, or their newest live one."""
    if entry_id is None:
        return session.exec(_OWN_NEWEST, params={"member_id": member_id}).first()
    return session.exec(_OWN_BY_ID, params={"member_id": member_id, "entry_id": entry_id}).first()


def all_entries(session: Session, *, batch: int = 1000) -> Iterable[tuple[Entry, Member, Branch]]:
    """Every entry with its member and branch, in id order, streamed in batches."""
    last = 0
    while True:
        rows = session.exec(
            select(Entry, Member, Branch)
            .join(Member, Member.id == Entry.member_id)
            .join(Branch, Branch.id == Member.branch_id)
            .where(Entry.id > last).order_by(Entry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id


@lru_cache(maxsize=4)
def _points_by_member_statement(dialect: str):
    return (core_select(_E.member_id, func.sum(_E.points))
            .select_from(Entry.__table__.join(Member.__table__, _M.id == _E.member_id))
            .where(_ids(_M.branch_id, "branch_ids", dialect), counted(_E.status),
                   _E.occurred_on >= bindparam("start"), _E.occurred_on <= bindparam("end"))
            .group_by(_E.member_id))


def points_by_member(session: Session, *, branch_ids: list[int], start: date, end: date) -> dict[int, float]:
    """Counted points per member of the given branches between two dates (one query)."""
    statement = _points_by_member_statement(session.get_bind().dialect.name)
    rows = _core(session, statement, {"branch_ids": list(branch_ids), "start": start, "end": end})
    return {member_id: float(total or 0) for member_id, total in rows}


@lru_cache(maxsize=4)
def _branch_members_statement(dialect: str):
    return select(Member).where(_ids(Member.branch_id, "branch_ids", dialect)).order_by(Member.id)


def branch_members(session: Session, *, branch_ids: list[int]) -> list[Member]:
    """Members of the given branches, in roster order."""
    statement = _branch_members_statement(session.get_bind().dialect.name)
    return list(session.exec(statement, params={"branch_ids": list(branch_ids)}).all())
