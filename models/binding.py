"""Tying WeChat openids to the roster (the Official Account channel), safely.

A secretary hands each member a one-time code (`hongling members invite`); the member sends
`绑定 CODE` from WeChat and their openid is bound to their roster entry. Defences:

- a code is 8 characters from a 32-symbol alphabet (40 bits) made by `secrets`;
- only an HMAC-SHA256 of it is stored, keyed by the AppSecret, so a copy of the database
  alone does not let anyone try codes offline;
- it is valid `invite_days` (default 14) and once: redeeming is an UPDATE … WHERE used_at IS
  NULL, so two senders racing with one code cannot both win; a new code for a member replaces
  (and so voids) their unused one;
- an openid that sent `bind_attempts_per_hour` (default 5) wrong codes within the last hour
  may not try again until the hour has passed, right code or not;
- one openid per member and one member per openid (unique constraints).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Index, delete, func, update
from sqlmodel import Field, Session, SQLModel, select

from models.outbox import among
from models.tables import InboundMessage, Member, utcnow

log = logging.getLogger(__name__)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O or 1/I to confuse: 32 symbols, 5 bits each
CODE_LENGTH = 8
_TYPED = re.compile(r"[\s\-_:：]+")


class MemberBinding(SQLModel, table=True):
    """One member's WeChat openid on the Official Account."""

    __tablename__ = "member_binding"
    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", unique=True)
    bound_at: datetime = Field(default_factory=utcnow)


class InviteCode(SQLModel, table=True):
    """A member's current one-time code, as a keyed hash; replaced when a new one is issued."""

    __tablename__ = "invite_code"
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: str | None = Field(default=None, max_length=64)


