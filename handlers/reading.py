"""What the parser gives back: `Reading`, its `Item`s, and the `KindWords` it is given.

handlers.parser re-exports these; they live here so that the parser's modules can share them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KindWords:
    """The words of one kind of activity, from config."""
    code: str                      # e.g. "book"
    synonyms: tuple[str, ...]      # e.g. ("读书","看书",...)
    levels: tuple[str, ...] = ()   # e.g. degree: ("大专","本科","硕士","博士")
    unit: str = ""                 # config unit ("本", "学时"); "" = quantities are not unit-checked


@dataclass(frozen=True)
class Item:
    """One entry to record."""
    kind: str
    quantity: float
    title: str | None = None
    level: str | None = None
    occurred_on: date | None = None


@dataclass(frozen=True)
class Reading:
    """What a message says: intent, items (report, or the guess for unsure), question topic."""
    intent: str  # "report" | "unsure" | "question" | "negation" | "chatter"
    items: tuple[Item, ...] = ()
    topic: str | None = None
