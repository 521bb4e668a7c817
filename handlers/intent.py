"""What a clause means to do — ask, deny, plan or report — and message-wide cues (a notice to
others, a thank-you). The cue words are in handlers.cues. Pure; no I/O.
"""
from __future__ import annotations

from datetime import date

from handlers import cues
from handlers.clauses import DONE_WORD, cue_text, named
from handlers.dates import DateMark
from handlers.numerals import Quantity, dimension
from handlers.titles import Title
from handlers.tokens import Clause, Mention


def _done(text: str, clause: Clause) -> bool:
    """The clause says something was finished (了/完) and names a title or an exact amount."""
    return bool(cues.DONE.search(cues.PRAISED.sub("", text[clause.start:clause.end]))) and any(
        isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens)


def later(clause: Clause, today: date) -> bool:
    """The clause names a day after today (下周, 明天, 明年)."""
    return any(isinstance(t, DateMark) and t.on and t.on > today for t in clause.tokens)


def _future(clause: Clause, today: date) -> bool:
    """A day after today and no amount or title (a length in days is none): a plan (下周交流心得,
    明年想报个自考, 下周有两天的培训)."""
    return later(clause, today) and not any(isinstance(t, Title) or (
        isinstance(t, Quantity) and not t.vague and dimension(t.unit) != "day") for t in clause.tokens)


def _referred(text: str, clause: Clause) -> bool:
    """Kind words each right after 那个/这个 in a clause with no amount, no title and nothing
    finished (那个电表难题，厂家说下周来处理): the thing is spoken of, not reported."""
    if cues.FINISHED.search(text, clause.start, clause.end) or any(
            isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens):
        return False
    cue, kind_at = cue_text(text, clause), [t.start - clause.start for t in clause.tokens if isinstance(t, Mention)]
    return bool(kind_at) and all(cues.REFERENCE.search(cue, max(0, at - 10), at) for at in kind_at)


def _still_to_do(text: str, clause: Clause, cue: str, today: date) -> bool:
    """A cue of something still to do (回头, 约了, 寻思, 借书: `cues.LATER`) with no verb of doing after it
    in its space-separated part (约了书记下午深度会谈; but 昨天约了书记深度会谈了一次)."""
    cue_found = cues.LATER.search(cue)
    if not cue_found or (cue_found.group().startswith("再") and any(
            isinstance(t, DateMark) and t.on and t.on < today for t in clause.tokens)):
        return False  # 11月3日再解决1项: again, on a past day
    start = clause.start + cue_found.end()
    space = cues.SPACE.search(text, start, clause.end)
    return not DONE_WORD.search(text, start, space.start() if space else clause.end)


def mood(text: str, clause: Clause, today: date) -> str:
    """"question", "negation", "plan" (intent, opinion, hypothesis, a later day, praise of others,
    what someone else did, a thing spoken of) or "report"."""
    cue = cues.INDIRECT.sub("", cues.ANY.sub(r"\1", cue_text(text, clause)))
    if cues.RHETORIC.match(cue):
        return "plan"  # 谁说我这个月没读书？, 如果你问我这个月学了啥: a lead-in to what was done
    if clause.asked or cues.QUESTION.search(cue):
        return "question"
    tally = cues.TALLY.search(cue)
    if tally and "几" in tally.group():
        return "question"  # 本月还有几个人没交流心得: how many members
    if cues.ADDRESSED.match(cue):
        return "plan"  # @王磊 你们两位的…还没交: said to others
    if tally or cues.ACK.fullmatch(text, clause.start, clause.end) or (
            cues.AHEAD_ITEM.match(cue) and cues.STILL_AHEAD.search(text, max(0, clause.start - 5), clause.start)):
        return "plan"  # 还有5人未完成: a count of members, not the member's doing; 学习了: an acknowledgement;
        # 下午还有个培训: still ahead
    denial = cues.NEGATION.search(cues.NOT_DENIAL.sub("", cue))
    if denial and _plan_goes_on(cue):
        return "plan"  # 准备写篇论文 题目还没想好: what is not done yet is part of the plan
    if denial or any(
            isinstance(t, Quantity) and t.value == 0 for t in clause.tokens) or (
            cues.STILL.search(cue) and all(t.level for t in clause.tokens if isinstance(t, Mention))):
        return "negation"
    if cues.FINISHED.search(text, clause.start, clause.end):  # 心得交流的话在部门会上讲过一次: 的话 after a kind word is "as for"
        cue = cues.TOPIC.sub("\0", cue)
    if (cues.PLAN.search(cue) or _still_to_do(text, clause, cue, today) or _described(cue, clause)
            or cues.PRAISE.search(text, clause.start, clause.end)
            or (cues.PROGRESS.search(cue) and not cues.DONE.search(cue)) or _future(clause, today)
            or _referred(text, clause) or cues.OTHERS.match(cue) or _crowd(cue)
            or (cues.FIRST.search(cue) and not cues.SAID_DONE.search(text, clause.start, clause.end))
            or (cues.STRANGERS.match(cue) and not cues.SELF.search(cue))
            or cues.ENROLL.search(text, clause.start, clause.end)):
        return "plan"
    opinion = cues.OPINION.search(cue)
    return "plan" if opinion and not _done(text, clause) and not _judged_after(cue, opinion.start()) else "report"