class BindFailure(SQLModel, table=True):
    """A wrong code sent by an openid (the brute-force limit counts these)."""

    __tablename__ = "bind_failure"
    __table_args__ = (Index("ix_bind_failure_openid_at", "openid", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Redeemed:
    """What `redeem` did: bound | wrong | used | expired | taken | locked."""

    outcome: str
    member: Member | None = None


@dataclass(frozen=True)
class Target:
    """Where a member's pushed messages go on the Official Account."""

    userid: str
    name: str
    openid: str
    last_seen: datetime | None


def new_code() -> str:
    """A fresh random code (40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """A code as handed out: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"


def normalize(typed: str) -> str | None:
    """The code a member typed (any case, spaces or dashes), or None if it cannot be one."""
    code = _TYPED.sub("", typed or "").upper()
    return code if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code) else None


def code_hash(code: str, *, key: str) -> str:
    """The stored form of a code: HMAC-SHA256 keyed by the AppSecret."""
    return hmac.new(("hongling-invite:" + key).encode(), code.encode(), hashlib.sha256).hexdigest()


def member_by_openid(session: Session, *, openid: str) -> Member | None:
    """The roster entry bound to an openid, or None."""
    return session.exec(select(Member).join(MemberBinding, MemberBinding.member_id == Member.id)
                        .where(MemberBinding.openid == openid)).first()


def unbound_members(session: Session, *, branch_ids: Iterable[int] | None = None,
                    userid: str | None = None) -> list[Member]:
    """Members without a binding (optionally of some branches, or one userid), in roster order."""
    query = select(Member).where(~Member.id.in_(select(MemberBinding.member_id)))
    if branch_ids is not None:
        query = query.where(Member.branch_id.in_(list(branch_ids)))
    if userid is not None:
        query = query.where(Member.userid == userid)
    return list(session.exec(query.order_by(Member.id)).all())


def issue_codes(session: Session, *, members: list[Member], key: str, days: int,
                now: datetime | None = None) -> list[tuple[Member, str, bool]]:
    """A new code for each member: (member, code, whether it voided an unused earlier one)."""
    now = now or utcnow()
    ids = [m.id for m in members]
    existing = {}
    for start in range(0, len(ids), 500):
        existing.update((row.member_id, row) for row in session.exec(
            select(InviteCode).where(InviteCode.member_id.in_(ids[start:start + 500]))).all())
    issued = []
    for member in members:
        code = new_code()
        row = existing.get(member.id) or InviteCode(member_id=member.id, code_hash="", expires_at=now)
        voided = row.code_hash != "" and row.used_at is None and row.expires_at > now
        row.code_hash, row.created_at = code_hash(code, key=key), now
        row.expires_at, row.used_at, row.used_by = now + timedelta(days=days), None, None
        session.add(row)
        issued.append((member, code, voided))
    session.flush()
    return issued


def failures(session: Session, *, openid: str, since: datetime) -> int:
    """Wrong codes this openid sent since `since`."""
    return session.exec(select(func.count()).select_from(BindFailure)
                        .where(BindFailure.openid == openid, BindFailure.at >= since)).one()


def _failed(session: Session, openid: str, outcome: str, now: datetime) -> Redeemed:
    session.add(BindFailure(openid=openid, at=now))
    log.info("binding refused (%s)", outcome)
    return Redeemed(outcome)


def redeem(session: Session, *, openid: str, typed: str, key: str, attempts_per_hour: int,
           now: datetime | None = None) -> Redeemed:
    """Bind `openid` to the member whose unused, unexpired code `typed` is; else say why not."""
    now = now or utcnow()
    if failures(session, openid=openid, since=now - timedelta(hours=1)) >= attempts_per_hour:
        log.warning("binding locked for an openid after %d wrong codes within an hour", attempts_per_hour)
        return Redeemed("locked")
    code = normalize(typed)
    row = code and session.exec(select(InviteCode).where(
        InviteCode.code_hash == code_hash(code, key=key))).first()
    if not row:
        return _failed(session, openid, "wrong", now)
    if row.used_at is not None:
        return _failed(session, openid, "used", now)
    if row.expires_at <= now:
        return _failed(session, openid, "expired", now)
    if session.exec(select(MemberBinding.id).where(MemberBinding.member_id == row.member_id)).first():
        # Under READ COMMITTED a racing phone may have redeemed this very code between our two
        # reads: look at the code again, so that such a loser hears "used", not "taken".
        used = session.exec(select(InviteCode.used_at).where(InviteCode.code_hash == row.code_hash)).first()
        return _failed(session, openid, "used", now) if used is not None else Redeemed("taken")
    claimed = session.exec(update(InviteCode).where(InviteCode.member_id == row.member_id,
                                                    InviteCode.code_hash == row.code_hash,
                                                    InviteCode.used_at.is_(None))
                           .values(used_at=now, used_by=openid)).rowcount
    if claimed != 1:
        return _failed(session, openid, "used", now)
    session.add(MemberBinding(openid=openid, member_id=row.member_id, bound_at=now))
    session.flush()
    return Redeemed("bound", session.get(Member, row.member_id))


def unbind(session: Session, *, member: Member) -> bool:
    """Remove a member's binding; False if there was none."""
    return session.exec(delete(MemberBinding).where(MemberBinding.member_id == member.id)).rowcount > 0


def targets(session: Session, *, userids: Iterable[str], since: datetime) -> dict[str, Target]:
    """userid -> openid, name and last message since `since` (one query) for the bound ones."""
    userids = list(dict.fromkeys(userids))
    if not userids:
        return {}
    dialect = session.get_bind().dialect.name
    last = func.max(InboundMessage.received_at)
    rows = session.execute(
        select(Member.userid, Member.name, MemberBinding.openid, last)
        .join(MemberBinding, MemberBinding.member_id == Member.id)
        .outerjoin(InboundMessage, (InboundMessage.userid == MemberBinding.openid)
                   & (InboundMessage.received_at >= since))
        .where(among(Member.userid, userids, dialect))
        .group_by(Member.userid, Member.name, MemberBinding.openid))
    return {userid: Target(userid, name, openid, seen) for userid, name, openid, seen in rows}
