"""Draining the outbox: claim, re-check, group identical texts, send, record — nothing twice.

The one window left open: WeCom accepted a call and the process died before committing
`sent`. Those rows are `inflight` (committed just before the call); after their lease lapses
the next drain sends them again with WeCom's duplicate check on (`enable_duplicate_check`,
`[reminders] duplicate_check_seconds`, at most 4 h), so WeCom drops the copy. Rows abandoned
longer than that are marked `unknown`, not resent. Every other crash point is safe: rows
written but not claimed, or claimed but not yet inflight, are simply sent by the next drain.

A WeChat Official Account takes one recipient per call and has no duplicate check: there
each row is its own call (`max_recipients = 1`), and a row a crash left in flight is marked
`unknown` at once rather than resent, so a member never gets a message twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from models.db import new_session
from models.outbox import load_attachment
from models.tables import utcnow
from scheduler import queue
from scheduler.plan import recheck
from scheduler.settings import ReminderSettings
from scheduler.calls import SendResult

log = logging.getLogger(__name__)


@dataclass
class DrainReport:
    """What one drain did."""

    sent: int = 0
    invalid: int = 0
    failed: int = 0
    skipped: int = 0
    retry_later: int = 0
    calls: int = 0
    quiet: bool = False
    aborted: str | None = None


def _chunks(rows: list[queue.Claimed], size: int, *, more_may_follow: bool) -> list[list[queue.Claimed]]:
    """Rows grouped by identical text, at most `size` recipients per group, in row order.

    When the claim was full (`more_may_follow`), the text of the claim's last row may go on in
    the next claim: its last, partly filled group is left out (if some other group is full),
    its rows go back to the queue (the drain's `release`) and are claimed first next time,
    together with the rest of their text. So a text written in one run costs ceil(recipients /
    size) calls however the claims cut it, other texts are not held back, and every claim
    still sends a full group.
    """
    by_text: dict[str, list[queue.Claimed]] = {}
    for row in rows:
        by_text.setdefault(row.content, []).append(row)
    chunks = [group[start:start + size] for group in by_text.values() for start in range(0, len(group), size)]
    if not (more_may_follow and rows):
        return chunks
    last = max(rows, key=lambda row: row.id)
    tail = next((chunk for chunk in chunks if chunk[-1] is last and len(chunk) < size), None)
    if tail is not None and any(len(chunk) == size for chunk in chunks):
        return [chunk for chunk in chunks if chunk is not tail]
    return chunks


def _file(engine: Engine, chunk: list[queue.Claimed], config, token: str, now: datetime,
          report: DrainReport) -> tuple[str, bytes] | None | bool:
    """The file a chunk sends (None for text); False if it cannot be built (rows marked failed)."""
    try:
        return load_attachment(engine, chunk[0].content, rules=config.rules)
    except OperationalError:
        raise                                      # the database: the rows go back, the next drain retries
    except Exception as error:                     # e.g. a 导出 of a branch that no longer exists
        log.exception("could not build the file for outbox row(s) %s", [row.id for row in chunk])
        queue.finish(engine, token=token, ids=[row.id for row in chunk], status="failed", now=now,
                     errmsg=f"file not built: {type(error).__name__}")
        report.failed += len(chunk)
        return False


def _record(engine: Engine, token: str, chunk: list[queue.Claimed], result: SendResult,
            settings: ReminderSettings, now: datetime, report: DrainReport) -> None:
    ids = [row.id for row in chunk]
    if result.outcome in ("ok", "invalid"):
        bad = [row.id for row in chunk if row.userid in result.invalid]
        good = [i for i in ids if i not in set(bad)]
        queue.finish(engine, token=token, ids=good, status="sent", now=now, errcode=0, errmsg=result.note,
                     via=result.via)
        queue.finish(engine, token=token, ids=bad, status="invalid", now=now, errcode=result.errcode,
                     errmsg=result.note or "invaliduser", via=result.via)
        report.sent += len(good)
        report.invalid += len(bad)
        if bad:
            log.warning("WeCom does not know %d recipient(s): %s", len(bad),
                        "|".join(sorted(result.invalid))[:200])
    elif result.outcome == "failed":
        queue.finish(engine, token=token, ids=ids, status="failed", now=now, errcode=result.errcode,
                     errmsg=result.note or result.errmsg, via=result.via)
        report.failed += len(ids)
        log.error("message/send failed for %d row(s): %s %s", len(ids), result.errcode, result.errmsg)
    else:  # retry or abort: back to pending, unless it has been tried too often
        spent = [row.id for row in chunk if row.attempts + 1 >= settings.max_attempts]
        again = [i for i in ids if i not in set(spent)]
        later = now + timedelta(seconds=max(settings.backoff_max_seconds, settings.drain_interval_seconds))
        queue.finish(engine, token=token, ids=again, status="pending", now=now, errcode=result.errcode,
                     errmsg=result.errmsg, not_before=later)
        queue.finish(engine, token=token, ids=spent, status="failed", now=now, errcode=result.errcode,
                     errmsg=result.errmsg)
        report.retry_later += len(again)
        report.failed += len(spent)


def drain(engine: Engine, *, config, settings: ReminderSettings, transport,
          now: Callable[[], datetime] = utcnow) -> DrainReport:
    """Send every sendable outbox row (outside quiet hours); returns what happened."""
    tz = ZoneInfo(config.rules.timezone)
    report = DrainReport()
    dup_window = settings.duplicate_check_seconds if transport.drops_duplicates else 0
    per_call = max(1, min(settings.batch_size, transport.max_recipients))
    while True:
        if settings.quiet_at(now().astimezone(tz).time()):
            report.quiet = True
            return report
        token, rows = queue.claim(engine, limit=settings.claim_size, now=now(),
                                  lease_seconds=settings.send_lease_seconds, resend_window_seconds=dup_window)
        if not rows:
            return report
        full = len(rows) == settings.claim_size
        try:
            with new_session(engine) as session:
                rows, skipped, changed = recheck(session, rows, config=config, settings=settings, now=now())
            queue.rewrite(engine, token=token, changes=changed)
            queue.finish(engine, token=token, ids=skipped, status="skipped", now=now())
            report.skipped += len(skipped)
            transport.prepare(row.userid for row in rows)
            for chunk in _chunks(rows, per_call, more_may_follow=full):
                if settings.quiet_at(now().astimezone(tz).time()):
                    report.quiet = True
                    return report
                attachment = _file(engine, chunk, config, token, now(), report)
                if attachment is False:
                    continue
                ids = set(queue.mark_inflight(engine, token=token, ids=[r.id for r in chunk], now=now(),
                                              lease_seconds=settings.send_lease_seconds))
                chunk = [row for row in chunk if row.id in ids]
                if not chunk:
                    continue
                userids = [row.userid for row in chunk]
                result = (transport.send_file(userids, *attachment) if attachment
                          else transport.send(userids, chunk[0].content))
                report.calls += 1
                _record(engine, token, chunk, result, settings, now(), report)
                if result.outcome == "abort":
                    report.aborted = result.errmsg or f"errcode {result.errcode}"
                    log.error("stopped sending: %s", report.aborted)
                    return report
                if result.outcome == "retry":
                    log.warning("the API is still busy after %d retries; the rest waits for the next drain",
                                settings.max_retries)
                    return report
        finally:
            queue.release(engine, token=token)
