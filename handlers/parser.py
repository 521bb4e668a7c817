"""Read a member's free-text chat message into structured report items.

Pure: text in, `Reading` out; no I/O. Kinds and their synonyms come from the caller (the config);
only language-level words live in the parser's modules (negation, question, plan and notice
words, fillers, separators) and, in handlers.numerals / handlers.dates, numerals, units and
date words.

How a message is read:
1. normalise (NFKC, ASCII lower-case, ① as a line break); find titles, dates, quantities and
   vague amounts, then kind words, the longest synonym anywhere first (handlers.scan);
2. cut into clauses at hard separators (，。；！？ 还 但 另外 ...; handlers.clauses); each clause is a
   question, a negation, a plan/opinion, or a report (handlers.intent); a negation or plan
   covers only its own space-separated part (这周只参加了个党课 书也没看);
3. in a report clause, mentions of a kind form groups; quantities and titles join a group
   (handlers.groups, handlers.titles);
4. each group gives items, sure or unsure, on the date said last before it (`_items`);
5. the clauses together decide the intent (`_conclude`).

The modules: scan (tokens), tokens (their types and masking), clauses, titles, intent, groups,
numerals, dates; this one keeps the public API: `read`, `Reading`, `Item`, `KindWords`.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers import groups as grouping
from handlers import intent
from handlers.clauses import clauses as cut, is_bare, scoped
from handlers.dates import DateMark
from handlers.groups import Group, evident
from handlers.numerals import Quantity, dimension, in_unit
from handlers.scan import lexicon, mentions, normalise, prune, scan
from handlers.titles import take_title
from handlers.tokens import Clause, Mention, mask


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


# ------------------------------------------------------------------ items
def _best_quantity(quantities: list[Quantity], unit: str) -> Quantity | None:
    """An exact quantity in a fitting unit if there is one, else any fitting one, else the first."""
    fitting = [q for q in quantities if q.value is None or in_unit(q.value, q.unit, unit) is not None]
    exact = [q for q in fitting if q.value is not None and not q.vague]
    return (exact or fitting or quantities or [None])[0]


def _items(group: Group, kind: KindWords, on: date, sure: bool) -> list[tuple[Item, bool]]:
    """The items a group stands for, each with whether it can be recorded without asking.

    Unsure: a vague amount (guess: its lower bound, or 1); a unit contradicting the kind's
    (guess 1); no hours for an hour-measured kind; a fraction of a counted thing; no level for
    a kind with levels; more titles than the count given. Counted kinds give one item per title.
    """
    q = _best_quantity(group.quantities, kind.unit)
    value = in_unit(q.value, q.unit, kind.unit) if q and q.value is not None else None
    sure = sure and (q is None or (value is not None and not q.vague))
    if q is None and dimension(kind.unit) == "hour":
        sure = False
    value = 1.0 if value is None else value
    if dimension(kind.unit) == "count" and value != int(value):
        sure = False
    if kind.levels and not group.level:
        sure = False
    if not group.titles or dimension(kind.unit) not in (None, "count"):
        title = "、".join(group.titles) or None
        return [(Item(kind.code, value, title, group.level, on), sure)]
    items = [Item(kind.code, 1.0, title, group.level, on) for title in group.titles]
    if q and q.value is not None and value < len(items):
        sure = False
    elif q and q.value is not None and value > len(items):
        items.append(Item(kind.code, value - len(items), None, group.level, on))
    return [(item, sure) for item in items]


def _clause_items(text: str, clause: Clause, found: list[Group], mark: DateMark | None,
                  kinds: tuple[KindWords, ...], today: date) -> list[tuple[Item, bool]]:
    """Items of one report clause; all unsure when the clause hedges (大概, 左右, 或), names an
    impossible date, or holds nothing but kind words (书, 今天读书, 读书和交流心得).

    A group takes the date said last before it in the clause (昨天读书1本 今天谈心一次), else the
    clause's date."""
    bare = not any(map(evident, found)) and is_bare(text, clause)
    sure = not bare and not intent.hedged(text, clause)
    said = sorted((t for t in clause.tokens if isinstance(t, DateMark)), key=lambda d: d.start)
    starts = [d.start for d in said]
    entries = []
    for group in found:
        before = bisect_left(starts, group.start)
        own = said[before - 1] if before else mark
        on = own.on if own and own.on else today
        entries += _items(group, kinds[group.kind], on, sure and (own is None or own.on is not None))
    return entries


