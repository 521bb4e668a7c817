"""One call to a WeChat server API with the shared token: what WeCom's and the mp transports share.

`call_api` repeats a call while the platform is busy (45009, 45033, -1, or no answer), backing
off from `backoff_seconds` up to `backoff_max_seconds`, at most `max_retries` times; on an
expired or invalid token (40014, 42001, 40001) it refreshes the token once through the shared
store and repeats the call. It never raises for the platform's or the network's errors.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from scheduler.settings import ReminderSettings
from scheduler.tokens import TokenBusy

log = logging.getLogger(__name__)
TOKEN_ERRORS = frozenset({40014, 42001, 40001})
BUSY_ERRORS = frozenset({45009, 45033, -1})


class TokenError(RuntimeError):
    """Fetching a token failed: wrong credentials, or the platform unreachable."""


@dataclass(frozen=True)
class SendResult:
    """ok (minus `invalid` users) | invalid (all) | retry (later) | abort (stop draining) | failed.

    `via` is how it went where a channel has more than one way (mp: custom | template);
    `note` is kept on the rows as errmsg: why it went that way, or why nobody was reached.
    """

    outcome: str
    errcode: int | None = None
    errmsg: str = ""
    invalid: frozenset[str] = field(default_factory=frozenset)
    via: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Answer:
    """done (the platform answered `code`) | retry (still busy: later) | abort (no usable token)."""

    status: str
    code: int | None = None
    errmsg: str = ""
    body: dict | None = None


def call_api(call: Callable[[str], dict | None], *, token: str, refresh: Callable[[str], str],
             settings: ReminderSettings, sleep: Callable[[float], None]) -> tuple[Answer, str]:
    """Run `call(token)` until it is answered; returns the answer and the token last used.

    `refresh(stale)` returns a new token (raising TokenError or TokenBusy if it cannot).
    """
    refreshed, busy = False, 0
    while True:
        answer = call(token)
        code = None if answer is None else answer.get("errcode", 0)
        errmsg = "network error" if answer is None else str(answer.get("errmsg", ""))
        if answer is None or code in BUSY_ERRORS:
            if busy >= settings.max_retries:
                return Answer("retry", code, errmsg), token
            delay = min(settings.backoff_max_seconds, settings.backoff_seconds * 2 ** busy)
            log.info("the API is busy (%s), retrying in %.1f s", code, delay)
            sleep(delay)
            busy += 1
        elif code in TOKEN_ERRORS:
            if refreshed:
                return Answer("abort", code, f"token refused after refresh: {errmsg}"), token
            try:
                token = refresh(token)
            except (TokenError, TokenBusy) as exc:
                return Answer("abort", code, str(exc)), token
            refreshed = True
        else:
            return Answer("done", code, errmsg, answer), token
