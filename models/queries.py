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

from models.tables import Branch, Entry, InboundMessage, Member, PendingConfirmation

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
_T = Entry.__table__.alias("seen").c
_USAGE = (core_select(
    func.coalesce(func.sum(_E.quantity), 0), func.coalesce(func.sum(_E.points), 0),
    exists().where(_T.member_id == bindparam("member_id"), _T.kind == bindparam("kind"),
                   _T.title == bindparam("title"), _live(_T.status),
                   _T.occurred_on >= bindparam("title_start"), _T.occurred_on <= bindparam("title_end")))
    .where(_E.member_id == bindparam("member_id"), _E.kind == bindparam("kind"), _live(_E.status),
           _E.duplicate.is_(False), _E.occurred_on >= bindparam("start"), _E.occurred_on <= bindparam("end")))
_LATEST = (select(Entry).where(Entry.member_id == bindparam("member_id"))
           .order_by(Entry.id.desc()).limit(bindparam("limit", type_=Integer)))
_OWN_NEWEST = (select(Entry).where(Entry.member_id == bindparam("member_id"), _live(Entry.status))
               .order_by(Entry.id.desc()).limit(1))
_OWN_BY_ID = (select(Entry).where(Entry.member_id == bindparam("member_id"), _live(Entry.status),
                                  Entry.id == bindparam("entry_id"))
              .order_by(Entry.id.desc()).limit(1))


def insert_row(session: Session, row) -> int:
    """INSERT a new table object's column values as one Core statement; returns (and sets) its id.

    Cheaper than the unit of work's flush for rows the session does not need to track."""
    table = type(row).__table__
    values = {column.name: getattr(row, column.name) for column in table.columns if column.name != "id"}
    row.id = _core(session, _insert_statement(table), values).scalar_one()
    return row.id


@lru_cache(maxsize=16)
def _insert_statement(table):
    return table.insert().returning(table.c.id)


@lru_cache(maxsize=2)
def _sender_statement(by_openid: bool):
    """The member behind a sender id, their messages in the last minute, whether a 是/否 question
    waits for them: one round trip for what the dispatcher needs on every message."""
    recent = _RECENT.scalar_subquery().label("recent")
    waiting = exists().where(PendingConfirmation.__table__.c.member_id == _M.id).label("waiting")
    statement = select(Member, recent, waiting)
    if by_openid:
        from models.binding import MemberBinding
        return statement.join(MemberBinding, MemberBinding.member_id == Member.id).where(
            MemberBinding.openid == bindparam("userid"))
    return statement.where(Member.userid == bindparam("userid"))


def sender(session: Session, *, userid: str, since: datetime, by_openid: bool = False) -> tuple[Member | None, int, bool]:
    """For a channel's sender id (a WeCom userid, or an Official Account openid when `by_openid`):
    the roster entry, how many messages it sent since `since`, and whether a question waits for
    the member's 是/否; (None, 0, False) for a sender not in the roster (see `recent_messages`)."""
    row = session.exec(_sender_statement(by_openid), params={"userid": userid, "since": since}).first()
    if row is None:
        return None, 0, False
    member, recent, waiting = row
    return member, recent, bool(waiting)


_SET_REPLY = InboundMessage.__table__.update().where(_I.id == bindparam("inbound_id")).values(reply=bindparam("reply"))


def set_reply(session: Session, *, inbound_id: int, reply: str) -> None:
    """Keep the reply on the claimed message, for WeCom's retries of it."""
    _core(session, _SET_REPLY, {"inbound_id": inbound_id, "reply": reply})


_KEPT = core_select(_I.reply).where(_I.dedup_key == bindparam("dedup_key"))


def kept_message(session: Session, *, dedup_key: str) -> tuple[bool, str | None]:
    """Whether a message with this dedup key was already claimed (a platform retry), and the
    reply kept for it (None while its first delivery is still being handled)."""
    row = _core(session, _KEPT, {"dedup_key": dedup_key}).first()
    return row is not None, (row[0] if row is not None else None)


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


def usage(session: Session, *, member_id: int, kind: str, start: date, end: date,
          title: str | None = None, title_span: tuple[date, date] | None = None) -> tuple[float, float, bool]:
    """Quantity and points already used toward a cap between `start` and `end` (pending entries
    count too), and whether a live entry of this kind already has `title` inside `title_span`;
    one query."""
    first, last = title_span or (start, end)
    qty, pts, seen = _core(session, _USAGE, {
        "member_id": member_id, "kind": kind, "start": start, "end": end,
        "title": title, "title_start": first, "title_end": last}).one()
    return float(qty), float(pts), bool(seen)


@lru_cache(maxsize=64)
def _progress_statement(count: int, with_year: bool):
    """SELECT EXISTS(kind 0 in its span), EXISTS(kind 1 …)[, (the year's points)]: one round trip,
    one index probe per kind and one range of the member's counted entries."""
    columns = [
        exists().where(_E.member_id == bindparam("member_id"), _E.kind == bindparam(f"kind_{i}"),
                       _E.occurred_on >= bindparam(f"start_{i}"), _E.occurred_on <= bindparam(f"end_{i}"),
                       counted(_E.status), _E.duplicate.is_(False)).label(f"done_{i}")
        for i in range(count)]
    if with_year:
        columns.append(core_select(func.coalesce(func.sum(_E.points), 0))
                       .where(_E.member_id == bindparam("member_id"), counted(_E.status),
                              _E.occurred_on >= bindparam("year_start"), _E.occurred_on <= bindparam("year_end"))
                       .scalar_subquery().label("year_points"))
    return core_select(*columns)


def progress(session: Session, *, member_id: int, spans: Mapping[str, tuple[date, date]],
             year: tuple[date, date] | None = None) -> tuple[set[str], float | None]:
    """Which kinds have a counted, non-duplicate entry inside their own span, and (when `year`,
    its first and last day, is given) the member's counted points inside it: one query."""
    if not spans and year is None:
        return set(), None
    params = {"member_id": member_id}
    if year is not None:
        params.update(year_start=year[0], year_end=year[1])
    for i, (kind, (start, end)) in enumerate(spans.items()):
        params.update({f"kind_{i}": kind, f"start_{i}": start, f"end_{i}": end})
    row = _core(session, _progress_statement(len(spans), year is not None), params).one()
    done = {kind for kind, flag in zip(spans, row) if flag}
    return done, (float(row[-1] or 0) if year is not None else None)


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
