"""What a job run sends: outbox rows for each member who owes, or each secretary's summary.

`plan(...)` is pure reading (one query for reminders, three for summaries); `recheck(...)`
repeats the reminder query for rows about to be sent, so nobody is reminded of something
they did after the row was written (held in quiet hours, or waiting for a retry).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.periods import period_bounds, period_key
from models.tables import utcnow
from scheduler.queue import Claimed
from scheduler.recipients import due_kinds, owing_members, secretaries
from scheduler.settings import JOB_PERIODS, ReminderSettings
from scheduler.status import branch_statuses, last_month_end, summary_text
from scheduler.texts import reminder_text

FRESH = timedelta(minutes=5)


@dataclass(frozen=True)
class Planned:
    """One message a job run wants to send."""

    userid: str
    name: str
    content: str
    kinds: tuple[str, ...] = ()


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    """The moment `day` ends locally, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)


def plan(session: Session, *, config, settings: ReminderSettings, kind: str, day: date) -> list[Planned]:
    """The messages job `kind` sends as of `day` (reminders: members owing; summary: secretaries)."""
    rules = config.rules
    if kind == "summary":
        people = secretaries(session, day=day)
        statuses = branch_statuses(session, rules=rules, day=last_month_end(day),
                                   branch_ids={branch for _, _, branch in people})
        return [Planned(userid, name, summary_text(statuses[branch])) for userid, name, branch in people]
    period = JOB_PERIODS[kind]
    owing = owing_members(session, kinds=due_kinds(rules, period), day=day)
    return [Planned(o.userid, o.name, reminder_text(rules, period=period, day=day, kinds=o.kinds,
                                                    name=o.name if settings.address_by_name else None), o.kinds)
            for o in owing]


def outbox_rows(planned: Iterable[Planned], *, config, kind: str, day: date,
                now: datetime | None = None) -> list[dict]:
    """Outbox rows (keyed by userid, topic, period, occasion) for planned messages."""
    tz = ZoneInfo(config.rules.timezone)
    if kind == "summary":
        key, expires = period_key("month", last_month_end(day)), _end_of(period_bounds("month", day)[1], tz)
    else:
        period = JOB_PERIODS[kind]
        key, expires = period_key(period, day), _end_of(period_bounds(period, day)[1], tz)
    now = now or utcnow()
    return [{"userid": p.userid, "topic": kind, "period_key": key, "occasion": day,
             "kinds": ",".join(p.kinds) or None, "content": p.content, "status": "pending", "attempts": 0,
             "expires_at": expires, "created_at": now} for p in planned]


def recheck(session: Session, rows: list[Claimed], *, config, settings: ReminderSettings, now: datetime
            ) -> tuple[list[Claimed], list[int], dict[int, tuple[str, str]]]:
    """Split claimed rows into (still to send, now nothing owed, {id: (new content, kinds)}).

    Rows written in the last FRESH were computed moments ago and are not queried again.
    """
    rules = config.rules
    groups = defaultdict(list)
    for row in rows:
        if row.topic in JOB_PERIODS and row.kinds and row.created_at < now - FRESH:
            groups[(row.topic, row.occasion)].append(row)
    skipped, changed, keep = [], {}, {row.id for row in rows}
    for (topic, day), group in groups.items():
        period = JOB_PERIODS[topic]
        asked = {code for row in group for code in row.kinds.split(",")}
        kinds = [k for k in due_kinds(rules, period) if k.code in asked]
        owing = {o.userid: o for o in owing_members(session, kinds=kinds, day=day,
                                                    userids={row.userid for row in group})}
        for row in group:
            was = tuple(row.kinds.split(","))
            still = owing[row.userid].kinds if row.userid in owing else ()
            now_owed = tuple(code for code in was if code in still)
            if not now_owed:
                skipped.append(row.id)
                keep.discard(row.id)
            elif now_owed != was:
                name = owing[row.userid].name if settings.address_by_name else None
                changed[row.id] = (reminder_text(rules, period=period, day=day, kinds=now_owed, name=name),
                                   ",".join(now_owed))
    send = [Claimed(r.id, r.userid, r.topic, r.occasion, r.kinds, changed.get(r.id, (r.content,))[0],
                    r.attempts, r.created_at) for r in rows if r.id in keep]
    return send, skipped, changed