def _crowd(cue: str) -> bool:
    """A crowd did it (好几个同事都上台交流了, 一到月底大家都在赶着读书), not the member with them (我和大家都参加了,
    带着同事们都学习了)."""
    crowd = cues.CROWD.search(cue, 0, max(0, cue.find("\0")))
    return bool(crowd) and not cues.SELF.search(cue) and not cues.WITH.search(cue, 0, crowd.start())


def _judged_after(cue: str, at: int) -> bool:
    """An opinion in a part of its own, after a part saying a kind was done (交流了理货心得 很好)."""
    space = cue.rfind(" ", 0, at)
    return space > 0 and "\0" not in cue[space:] and "\0" in cue[:space] and bool(cues.DONE.search(cue, 0, space))


def _plan_goes_on(cue: str) -> bool:
    """A plan, then a space and a part naming no kind that says something is not done yet (准备写篇论文
    题目还没想好)."""
    space = cue.rfind(" ")
    plan = cues.PLAN.search(cue, 0, space) if space > 0 and "\0" not in cue[space:] else None
    return bool(plan) and not plan.group().startswith("按")  # 按要求听了党课 笔记没交: a denial


def _described(cue: str, clause: Clause) -> bool:
    """A level said of someone with no day and no 刚 (段里新来了俩大学生，本科毕业的; 我是大专毕业的): what
    they are, no new degree (我是今年本科毕业的 is one)."""
    said = [t for t in clause.tokens if isinstance(t, Mention)]
    return (bool(cues.DESCRIBED.search(cue)) and any(t.level for t in said) and not all(t.level for t in said)
            and not any(isinstance(t, DateMark) for t in clause.tokens) and not cues.JUST.search(cue))


def told_on(text: str, clause: Clause, told: Clause) -> bool:
    """After a clause telling what someone else did (我们班小李这个月读了四本书), the clause goes on
    about them: it names no one (我, 他, 本人; nor did the clause before) and no day of its own, and
    tells on with a verb and 了 (…，交流了三次心得; but 老刘读了两本书，读书一本 is the member's)."""
    cue, before = cue_text(text, clause), cue_text(text, told)
    return (bool(cues.OTHERS.match(before)) and not cues.ONESELF.search(before + cue)
            and not cues.THIRD.search(cue) and not any(isinstance(t, DateMark) for t in clause.tokens)
            and bool(cues.NARRATED.match(cue)))


def asked_after(text: str, clause: Clause, today: date) -> int | None:
    """Where a question of points said after a space begins (几, 多少, 排名, 进度), when the part before
    it is a report with an exact amount or a title (读书一本 算几分; 心得交流一次 我现在积分多少了), else
    None (俺看了一本《红岩》 这样报中不中: whether it counts, a question)."""
    space, cue = text.rfind(" ", clause.start, clause.end), cue_text(text, clause)
    if (space <= clause.start or not cue[:space - clause.start].strip()
            or not cues.HOW_MUCH.search(cue, space - clause.start)):
        return None
    head = Clause(clause.start, space, False, after=clause.after)
    head.tokens = [t for t in clause.tokens if t.end <= space]
    tail_named = any(isinstance(t, Mention) and t.start > space for t in clause.tokens)
    if tail_named or not any(isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in head.tokens):
        return None
    return space + 1 if mood(text, head, today) == "report" and not eligible(text, clause) else None


def heading(text: str, clause: Clause) -> bool:
    """The clause is a line of its own ending with a colon, or naming a plan (下周计划), above more
    (下个月学习计划：, 本季度：)."""
    said = text[clause.start:clause.end].rstrip()
    return (said.endswith(":") or bool(cues.PLAN_HEADING.fullmatch(said.strip()))) and text.startswith(
        "\n", clause.end) and bool(text[clause.end:].strip())


