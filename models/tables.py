"""SQLModel tables. Timestamps are aware UTC; business dates are local dates."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

ROLES = ("member", "secretary", "admin")
STATUSES = ("recorded", "pending", "rejected", "revoked")


def utcnow() -> datetime:
    """Current time, timezone-aware UTC (how every timestamp is stored)."""
    return datetime.now(timezone.utc)


class Branch(SQLModel, table=True):
    """A party branch (党支部); `parent_id` allows 党委 → 党总支 → 支部 trees."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="branch.id")


class Member(SQLModel, table=True):
    """A roster entry: one person, keyed by their WeCom userid."""

    id: int | None = Field(default=None, primary_key=True)
    userid: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=64)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    role: str = Field(default="member", max_length=16)
    leave_until: date | None = None


class InboundMessage(SQLModel, table=True):
    """One callback message, claimed once by its dedup key; keeps the reply for retries."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_user_time", "userid", "received_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=200, unique=True)
    userid: str = Field(max_length=64)
    msg_type: str = Field(max_length=32)
    received_at: datetime = Field(default_factory=utcnow)
    reply: str | None = Field(default=None, sa_column=Column(Text))


class Entry(SQLModel, table=True):
    """A point entry in a member's archive. Never deleted: revoking sets the status."""

    __table_args__ = (
        Index("ix_entry_member_kind_day", "member_id", "kind", "occurred_on"),
        Index("ix_entry_kind_day", "kind", "occurred_on"),
        # Partial, covering indexes on counted entries (queries write status = 'recorded' literally,
        # see models.queries.counted). Who did kind K between two dates, for every member at once
        # (reminders, 全部支部); and one member's counted points between two dates (我的积分, every
        # report's answer, 支部情况, 积分排名). Both are read without the table where vacuumed.
        Index("ix_entry_done", "kind", "occurred_on", "member_id", "duplicate",
              postgresql_where=text("status = 'recorded'"), sqlite_where=text("status = 'recorded'")),
        Index("ix_entry_counted", "member_id", "occurred_on", "kind", "points",
              postgresql_where=text("status = 'recorded'"), sqlite_where=text("status = 'recorded'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    kind: str = Field(max_length=32)
    quantity: float
    points: float
    title: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=32)
    occurred_on: date
    status: str = Field(default="recorded", max_length=16)
    duplicate: bool = False
    note: str | None = Field(default=None, max_length=200)
    rule: str = Field(sa_column=Column(Text, nullable=False))
    source_text: str = Field(sa_column=Column(Text, nullable=False))
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    created_at: datetime = Field(default_factory=utcnow)
    reviewed_by: int | None = Field(default=None, foreign_key="member.id")
    reviewed_at: datetime | None = None
    review_note: str | None = Field(default=None, max_length=200)
    evidence_media_id: str | None = Field(default=None, max_length=200)
    evidence_url: str | None = Field(default=None, max_length=500)


class PendingConfirmation(SQLModel, table=True):
    """A question the bot asked a member ("是要登记…吗？"), waiting for 是/否."""

    __tablename__ = "pending_confirmation"
    __table_args__ = (UniqueConstraint("member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    payload: str = Field(sa_column=Column(Text, nullable=False))
    source_text: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime


class AuditLog(SQLModel, table=True):
    """Who did what to whom, when: every secretary or admin act."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="member.id", index=True)
    action: str = Field(max_length=32)
    target: str = Field(max_length=200)
    detail: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(default_factory=utcnow)
