"""Read a member's free-text chat message into structured report items.

Pure: text in, `Reading` out; no I/O. Kinds and their synonyms come from the caller (the config);
only language-level words live in the parser's modules (negation, question, plan and notice
words, fillers, separators) and, in handlers.numerals / handlers.dates, numerals, units and
date words.

How a message is read:
0. a paper form (姓名：… 学习内容：读书 数量：1本) is rewritten as the report it stands for (handlers.forms),
   and a correction (读书两本，不对，应该是三本) is applied (handlers.corrections);
1. normalise (NFKC, traditional characters as simplified, ASCII lower-case, ① and list numbers (1、)
   as line breaks); find titles, dates, quantities and vague amounts, then kind words, the longest
   synonym anywhere first (handlers.scan);
2. cut into clauses at hard separators (，。；！？ 还 但 另外 ...; handlers.clauses); each clause is a
   question, a negation, a plan/opinion, or a report (handlers.intent); a negation, a plan or a
   later day covers only its own space-separated part (这周只参加了个党课 书也没看), or, with no
   spaces, its own item after reported ones (读书一本心得一次成果没有);
3. in a report clause, mentions of a kind form groups; quantities and titles join a group
   (handlers.groups, handlers.titles); groups that name no activity of their own (a modifier,
   a heading, a team without a result) are dropped (handlers.heads); then, over all the report
   clauses, a thing begun and later finished, or dated by a later clause, becomes one item, and
   mentions that only elaborate another clause's are dropped (handlers.passes);
4. each group gives items, sure or unsure, on the date said last before it (handlers.items);
5. the clauses together decide the intent (handlers.items.conclude); titles are given back as
   typed (handlers.titles.as_typed).

The modules: forms, corrections, scan (tokens), tokens (their types and masking), clauses, titles, intent,
groups, heads, passes (over all the report clauses), items, numerals, dates; reading holds the public
types. This one keeps the public API: `read`, `Reading`, `Item`, `KindWords`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from handlers import corrections, forms
from handlers import groups as grouping
from handlers import heads
from handlers import intent, passes
from handlers.clauses import clauses as cut, counted, cut_at, is_bare, scoped
from handlers.dates import DateMark
from handlers.groups import Group, evident
from handlers.numerals import Quantity, dimension
from handlers.items import carried_dates, clause_items, conclude, dated_log
from handlers.reading import Item, KindWords, Reading
from handlers.scan import implied, lexicon, mentions, normalise, prune, scan, untagged
from handlers.titles import Title, as_typed, take_title
from handlers.tokens import Clause, Mention, mask

__all__ = ["Item", "KindWords", "Reading", "read"]


def _lexicon(kinds: Sequence[KindWords]) -> tuple[tuple[KindWords, ...], dict]:
    """The kinds as a tuple, and their (cached) lexicon; synonyms given as lists are made tuples."""
    kinds = tuple(kinds)
    try:
        return kinds, lexicon(kinds)
    except TypeError:  # unhashable: synonyms given as lists
        kinds = tuple(KindWords(k.code, tuple(k.synonyms), tuple(k.levels), k.unit) for k in kinds)
        return kinds, lexicon(kinds)


def _report(clause: Clause, text: str, masked: str, kinds: tuple[KindWords, ...], again: bool,
            reports: list[tuple[Clause, list[Group]]], reported: set[int],
            pending: list[str]) -> list[Group]:
    """The groups a report clause adds. Quantities or titles alone complete the clause before
    (读书，2本) or, said again (又参加了2学时), add one more of its kind; titles alone name what the
    clause before counted (成果1项，微课《…》), or, said first, what the next one counts (《原则》，读书一本:
    kept in `pending`); a mention of a kind already reported, with nothing of its own and not said
    again, only elaborates."""
    found = heads.drop_programmes(clause, grouping.groups(clause, text))
    for group in found:
        group.again = again
    orphans = grouping.attach(clause, found, masked, kinds)
    found = grouping.split_by_day(clause, found, masked, text)
    found = heads.drop_content(text, clause, heads.drop_breakdowns(text, clause, heads.drop_teams(text, clause, found)))
    last = next((groups[-1] for _, groups in reversed(reports) if groups), None)
    undated = not again and not any(isinstance(t, DateMark) for t in clause.tokens)  # no new day, no 又
    if undated:  # 《…》《…》 三本都读完了
        found, orphans = heads.drop_totals(text, clause, found, orphans, last, reports)
    if last and found and undated:
        found = heads.drop_parts(text, [last, *found], masked)[1:]  # 证书拿了俩个，一个安全员证一个高压电工证
    if orphans and not found and last:  # 10月读书2本，11月1本: one more of it, on another day
        anew = again or heads.another_day(text, clause, reports, last.kind)
        if intent.hedged(text, clause):  # 做了好些课件，大概5个左右: as rough as said there
            orphans = [replace(t, vague=True) if isinstance(t, Quantity) else t for t in orphans]
        found = grouping.carry(orphans, last, anew, kinds[last.kind].unit, is_bare(text, clause))
    elif not orphans and not found and last and not last.quantities and dimension(
            kinds[last.kind].unit) == "count" and (count := grouping.listed_count(text, clause)):
        last.quantities.append(Quantity(clause.start, clause.end, float(count)))  # A和B都过了
    elif orphans and not found:
        pending += [t.text for t in orphans if isinstance(t, Title)]
    elif found and pending and not found[0].titles:
        found[0].titles, pending[:] = pending[:], []
    found = grouping.name(found, reports[-1][1] if reports else [], text, clause)
    found = [g for g in heads.drop_headings(masked, clause, found)
             if g.kind not in reported or heads.another_day(text, clause, reports, g.kind)
             or heads.replaces_announcement(text, g, reports) or evident(g) or g.again
             or heads.day_of(text, clause) or passes.first_dated(text, clause, reports)]  # 11月20日参加党委中心组扩大学习:
    # another day's (see drop_elaborations); 在职读的硕士，上个月拿到学位了: that one's day (see dated_later)
    return heads.drop_modifiers(found, clause, text, masked, kinds)


def read(text: str, *, kinds: Sequence[KindWords], today: date) -> Reading:
    """Read one chat message.

    Returns intent "report" with items to record; "unsure" with the best guess to confirm;
    "question" with the kind asked about as topic (or None); "negation"; or "chatter".
    Every item's occurred_on is resolved (today when the message names no date).
    """
    kinds, words = _lexicon(kinds)
    typed = text = forms.unspaced(text) or text  # 培 训 8 学 时: typed one character at a time
    typed = text = forms.rewrite(forms.tabulated(text) or text) or text  # 姓名：… 学习内容：读书 数量：1本: a paper
    # form; 项目\t数量 above 读书\t1: a table pasted from a spreadsheet
    typed = text = corrections.rewrite(text, today) or text  # 读书两本，不对，应该是三本
    raw, text = normalise(text)
    tokens = scan(text, raw, today)
    masked = mask(text, tokens)
    found = untagged(text, mentions(masked, words))
    tokens += found + implied(tokens, found, masked, kinds)
    masked = mask(text, tokens)
    clauses = cut(text, prune(tokens, masked), masked)
    reports: list[tuple[Clause, list[Group]]] = []
    negated: dict[str, set[date | None]] = {}  # kinds said not done -> the days they were said of
    day: date | None = None  # the day said last (a denial with none of its own is of that day)
    reported: set[int] = set()
    pending: list[str] = []  # titles said before any kind word
    asked = eligible = False
    topics: list[str] = []
    before: list[str] = []  # the kinds the clause before names (reported with nothing of their own)
    meant: list[str] = []  # the kinds a plan that fell through named (本来想…, 原打算…): a denial after it is of them
    last, prior = "", None  # the mood of the clause before, and that clause
    planning = 0  # where a list under a heading of what is planned (下个月学习计划：) ends
    notices = intent.notice_lines(text)
    work = clauses[::-1]
    while work:
        clause = work.pop()
        take_title(raw, masked, clause)
        notice = next((b for a, b in notices if a <= clause.start < b or a == clause.start == b), None)
        if notice is not None and notice < clause.end:  # 【请…完成情况】 我这边：读书1本: the member's own part
            work += cut_at(clause, notice)[::-1]
            continue
        mood = "notice" if notice is not None else intent.mood(text, clause, today)
        asked_at = intent.asked_after(text, clause, today) if mood == "question" else None
        if asked_at:  # 读书一本 算几分: a report, then a question of its own
            work += cut_at(clause, asked_at)[::-1]
            continue
        whole = ""  # a mood taken over from the clause before covers the whole clause
        if intent.heading(text, clause):  # 下个月学习计划：above a list: what the list holds is planned
            planning = len(text) if mood == "plan" and intent.plans_ahead(text, clause, today) else 0
        elif mood == "plan" and (line_end := intent.planned_line(text, clause, today)):
            planning = line_end  # 下个月学习计划：读书一本，交流心得一次，培训8学时: to the line's end
        elif planning > clause.start and mood == "report" and (
                intent.says_done(text, clause) or intent.turns_to_now(text, clause)):
            planning = 0  # 本月已完成：读书1本: the plan's list has ended
        elif planning > clause.start and mood == "report":
            mood = whole = "plan"
        if mood == "negation" and last == "plan" and intent.unfinished(text, clause) and any(
                isinstance(t, (Mention, Title)) for t in prior.tokens):  # (not 刚才发的那条不算，书其实还没读完)
            mood = "plan"  # 我正在看《三体》，还没看完: in progress
        elif mood == "negation" and last == "report" and intent.unfinished(text, clause) and reports and (
                intent.only_unfinished(text, clause)):
            mood = heads.take_back_unfinished(clause, reports[-1][1], kinds)  # 读了《红楼梦》前四十回，还没读完
        elif last in ("negation", "plan") and intent.likewise(text, clause):
            mood = last  # 生活需要仪式感，学习也是: says the same of another thing
        elif mood == "report" and last == "plan" and intent.goes_on(text, clause, prior, before, kinds):
            mood = "plan"  # 正在写心得，写完了交流: the same thing, still to do
        elif mood == "report" and last == "plan" and intent.listed_on(text, clause, prior):
            mood = "plan"  # 下半年计划深度会谈两次，解决难题三个: the plan goes on
        elif mood == "report" and last == "plan" and intent.told_on(text, clause, prior):
            mood = whole = "plan"  # 小李这个月读了四本书，交流了三次心得: still of 小李
        if not whole and (mood in ("negation", "plan") or intent.later(clause, today)):  # …看完了 心得明天班会上交流
            parts = scoped(masked, clause)
            if len(parts) == 1:  # 读书一本心得一次成果没有; but 打算读书一本心得一次 plans both
                parts = counted(clause)
                parts = parts if intent.mood(text, parts[0], today) == "report" else [clause]
            if len(parts) > 1:
                work += parts[::-1]
                continue
        last, prior = mood, clause
        day = next((t.on for t in reversed(clause.tokens) if isinstance(t, DateMark) and t.on), day)
        codes = [kinds[t.kind].code for t in clause.tokens if isinstance(t, Mention)]
        if mood == "question":
            asked, topics = True, topics + codes
            eligible = eligible or intent.eligible(text, clause)
        elif mood == "negation":  # 合理化建议提了但是没被采纳: the 但是 clause denies the one before
            if codes and any(isinstance(t, Title) for t in clause.tokens):
                codes = [f"{code}《》" for code in codes]  # 没看完《白鹿原》: that title only, not the kind
            for code in (codes or (before if intent.contrasts(text, clause) or intent.zero(text, clause) else ())
                         or intent.collective(text, clause) or meant):  # 五个一都还没完成
                negated.setdefault(code, set()).add(day)
        elif mood == "report":
            found = _report(clause, text, masked, kinds, intent.again(text, clause), reports, reported,
                            pending)
            reported.update(g.kind for g in found)
            reports.append((clause, found))
            codes = [kinds[g.kind].code for g in found if not evident(g)]
        before = codes
        meant = codes if mood == "plan" and intent.meant(text, clause) else meant  # 本来想这周把《三体》读完的
    passes.drop_heading_lines(text, reports)  # 一、读书学习 above 本月共读书3本
    passes.finish_started(text, reports)  # 上周开始读《活着》，昨天读完了: one book, finished yesterday
    passes.dated_later(text, reports)  # 在职读的硕士，上个月拿到学位了: on the day said after
    passes.drop_elaborations(text, reports)
    passes.drop_certificates(text, reports)
    if intent.is_thanks(text) and not any(evident(g) or intent.acted(text, clause)
                                          for clause, found in reports for g in found):
        reports = []  # 问题解决了，谢谢: a thank-you, not a report (but 和同事交流了心得 谢谢小王帮我录 is one)
    said = [c for c, _ in reports]
    log = dated_log(said, today)
    marks = sorted((t for c in said for t in c.tokens if isinstance(t, (DateMark, Title))), key=lambda t: t.start)
    entries = [entry for (clause, found), mark in zip(reports, carried_dates(text, reports))
               for entry in clause_items(text, clause, found, mark, kinds, today, log, marks)]
    first_kind = next((kinds[t.kind].code for c in clauses for t in c.tokens if isinstance(t, Mention)), None)
    reading = conclude(entries, negated, asked, eligible, topics[0] if topics else first_kind)
    if raw == typed or not any(item.title for item in reading.items):
        return reading
    return replace(reading, items=tuple(replace(item, title=item.title and as_typed(item.title, raw, typed))
                                        for item in reading.items))