def planned_line(text: str, clause: Clause, today: date) -> int:
    """Where the line ends when the clause opens with a plan's heading for a later day or this period, a
    colon and the first item (下个月学习计划：读书一本，…; 12月计划：… in December): the items after it on
    that line are planned too; else 0."""
    colon = text.find(":", clause.start, clause.end)
    intends = colon >= 0 and cues.INTENDS.search(text, clause.start, colon)
    if colon < 0 or not (intends or cues.PLAN_HEADING.search(text, clause.start, colon)) or not any(
            isinstance(t, DateMark) and t.on and (t.on > today or (intends and t.on == today)) and t.start < colon
            for t in clause.tokens):
        return 0
    ends = [at for at in (text.find("\n", clause.end), text.find("。", clause.end)) if at >= 0]
    return min(ends, default=len(text))


def plans_ahead(text: str, clause: Clause, today: date) -> bool:
    """A heading for a later day (下个月：) or of a plan (本月学习计划：), not of what became of one
    (计划完成情况：)."""
    return later(clause, today) or (bool(cues.INTENDS.search(text, clause.start, clause.end))
                                    and not cues.OUTCOME.search(text, clause.start, clause.end))


def turns_to_now(text: str, clause: Clause) -> bool:
    """The clause names this period or an earlier one (本月读书2本, 本月实际：): a planned list has ended."""
    return any(isinstance(t, DateMark) and cues.NOW_OR_BEFORE.match(text, t.start) for t in clause.tokens)


def says_done(text: str, clause: Clause) -> bool:
    """The clause says something was done (了, 过, 完, 已, 通过; not 完成 opening a planned line: 完成安全培训8学时)."""
    return bool(cues.DONE_ANY.search(cues.TO_COMPLETE.sub("", text[clause.start:clause.end])))


def listed_on(text: str, clause: Clause, planned: Clause) -> bool:
    """After a plan saying what is meant to be done (计划, 打算, 准备, 争取), the clause names a kind
    with no word of doing, no title and no day of its own, and no amount unless the plan named a kind
    and how much (计划深度会谈两次，解决难题三个; 我想明年报个在职研究生，读个硕士; but 希望书记多指导，
    交流心得一次): the next thing meant."""
    if (clause.after or not named(clause) or cues.DONE_ANY.search(text, clause.start, clause.end)
            or not cues.INTENDS.search(cue_text(text, planned))):
        return False
    counting = named(planned) and any(isinstance(t, Quantity) and not t.vague for t in planned.tokens)
    return not any(isinstance(t, (DateMark, Title)) or (isinstance(t, Quantity) and not t.vague and not counting)
                   for t in clause.tokens)


def goes_on(text: str, clause: Clause, planned: Clause, named_there: list[str], kinds) -> bool:
    """After a plan saying something is under way (正在写心得, 还在看), the clause names only kinds
    that one named (`named_there`), with no amount or title, and no day unless nothing is said done
    (正在写心得，写完了交流; 准备中，周三交流): it goes on about it."""
    codes = {kinds[t.kind].code for t in clause.tokens if isinstance(t, Mention)}
    dated = any(isinstance(t, DateMark) for t in clause.tokens)
    if (not codes or not codes <= set(named_there) or (dated and cues.DONE_ANY.search(cue_text(text, clause)))
            or not cues.UNDER_WAY.search(cue_text(text, planned))):
        return False
    return not any(isinstance(t, Title) or (isinstance(t, Quantity) and not t.vague) for t in clause.tokens)


def unfinished(text: str, clause: Clause) -> bool:
    """The clause says something begun is not finished yet (还没看完): after a clause saying it is
    under way (我正在看《三体》) that is progress, not a negation."""
    return bool(cues.UNFINISHED.search(text, clause.start, clause.end))


def only_unfinished(text: str, clause: Clause) -> bool:
    """The clause names the kind and no amount, ordinal or other thing (还没读完; not 第三本还没读完,
    还有一本没看完, 笔记还没整理完)."""
    return (named(clause) and not any(isinstance(t, Quantity) for t in clause.tokens)
            and not cues.ORDINAL.search(text, clause.start, clause.end))


def eligible(text: str, clause: Clause) -> bool:
    """The clause asks whether something counts (这个能报读书吗, 能算吗)."""
    return bool(cues.ELIGIBLE.search(cue_text(text, clause)))


