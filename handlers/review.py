"""Secretary commands that act: review pending entries, mark leave, look a member up."""
from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from handlers import texts
from handlers.registry import Context, command
from models import queries, reach
from models.tables import Entry, Member, utcnow

_LEAVE = re.compile(r"(?P<name>.+?)\s*(?:至|到|~|-)\s*(?P<date>(?:\d{4}[-年/.])?\d{1,2}[-月/.]\d{1,2}[日号]?)$")


def _day(text: str, today: date) -> date | None:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    year, month, day = numbers if len(numbers) == 3 else (today.year, *numbers)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def notify(ctx: Context, member: Member, topic: str, text: str) -> None:
    """Tell a member something later, through the outbox (exactly once per topic)."""
    from models.outbox import enqueue_one
    enqueue_one(ctx.session, userid=member.userid, topic=topic, period="-", text=text)


@command("待审核", role="secretary", args=r"\s*")
def pending(ctx: Context) -> str:
    """待审核的记录"""
    rows = ctx.session.exec(
        select(Entry, Member).join(Member, Member.id == Entry.member_id)
        .where(Entry.status == "pending", Member.branch_id.in_(reach.branch_ids(ctx.session, member=ctx.member)))
        .order_by(Entry.id).limit(30)).all()
    if not rows:
        return "没有待审核的记录。"
    lines = [f"待审核 {len(rows)} 条："] + [
        f"{texts.entry_line(ctx.rules.kinds[e.kind], e)} · {m.name}" for e, m in rows if e.kind in ctx.rules.kinds]
    lines.append("通过请发「通过 编号」，驳回请发「驳回 编号 原因」。")
    return texts.fit("\n".join(lines))


def _decide(ctx: Context, approve: bool) -> str:
    match = re.fullmatch(r"#?\s*(\d{1,12})\s*(.*)", ctx.args, re.S)
    if not match:
        return "请发送「通过 编号」或「驳回 编号 原因」，编号见「待审核」。"
    found = reach.entry_in_reach(ctx.session, actor=ctx.member, entry_id=int(match.group(1)))
    if found is None or found[0].status != "pending":
        return "没有找到这条待审核的记录，编号见「待审核」。"
    entry, member = found
    reason = match.group(2).strip()[:200]
    if not approve and not reason:
        return "驳回请写明原因，如「驳回 12 证书不清晰」。"
    entry.status = "recorded" if approve else "rejected"
    entry.reviewed_by, entry.reviewed_at, entry.review_note = ctx.member.id, utcnow(), reason or None
    ctx.session.add(entry)
    what = texts.amount(ctx.rules.kinds[entry.kind], entry.quantity, entry.title, entry.level)
    verdict = f"已通过，计 {entry.points:g} 分" if approve else f"未通过，原因：{reason}"
    reach.audit(ctx.session, actor=ctx.member, action="approve" if approve else "reject",
                target=f"entry:{entry.id}", detail=reason or None)
    notify(ctx, member, f"review:{entry.id}", f"【审核结果】您提交的 #{entry.id} {what}{verdict}。")
    return f"#{entry.id} {member.name} {what}：{verdict}。已通知本人。"


@command("通过", role="secretary", usage="通过 编号", args=r"\s*#?\s*\d+\s*")
def approve(ctx: Context) -> str:
    """通过一条待审核记录"""
    return _decide(ctx, approve=True)


@command("驳回", role="secretary", usage="驳回 编号 原因", args=r"\s*#?\s*\d+.*")
def reject(ctx: Context) -> str:
    """驳回一条待审核记录并说明原因"""
    return _decide(ctx, approve=False)


@command("请假", role="secretary", usage="请假 姓名 至 12月31日", args=r"\s*\S.*(至|到).*")
def leave(ctx: Context) -> str:
    """登记党员请假（期间不提醒、不计未完成）"""
    match = _LEAVE.fullmatch(ctx.args)
    until = _day(match.group("date"), ctx.today) if match else None
    if until is None:
        return "请发送如「请假 张三 至 12月31日」。"
    people = reach.members_named(ctx.session, actor=ctx.member, name=match.group("name").strip())
    if len(people) != 1:
        return "本支部没有找到这个人。" if not people else "有重名，请用 userid：" + "、".join(p.userid for p in people)
    person = people[0]
    person.leave_until = until
    ctx.session.add(person)
    reach.audit(ctx.session, actor=ctx.member, action="leave", target=f"member:{person.userid}",
                detail=until.isoformat())
    return f"已登记 {person.name} 请假至 {until:%Y年%m月%d日}，期间不提醒。"


@command("查", role="secretary", usage="查 姓名", args=r"\s+\S{1,30}\s*")
def lookup(ctx: Context) -> str:
    """查看一名党员的进度和最近记录"""
    from models import ledger
    people = reach.members_named(ctx.session, actor=ctx.member, name=ctx.args)
    if len(people) != 1:
        return "本支部没有找到这个人。" if not people else "有重名，请用 userid：" + "、".join(p.userid for p in people)
    person = people[0]
    status, total = ledger.progress(ctx.session, member_id=person.id, rules=ctx.rules, today=ctx.today)
    lines = [f"{person.name}（{queries.branch_name(ctx.session, branch_id=person.branch_id)}）"
             f"本年积分 {total:g} / {ctx.rules.year_target:g}",
             "五个一：" + " ".join(f"{k.name}{'✓' if done else '✗'}" for k, done in status)]
    lines += [texts.entry_line(ctx.rules.kinds[e.kind], e)
              for e in queries.latest_entries(ctx.session, member_id=person.id, limit=8) if e.kind in ctx.rules.kinds]
    return texts.fit("\n".join(lines))
