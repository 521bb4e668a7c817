"""The `@command` decorator and the ordered dispatch table built from it."""
from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable

from models.tables import ROLES

GUEST = "guest"  # a sender not (yet) tied to the roster: an unbound openid on the Official Account
ROLE_RANK = {GUEST: -1, **{role: rank for rank, role in enumerate(ROLES)}}


@dataclass
class Context:
    """Everything a handler may use: never the HTTP request."""

    session: Any
    member: Any
    config: Any
    now: datetime
    text: str
    args: str
    message: Any
    table: "Table"
    kind_words: tuple = ()

    @property
    def today(self) -> date:
        """The local date of this message."""
        return self.now.date()

    @property
    def rules(self):
        """The organisation's point rules."""
        return self.config.rules


@dataclass(frozen=True)
class Handler:
    """One registered handler: its triggers, role, message type and help text."""

    func: Callable[[Context], str]
    triggers: tuple[str, ...]
    role: str
    message_type: str
    exact: bool
    usage: str
    summary: str = field(default="")
    continues: bool = False
    args: re.Pattern | None = None
    channels: tuple[str, ...] | None = None

    def match(self, message_type: str, text: str) -> tuple[int, str] | None:
        """(length of the matched trigger, argument text) if this handler takes the message."""
        if message_type != self.message_type:
            return None
        if not self.triggers:
            return 0, text
        best = None
        for trigger in self.triggers:
            if text == trigger or (not self.exact and text.startswith(trigger)):
                rest = text[len(trigger):]
                if self.args is not None and not self.args.fullmatch(rest):
                    continue
                if best is None or len(trigger) > best[0]:
                    best = (len(trigger), rest.strip())
        return best

    def allowed(self, role: str) -> bool:
        """Whether a member with `role` may run this handler."""
        return ROLE_RANK.get(role, -2) >= ROLE_RANK[self.role]


def command(*triggers: str, role: str = "member", message_type: str = "text",
            exact: bool = False, usage: str | None = None, hidden: bool = False,
            continues: bool = False, args: str | None = None, channels: tuple[str, ...] | None = None):
    """Mark a function as a handler. Its docstring's first line is its help text.

    `args`, a regex, must match all the text after the trigger (so that 通过 12 is a command
    but 通过自考一门 is a report). `continues=True` keeps a pending 是/否 question alive;
    any other handler cancels it. `role="guest"` lets anyone run it, even a sender the
    roster does not know yet (then `ctx.member` is None). `channels` limits it to some
    channels ("wecom", "mp").
    """
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def mark(func: Callable[[Context], str]) -> Callable[[Context], str]:
        doc = inspect.getdoc(func) or ""
        func.__hongling_handler__ = Handler(
            func=func, triggers=tuple(triggers), role=role, message_type=message_type,
            exact=exact, usage="" if hidden else (usage or (triggers[0] if triggers else "")),
            summary="" if hidden else doc.splitlines()[0] if doc else "",
            continues=continues, args=re.compile(args, re.S) if args is not None else None,
            channels=tuple(channels) if channels else None,
        )
        return func

    return mark


class Table:
    """The ordered dispatch table: triggered handlers first, catch-alls last."""

    def __init__(self, handlers: Iterable[Handler]):
        handlers = list(handlers)
        self.handlers = [h for h in handlers if h.triggers] + [h for h in handlers if not h.triggers]

    @classmethod
    def from_modules(cls, names: Iterable[str], *, channel: str | None = None) -> "Table":
        """Collect every `@command` function of the named modules, in definition order.

        With `channel`, handlers limited to other channels are left out.
        """
        found = []
        for name in names:
            module = importlib.import_module(name)
            found += [f.__hongling_handler__ for f in vars(module).values()
                      if hasattr(f, "__hongling_handler__")]
        return cls(h for h in found if channel is None or h.channels is None or channel in h.channels)

    def find(self, message_type: str, text: str, role: str) -> tuple[Handler | None, str]:
        """The handler for this message and its argument text.

        The longest matching trigger wins (积分排名 before 积分); among handlers sharing it, the
        first that `role` may run. (None, "") when only handlers `role` may not run match,
        so the caller can refuse without revealing anything.
        """
        matches = []
        for order, handler in enumerate(self.handlers):
            found = handler.match(message_type, text)
            if found is not None:
                matches.append((-found[0], order, handler, found[1]))
        matches.sort(key=lambda m: (m[0], m[1]))
        triggered = [m for m in matches if m[0] < 0] or matches
        for _, _, handler, args in triggered:
            if handler.allowed(role):
                return handler, args
        if triggered:
            return None, ""
        raise LookupError(message_type)

    def help_for(self, role: str) -> list[Handler]:
        """Handlers with help text that `role` may run, one per usage, in table order."""
        shown: dict[str, Handler] = {}
        for handler in self.handlers:
            if handler.summary and handler.allowed(role):
                current = shown.get(handler.usage)
                if current is None or ROLE_RANK[handler.role] > ROLE_RANK[current.role]:
                    shown[handler.usage] = handler
        return list(shown.values())