def again(text: str, clause: Clause) -> bool:
    """The clause adds one more of something (又做了个课件, 还参加了2学时)."""
    return (clause.after == "还" and (text.startswith("有", clause.start) or any(
        isinstance(t, (Quantity, Title)) for t in clause.tokens))) or bool(
        cues.AGAIN.search(cue_text(text, clause)))  # 写了心得还在群里交流了: the same one


def meant(text: str, clause: Clause) -> bool:
    """The clause says what was meant to be done (本来想这周把《三体》读完的, 原打算…): a denial after it with no
    kind of its own (到现在一页都没翻) denies that."""
    return bool(cues.MEANT.match(text, clause.start))


def contrasts(text: str, clause: Clause) -> bool:
    """The clause begins with 但是/可是/不过, or sets the member apart (就我还没有, 只有我没交): a negation
    in it denies what came before."""
    return clause.after in ("但", "但是", "可是", "不过") or bool(cues.ONLY_ME.match(text, clause.start))


def likewise(text: str, clause: Clause) -> bool:
    """The clause names kinds and says only 也是/也一样 of them (心得也是): the same as the clause before."""
    return bool(cues.LIKEWISE.match(cue_text(text, clause)))


def zero(text: str, clause: Clause) -> bool:
    """The clause names no kind and counts zero (数量：0本) or not one (学习成果还一项都没有): it denies
    what the clause before names."""
    return not named(clause) and (any(isinstance(t, Quantity) and t.value == 0 for t in clause.tokens)
                                  or bool(cues.NOT_ONE.match(text, clause.start)))


def collective(text: str, clause: Clause) -> tuple[str, ...]:
    """The set phrases of the clause that stand for all the activities, said not done (本月五个一都
    还没完成; 别忘了报五个一 is a reminder), or `nothing` (啥都没学, or a verb of the activities denied
    in a clause naming no kind: 学习任务都还没完成, 没授权): the clause denies something without naming
    a kind."""
    said = text[clause.start:clause.end]
    if cues.NOTHING.search(said) or (cues.UNDONE.search(said) and not named(clause)):
        return ("一切",)
    return ("五个一",) if "五个一" in said and cues.NOT_DONE.search(said) else ()


def hedged(text: str, clause: Clause) -> bool:
    """The clause hedges its amount (大概, 左右, 或, 好像)."""
    return bool(cues.APPROX.search(cue_text(text, clause)))


def notice_lines(text: str) -> list[tuple[int, int]]:
    """The lines (first position, position of their line break or the end) that are part of a notice
    to others (请大家…, 关于…的通知, 转发: its line and the lines below it) or of praise of another
    (小王的论文发表了，大家给他点个赞: the whole message), or of a blank form (模板：… 读书：__本): they
    name activities without reporting them or asking about them. A reply below a quoted notice, from a line opening with 收到/好的
    (收到！读书一本), is not, nor the member's own part after it (…报送。 我的：读书一本): a notice
    line ends there. A message quoted above the reply (「张书记：…」 and a line of dashes, as WeCom
    shows a quote) is someone else's words."""
    if cues.PRAISE.search(text) and cues.THIRD.search(text):
        return [(0, len(text))]
    quoted = cues.QUOTED.match(text)
    replies = [m.start() for m in cues.REPLY.finditer(text)] + ([quoted.end()] if quoted else [])
    template = cues.TEMPLATE.search(text)
    owns = [] if template else [m.start() for m in cues.OWN.finditer(text)]
    blank_form = bool(template and cues.BLANK.search(text))
    lines, start = ([(0, quoted.end())], quoted.end()) if quoted else ([], 0)
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        reply = max((r for r in replies + owns if r <= start), default=0)
        notice = cues.NOTICE.search(text, reply, end) or (blank_form and (  # 模板：读书：__本: a line of a blank form
            cues.BLANK.search(text, start, end) or cues.TEMPLATE.search(text, start, end)))
        if notice:
            lines.append((start, next((o for o in owns if notice.end() <= o < end), end)))
        start = end + 1
    return lines


def acted(text: str, clause: Clause) -> bool:
    """The clause, apart from the thanks, says the member did it with someone or somewhere (和同事交流了
    心得, 把心得在班组里交流了), rather than that a thing got done (电脑的问题解决了) or was done for them
    (谢谢你把课件发我)."""
    cue = cue_text(text, clause)
    return bool(cues.ACTED.search(cue, 0, cues.FOR_ME.search(cue).start()))


def is_thanks(text: str) -> bool:
    """The message thanks someone (谢谢, 感谢)."""
    return bool(cues.THANKS.search(text))