def _dates(clauses: list[Clause]) -> list[DateMark | None]:
    """Each clause's date: its own first one, else the last one said before it, else the first
    one after it."""
    said = [[t for t in c.tokens if isinstance(t, DateMark)] for c in clauses]
    first = next((d[0] for d in said if d), None)
    result, last = [], None
    for marks in said:
        result.append(marks[0] if marks else (last or first))
        last = marks[-1] if marks else last
    return result


# ------------------------------------------------------------------ the message
def _conclude(entries: list[tuple[Item, bool]], negated: set[str], asked: bool,
              topic: str | None) -> Reading:
    """The message's intent from its clauses.

    A kind the member says was not done drops its bare mentions and makes a firm report of it
    unsure. A question next to a firm report is unsure (ask before recording); otherwise a
    question wins. Then report (all sure) or unsure, then negation, else chatter.
    """
    kept = [(item, sure and item.kind not in negated) for item, sure in entries
            if sure or item.kind not in negated]
    items = tuple(item for item, _ in kept)
    if asked:
        return Reading("unsure", items) if any(sure for _, sure in kept) else Reading("question", topic=topic)
    if kept:
        return Reading("report" if all(sure for _, sure in kept) else "unsure", items)
    return Reading("negation") if negated else Reading("chatter")


def _lexicon(kinds: Sequence[KindWords]) -> tuple[tuple[KindWords, ...], dict]:
    """The kinds as a tuple, and their (cached) lexicon; synonyms given as lists are made tuples."""
    kinds = tuple(kinds)
    try:
        return kinds, lexicon(kinds)
    except TypeError:  # unhashable: synonyms given as lists
        kinds = tuple(KindWords(k.code, tuple(k.synonyms), tuple(k.levels), k.unit) for k in kinds)
        return kinds, lexicon(kinds)


def read(text: str, *, kinds: Sequence[KindWords], today: date) -> Reading:
    """Read one chat message.

    Returns intent "report" with items to record; "unsure" with the best guess to confirm;
    "question" with the kind asked about as topic (or None); "negation"; or "chatter".
    Every item's occurred_on is resolved (today when the message names no date).
    """
    kinds, words = _lexicon(kinds)
    raw, text = normalise(text)
    tokens = scan(text, raw, today)
    tokens += mentions(mask(text, tokens), words)
    masked = mask(text, tokens)
    clauses = cut(text, prune(tokens, masked), masked)
    reports: list[tuple[Clause, list[Group]]] = []
    negated: set[str] = set()
    reported: set[int] = set()
    asked, topics = False, []
    notice = intent.is_notice(text)
    work = clauses[::-1]
    while work:
        clause = work.pop()
        take_title(raw, masked, clause)
        mood = intent.mood(text, clause)
        if mood in ("negation", "plan"):
            parts = scoped(masked, clause)
            if len(parts) > 1:
                work += parts[::-1]
                continue
        codes = [kinds[t.kind].code for t in clause.tokens if isinstance(t, Mention)]
        if mood == "question":
            asked, topics = True, topics + codes
        elif mood == "negation":
            negated.update(codes)
        elif mood == "report" and not notice:
            found = grouping.groups(clause)
            orphans = grouping.attach(clause, found, masked, kinds)
            if orphans and not found and reports and reports[-1][1]:
                grouping.carry(orphans, reports[-1][1][-1])
            # a mention of a kind already reported, with nothing of its own, only elaborates
            found = [g for g in grouping.drop_headings(masked, clause, found) if g.kind not in reported or evident(g)]
            found = grouping.drop_modifiers(found, masked)
            reported.update(g.kind for g in found)
            reports.append((clause, found))
    grouping.drop_elaborations(reports)
    if intent.is_thanks(text) and not any(evident(g) for _, found in reports for g in found):
        reports = []  # 问题解决了，谢谢: a thank-you, not a report
    entries = [entry for (clause, found), mark in zip(reports, _dates([c for c, _ in reports]))
               for entry in _clause_items(text, clause, found, mark, kinds, today)]
    first_kind = next((kinds[t.kind].code for c in clauses for t in c.tokens if isinstance(t, Mention)), None)
    return _conclude(entries, negated, asked, topics[0] if topics else first_kind)
