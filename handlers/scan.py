"""Finding the tokens of a message: titles, dates, quantities, vague amounts and kind words.

Kind words come from the caller's config (synonyms and levels of each kind); only words that
are never kind words (书记, 交流电, 学习强国 ...) and set phrases with numerals that are no
quantity (五个一) live here. Pure; no I/O.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from handlers import dates, numerals, titles
from handlers.dates import DateMark, match_date
from handlers.numerals import Quantity, dimension, match_quantity, match_vague
from handlers.titles import Title, title_at
from handlers.tokens import Mention, end_before, fold, standard
from handlers.clauses import HARD_SEP

if TYPE_CHECKING:
    from handlers.parser import KindWords

BLOCKED = ("书记", "支书", "书面", "书法", "秘书", "书名", "交流电", "交直流", "解读", "宣读",
           "学习强国", "在职学习", "在职读", "读博", "读研", "研究生读", "营业执照", "驾驶执照", "驾照", "本科生", "本科教学",
           "业务学习", "指导书", "说明书", "任务书", "申请书", "计划书", "责任书", "承诺书", "倡议书", "建议书",
           "意见书", "通知书", "协议书", "保证书", "检讨书", "决心书", "抄表读数", "表读数", "读数据", "入党可",
           "党可以", "党可靠", "党可是", "党可能", "同心同德", "一心一德", "深度谈谈", "深度谈一谈", "同心德", "好看了",
           "学习积分", "结业考试", "期中考试", "期末考试", "考试周")
# never kind words: 学习强国 is the app; 在职学习, 读博 and 研究生读完 study for a degree; a business or
# driving licence is no work certificate; 本科生 and 本科教学 are students; 科室业务学习 is a work meeting, not
# theory; 作业指导书, 申请书 are documents, not books; 抄表读数 is a meter reading; 入党可是, 对党可靠
# and 同心同德 hold no typed kind word (党可, 心德 are typos in config); 学习积分 are the points; a
# course's 结业考试 is part of the training; 期中考试 and 期末考试 are a school's
# characters typed in place of a kind word's (same pinyin): 深度会淡, 深度汇谈, 深度回谈, 业务心德, 工作难提, 学习城果.
# Only words of 3 characters or more get these variants; shorter typos are synonyms in config.
TYPOS = {"谈": "淡", "会": "汇回", "成": "城", "得": "德", "题": "提", "课": "可", "培": "陪", "训": "讯",
         "论": "轮", "果": "过"}
SET_PHRASES = ("五个一", "三会一课", "两学一做", "一岗双责")  # numerals that are no quantity
META = re.compile(r"情况|汇报|汇编|(?<=习)(?:汇总|(?<=学习)(?<!组学习)(?<!题学习)(?:打卡|补报|补记|补录|自查|进展)|和\w{1,3}情况|上(?=[ \t]*:))|的事|总结|小结|计划|安排|内容|要求|台账|如下|目标|任务(?!\s*:)|室|教室|中心(?!组)|基地"
                  r"|园地|资料|材料|教材|氛围|型|名单|通知|平台|劲头|热情|积极性|申请|文献|照片|图片|复印件|扫描件|原件|附件|记录(?=[ \t]*:?[ \t]*(?:\n|$))")
# 学习情况, 学习汇总, 学习和工作情况, 学习上：, 学习室, 学习平台, 学习劲头, 培训教室, 培训教材, 获奖名单, 学习型班组, 成果汇编, 读书的事, 学习小结,
# 11月学习记录：: a kind word naming a thing, not an activity (no mention);
# 解决难题任务：xxx goes on to name what was done
_LIST_MARKS = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")  # ① ⑴ ⒈ Ⓐ: list items
# 1、 2. 3) 一、 opening a line or following a space or closing mark: a list number, no quantity (1.11月3日: 1.)
_NUMBERED = re.compile(r"(?:^|(?<=[\s)\]】」』。,;:!?]))(?:\d{1,2}|[一二三四五六七八九十])(?:、|\.(?!\d)|\.(?=\d{1,2}月)|\))"
                       , re.M)
_SUB_ITEM = re.compile(r"^[ \t]*(\d{1,2})\.(\d{1,2})(?=[ \t]+\D)", re.M)  # 1.1 读书：…
_GLUED = re.compile(r"(?:^|(?<=\s))(\d{1,2}) ?(?=[^\W\d_])", re.M)  # 1读书2本 2心得1次, 1 读书两本 2 心得一次: numbered 1, 2, 3 ...
_HASHTAG = re.compile(r"#[^\s#]+#?")
_ENROLLED = re.compile(r"报(?:名|考)?了?$")  # 报了四门: courses entered for, not passed
_NOT_ONE = re.compile(r"\0*[都也]还?[没未不]")  # 一项都还没完成, 一本也没读: not one, no quantity
_COMPANY = re.compile(r"[和跟与同陪带][^\0\s,。:了]{0,6}$")  # 和新来的几个小伙伴交流: people, not the activity
_ACQUIRED = re.compile(r"(?:考|拿|取得|获得|领)(?:到|了|下|取)*$")
_DRIVING = re.compile(r"驾照|驾驶")
_PASSED = re.compile(r"通过[^,。;\n]{0,16}(考试)|(考试)[^,。;\n]{0,12}(?:通过|合格|过了)")
_CERTIFICATES = re.compile("个?证(?![书明件据实人词言])")  # 几个证; 两个证明, 三个证人: no certificate
_STARTS = titles.STARTS | frozenset(p[0] for p in SET_PHRASES) | dates.STARTS | numerals.STARTS


def normalise(text: str) -> tuple[str, str]:
    """(raw, folded): the message made standard (NFKC, simplified characters) with list marks
    (① ⑴ 1、) as line breaks, and the same ASCII lower-cased; both have the same length, so
    positions are shared."""
    raw = standard(_LIST_MARKS.sub("\n", text))
    raw = _NUMBERED.sub(lambda m: "\n" * len(m.group()), raw)
    subs = list(_SUB_ITEM.finditer(raw))
    for m in reversed(subs):  # 1.1 …\n1.2 …: sub-items counted under one number, not January 1st and 2nd
        if sum(n[1] == m[1] for n in subs) > 1:
            raw = raw[:m.start()] + "\n" * len(m.group()) + raw[m.end():]
    glued = [m for m in _GLUED.finditer(raw) if not getattr(match_quantity(raw, m.start()), "unit", None)]
    if len(glued) > 1 and [int(m.group(1)) for m in glued] == list(range(1, len(glued) + 1)):
        for m in reversed(glued):  # list numbers glued to the item, counting up from 1
            raw = raw[:m.start()] + "\n" * len(m.group()) + raw[m.end():]
    return raw, fold(raw)


def _typos(word: str) -> list[str]:
    """The word with one character replaced by a same-sounding one (深度会谈 -> 深度会淡)."""
    return [word[:i] + typo + word[i + 1:] for i, char in enumerate(word) for typo in TYPOS.get(char, "")]


@lru_cache(maxsize=16)
def lexicon(kinds: tuple[KindWords, ...]) -> dict[str, list[tuple[str, int | None, str | None]]]:
    """First character -> [(word, kind index or None for a blocked word, level)], longest first."""
    words = [(w, None, None) for w in BLOCKED]
    for index, kind in enumerate(kinds):
        words += [(fold(standard(w)), index, None) for w in kind.synonyms if w.strip()]
        words += [(fold(standard(w)), index, w) for w in kind.levels if w.strip()]
    known = {w for w, _, _ in words}
    words += [(typo, kind, level) for word, kind, level in words if kind is not None and len(word) >= 3
              for typo in _typos(word) if typo not in known]
    table: dict[str, list] = {}
    for entry in sorted(words, key=lambda e: -len(e[0])):
        table.setdefault(entry[0][0], []).append(entry)
    return table


def scan(text: str, raw: str, today: date) -> list:
    """Titles (as typed, from raw), dates, quantities and vague amounts, left to right; 当天 is the
    day said before it, 次日 the day after that."""
    tokens, pos, last = [], 0, None
    while pos < len(text):
        if text[pos] not in _STARTS:
            pos += 1
            continue
        phrase = next((p for p in SET_PHRASES if text.startswith(p, pos)), None)
        token = None if phrase else (title_at(text, raw, pos) or match_date(text, pos, today)
                                     or match_quantity(text, pos) or match_vague(text, pos))
        if isinstance(token, DateMark):  # 当天: the day said before, if any
            if last and text.startswith(dates.SAME_DAY, pos):
                token = DateMark(token.start, token.end, last.on)
            elif last and last.on and text.startswith(dates.NEXT_DAY, pos):
                token = DateMark(token.start, token.end, last.on + timedelta(days=1))
            last = token
        if token:
            tokens.append(token)
        pos = token.end if token else pos + (len(phrase) if phrase else 1)
    return tokens


def mentions(masked: str, words: dict) -> list[Mention]:
    """Kind words (a `lexicon`) in the masked text: the longest anywhere first, a tie to the later
    one; the characters of a word that overlaps a chosen one are taken too (特种作业证书: no stray 书).

    A kind word right before a word like 情况/汇报/计划 (学习情况汇报) names no activity; nor does
    one of its kind right before such a kind word (技能比武获奖名单; but 编写培训教材 is a writing).
    """
    found = []
    for pos, char in enumerate(masked):
        for word, kind, level in words.get(char, ()):
            if masked.startswith(word, pos):
                found.append((pos, pos + len(word), kind, level))
    found.sort(key=lambda f: (f[0] - f[1], f[2] is None, -f[0], f[2] or 0))
    taken, chosen, named = bytearray(len(masked)), [], {}  # named: starts of words naming a thing -> kind
    for start, end, kind, level in found:
        if not any(taken[start:end]) and kind is not None:
            if META.match(masked, end):
                named[start] = kind
            else:
                chosen.append(Mention(start, end, kind, level))
        taken[start:end] = b"\1" * (end - start)  # a word that lost an overlap leaves no stray tail
    if named:
        for m in sorted(chosen, key=lambda m: -m.start):
            if named.get(m.end) == m.kind:
                named[m.start] = m.kind
        chosen = [m for m in chosen if m.start not in named]
    return chosen


def untagged(text: str, found: list[Mention]) -> list[Mention]:
    """Kind words inside hashtags (#阅读打卡 #党员学习) tag a post; they name no activity when the
    post names one outside them."""
    tags = [(t.start(), t.end()) for t in _HASHTAG.finditer(text)]
    inside = [any(a <= m.start < b for a, b in tags) for m in found]
    return [m for m, tagged in zip(found, inside) if not tagged] if tags and not all(inside) else found


def prune(tokens: list, masked: str) -> list:
    """Keep a bare number (读书2, 读书：2) or a quoted title (读书“红岩”) only right after a kind word
    or its quantity; 10kV and 参加“安全生产月”培训 are plain text. A count before 是 names one of
    several already counted (读了两本书一本是乡土中国), 一 before 都没 says not one (一项都没完成),
    courses after 报了 were entered for, not passed (报了四门，过了三门), and a count of people one
    did something with counts them (和新来的几个小伙伴交流了心得): no quantity."""
    ends = {t.end for t in tokens if isinstance(t, Mention) or (isinstance(t, Quantity) and not t.bare)}
    years = {t.start - masked.startswith("了", t.start - 1): t for t in tokens  # 读了五年, 学习了三年
             if isinstance(t, Quantity) and t.unit == "年" and (t.value or 0) >= 2}
    studied = {id(t) for m in tokens if isinstance(m, Mention) and m.end in years for t in (m, years[m.end])}
    kept = []
    for t in tokens:
        if id(t) in studied:
            continue  # 读了五年总算毕业, 学习了三年: years of study, no activity and no amount
        if isinstance(t, Quantity) and dimension(t.unit) == "day" and masked[t.start - 1:t.start] == "的":
            continue  # 充实的一天: a day described, no length of anything
        if isinstance(t, Quantity) and masked.startswith("等了", t.start - 2):
            continue  # 专利授权了 等了两年: a wait, no amount
        if isinstance(t, Quantity) and t.unit == "点" and masked[t.end:t.end + 1].isalnum():
            continue  # 顺便做了点笔记: a little of something else
        if (isinstance(t, Quantity) and t.unit in (None, "个", "位", "名")
                and _COMPANY.search(masked, max(0, t.start - 8), t.start)
                and masked[t.end:t.end + 1].isalnum() and masked[t.end] not in "的地得"):
            continue  # 和新来的几个小伙伴交流: people
        if isinstance(t, Quantity) and dimension(t.unit) == "count" and (
                masked.startswith("是", t.end) or (t.value == 1 and _NOT_ONE.match(masked, t.end))
                or (t.unit == "门" and _ENROLLED.search(masked, max(0, t.start - 3), t.start))):
            continue
        if isinstance(t, Quantity) and t.bare:
            after, before = masked[t.end:t.end + 1], end_before(masked, t.start)
            if masked[before - 1:before] == ":":  # 读书：2
                before = end_before(masked, before - 1)
            if before not in ends or after.isalnum() or after == ".":
                continue
        if isinstance(t, Title) and t.quoted and end_before(masked, t.start) not in ends:
            continue
        kept.append(t)
    return kept


_DID = re.compile(r"(?:学|补|修|听|上|过|通过)了\s*$")  # 学了6个学时, 过了一科: done, not required or planned
_TELLING = {"学时": "hour", "课时": "hour", "门": "门", "科": "门"}  # units that name what they count


def implied(tokens: list, found: list[Mention], masked: str, kinds: tuple[KindWords, ...]) -> list[Mention]:
    """A kind word implied by an exact amount in a unit only one kind is counted in (网络学院学了6个
    学时: training; 过了一科: the kind counted in 门) said right after a verb of doing with 了 (not
    要求完成40学时, 明天考两科, 老师教了三门课), where the message names no kind word of
    that kind, nor any between the hard separators around the amount: a mention of that kind,
    empty, at the amount's start."""
    added = []
    for q in tokens:
        telling = _TELLING.get(getattr(q, "unit", None) or "") if isinstance(q, Quantity) and not q.vague else None
        if not telling:
            continue
        matching = [i for i, k in enumerate(kinds)
                    if (dimension(k.unit) if telling == "hour" else k.unit) == telling]
        stops = [m.end() for m in HARD_SEP.finditer(masked, 0, q.start)]
        after = HARD_SEP.search(masked, q.end)
        start, end = (stops[-1] if stops else 0), (after.start() if after else len(masked))
        if len(matching) == 1 and _DID.search(masked, max(0, q.start - 4), q.start) and not any(
                start <= m.start < end or m.kind == matching[0] for m in found):
            added.append(Mention(q.start, q.start, matching[0], None))
    return added + _certificates(tokens, masked, kinds) + _passed(masked, found, kinds)


def _passed(masked: str, found: list[Mention], kinds: tuple[KindWords, ...]) -> list[Mention]:
    """考试 said passed (通过了注册会计师考试, 职称考试…已通过, 考试合格) is a kind word of the one kind
    whose words name exams (自学考试), unless the message names an hour-measured kind (培训8学时，考试合格:
    the training's test) or another kind not right before it (党课…课后考试合格; but 职称考试), or a
    driving test."""
    examining = _only_kind(kinds, "考试")
    if examining is None or any(dimension(kinds[m.kind].unit) == "hour" for m in found):
        return []
    return [Mention(m.start(g), m.end(g), examining, None) for m in _PASSED.finditer(masked) if (g := m.lastindex)
            and not _DRIVING.search(masked, max(0, m.start(g) - 4), m.start(g))
            and all(f.end == m.start(g) or f.kind == examining for f in found)]


def _certificates(tokens: list, masked: str, kinds: tuple[KindWords, ...]) -> list[Mention]:
    """证 right after a count said after 考/拿/取得 (拿了两个证, 拿到俩证, 考了几个证) is a kind word of
    the one kind whose words name certificates (电工证, 资格证), not 证书/证明/证件; held ones (我的两个证都
    过期了) are none."""
    certifying = _only_kind(kinds, "证", ending=True)
    if certifying is None:
        return []
    return [Mention(said.end() - 1, said.end(), certifying, None) for q in tokens
            if isinstance(q, Quantity) and (dimension(q.unit) == "count" or (q.vague and not q.unit))
            and (said := _CERTIFICATES.match(masked, q.end))
            and _ACQUIRED.search(masked, max(0, q.start - 4), q.start)]


@lru_cache(maxsize=32)
def _only_kind(kinds: tuple[KindWords, ...], fragment: str, ending: bool = False) -> int | None:
    """The index of the one kind with words holding `fragment` (at their end, if `ending`): 考试 in
    自学考试, 证 ending 电工证; None unless exactly one kind has them."""
    found = [i for i, k in enumerate(kinds)
             if any(w.endswith(fragment) if ending else fragment in w for w in k.synonyms)]
    return found[0] if len(found) == 1 else None
