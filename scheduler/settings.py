"""The `[reminders]` config block, validated: schedule, quiet hours, sending limits.

bot/defaults.toml supplies every key, so a user's file only names what it changes.
Errors name the key, like models/rules.py does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from models.errors import ConfigError

JOB_PERIODS = {"monthly": "month", "quarterly": "quarter", "halfyear": "halfyear", "yearly": "year"}
JOB_KINDS = (*JOB_PERIODS, "summary")
CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
WECOM_MAX_RECIPIENTS = 1000
WECOM_MAX_DUPLICATE_CHECK = 4 * 3600
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")

_NUMBERS = {  # key: (type, minimum)
    "misfire_grace_seconds": (int, 1), "lease_seconds": (int, 3), "drain_interval_seconds": (int, 1),
    "batch_size": (int, 1), "claim_size": (int, 1), "max_retries": (int, 0), "backoff_seconds": (float, 0),
    "backoff_max_seconds": (float, 0), "send_lease_seconds": (int, 1), "max_attempts": (int, 1),
    "http_timeout_seconds": (float, 0.1), "duplicate_check_seconds": (int, 0),
}
_OTHER = {"quiet_hours", "address_by_name", "redis_url", "schedule"}


@dataclass(frozen=True)
class ReminderSettings:
    """Everything the scheduler and the sender read from `[reminders]`."""

    schedule: Mapping[str, tuple[Mapping[str, Any], ...]]
    quiet_hours: tuple[time, time] | None
    address_by_name: bool
    misfire_grace_seconds: int
    lease_seconds: int
    drain_interval_seconds: int
    batch_size: int
    claim_size: int
    max_retries: int
    backoff_seconds: float
    backoff_max_seconds: float
    send_lease_seconds: int
    max_attempts: int
    http_timeout_seconds: float
    duplicate_check_seconds: int
    redis_url: str

    def quiet_at(self, moment: time) -> bool:
        """Whether a local wall-clock time falls in the quiet hours (which may span midnight)."""
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        return start <= moment < end if start < end else moment >= start or moment < end


def _quiet_hours(value: Any) -> tuple[time, time] | None:
    if not isinstance(value, str):
        raise ConfigError("reminders.quiet_hours", 'must be a string like "22:00-08:00" (or "" for none)')
    if not value.strip():
        return None
    parts = [p.strip() for p in value.split("-")]
    found = [_CLOCK.fullmatch(p) for p in parts]
    if len(parts) != 2 or not all(found):
        raise ConfigError("reminders.quiet_hours", 'must look like "22:00-08:00" (or be "" for none)')
    start, end = (time(int(m.group(1)), int(m.group(2))) for m in found)
    if start == end:
        raise ConfigError("reminders.quiet_hours", "must not start and end at the same time")
    return start, end


def _entry(kind: str, index: int, raw: Any, tz: ZoneInfo) -> Mapping[str, Any]:
    key = f"reminders.schedule.{kind}[{index}]"
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(key, "must be a table of cron fields, e.g. { day = \"20\", hour = 9 }")
    for name, value in raw.items():
        if name not in CRON_FIELDS:
            raise ConfigError(f"{key}.{name}", f"unknown cron field (use {', '.join(CRON_FIELDS)})")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ConfigError(f"{key}.{name}", "must be a whole number or a cron string")
    try:
        CronTrigger(timezone=tz, **raw)
    except ValueError as exc:
        raise ConfigError(key, f"is not a valid schedule: {exc}") from None
    return dict(raw)


def _schedule(raw: Any, tz: ZoneInfo) -> dict[str, tuple[Mapping[str, Any], ...]]:
    if not isinstance(raw, dict):
        raise ConfigError("reminders.schedule", "must be a table of job = [cron entries]")
    schedule = {}
    for kind, entries in raw.items():
        if kind not in JOB_KINDS:
            raise ConfigError(f"reminders.schedule.{kind}", f"unknown job (use {', '.join(JOB_KINDS)})")
        if not isinstance(entries, list):
            raise ConfigError(f"reminders.schedule.{kind}", "must be a list of cron tables ([] turns it off)")
        schedule[kind] = tuple(_entry(kind, i, entry, tz) for i, entry in enumerate(entries))
    return schedule


def _number(raw: Mapping[str, Any], name: str) -> int | float:
    kind, minimum = _NUMBERS[name]
    key = f"reminders.{name}"
    if name not in raw:
        raise ConfigError(key, "is missing")
    value = raw[name]
    allowed = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, allowed) or value < minimum:
        whole = "a whole number" if kind is int else "a number"
        raise ConfigError(key, f"must be {whole} >= {minimum:g}")
    return kind(value)


def load_settings(config) -> ReminderSettings:
    """Validate `config.raw["reminders"]`; the first problem raises ConfigError naming its key."""
    raw = config.raw.get("reminders")
    if not isinstance(raw, dict):
        raise ConfigError("reminders", "must be a table")
    unknown = set(raw) - set(_NUMBERS) - _OTHER
    if unknown:
        raise ConfigError(f"reminders.{sorted(unknown)[0]}", "unknown key")
    numbers = {name: _number(raw, name) for name in _NUMBERS}
    if numbers["batch_size"] > WECOM_MAX_RECIPIENTS:
        raise ConfigError("reminders.batch_size", f"must be at most {WECOM_MAX_RECIPIENTS} (WeCom's limit per call)")
    if numbers["duplicate_check_seconds"] > WECOM_MAX_DUPLICATE_CHECK:
        raise ConfigError("reminders.duplicate_check_seconds",
                          f"must be at most {WECOM_MAX_DUPLICATE_CHECK} (WeCom's limit)")
    worst_call = (numbers["max_retries"] + 1) * (numbers["http_timeout_seconds"] * 2 + numbers["backoff_max_seconds"])
    if numbers["send_lease_seconds"] <= worst_call:
        raise ConfigError("reminders.send_lease_seconds",
                          f"must exceed the longest send with retries ({worst_call:g} s with these settings)")
    if "address_by_name" not in raw:
        raise ConfigError("reminders.address_by_name", "is missing")
    if not isinstance(raw["address_by_name"], bool):
        raise ConfigError("reminders.address_by_name", "must be true or false")
    redis_url = raw.get("redis_url", "")
    if not isinstance(redis_url, str):
        raise ConfigError("reminders.redis_url", 'must be a string ("" keeps the token in the database)')
    return ReminderSettings(
        schedule=_schedule(raw.get("schedule"), ZoneInfo(config.rules.timezone)),
        quiet_hours=_quiet_hours(raw.get("quiet_hours")),
        address_by_name=raw["address_by_name"],
        redis_url=redis_url.strip(),
        **numbers,
    )
