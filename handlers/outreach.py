"""Secretary commands that reach members or the secretary later: 提醒 and 导出."""
from __future__ import annotations

import hashlib
import re

from sqlmodel import select

from handlers import texts
from handlers.registry import Context, command
from models import queries, reach
from models.outbox import Outbox, archive_request, enqueue_notices
from models.periods import this_period_word
from scheduler.recipients import owing_members

ITEM = r"\s*(\S{1,8})?\s*"


def _already_nudged(ctx: Context, userids: list[str]) -> dict[str, set[str]]:
    """userid -> kinds this member was already nudged about today."""
    rows = ctx.session.exec(select(Outbox.userid, Outbox.kinds).where(
        Outbox.topic == "nudge", Outbox.occasion == ctx.today, Outbox.userid.in_(userids))).all()
    found: dict[str, set[str]] = {}
    for userid, kinds in rows:
        found.setdefault(userid, set()).update((kinds or "").split(","))
    return found


@command("提醒", role="secretary", usage="提醒 [读书|心得|难题|会谈|成果]", args=ITEM)
def nudge(ctx: Context) -> str:
    """提醒本支部还没完成的党员（每人每项每天最多一次）"""
    item = ctx.rules.kind_by_name(ctx.args) if ctx.args else None
    if ctx.args and (item is None or not item.required_period):
        return "请发送「提醒」或「提醒 读书」（读书、心得、难题、会谈、成果）。"
    kinds = [item] if item else ctx.rules.five_ones()
    members = queries.branch_members(ctx.session, branch_ids=[ctx.member.branch_id])
    owing = owing_members(ctx.session, kinds=kinds, day=ctx.today,
                          userids=[m.userid for m in members if m.id != ctx.member.id])
    done_today = _already_nudged(ctx, [o.userid for o in owing])
    by_code = {k.code: k for k in kinds}
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    names, skipped = [], 0
    for person in owing:
        codes = [c for c in person.kinds if c not in done_today.get(person.userid, set())]
        if not codes:
            skipped += 1
            continue
        what = "、".join(f"{this_period_word(by_code[c].required_period)}{by_code[c].name}" for c in codes)
        text = f"【支部提醒】{ctx.member.name}提醒您：{what}还未完成。完成后直接发送如「读书一本《红岩》」即可登记。"
        key = hashlib.sha1(",".join(codes).encode()).hexdigest()[:16]
        rows.setdefault(",".join(codes), []).append((person.userid, "nudge", key, text))
        names.append(person.name)
    for codes, batch in rows.items():
        enqueue_notices(ctx.session, batch, occasion=ctx.today, kinds=codes)
    reach.audit(ctx.session, actor=ctx.member, action="nudge", target=f"branch:{ctx.member.branch_id}",
                detail=f"{item.code if item else 'all'}: {len(names)}")
    if not names:
        return "今天没有需要提醒的人了。" if skipped else "大家都完成了，不用提醒。"
    tail = f"（另有 {skipped} 人今天已提醒过）" if skipped else ""
    return texts.fit(f"已提醒 {len(names)} 人{tail}：{'、'.join(names)}")


@command("导出", role="secretary", usage="导出 [年份]", args=r"\s*(\d{4})?\s*年?\s*")
def export(ctx: Context) -> str:
    """导出本支部年度积分档案（Excel 文件）"""
    year = int(re.search(r"\d{4}", ctx.args).group()) if ctx.args else ctx.today.year
    if not 2000 <= year <= ctx.today.year:
        return f"年份不对，请发送如「导出 {ctx.today.year}」。"
    branch = queries.branch_name(ctx.session, branch_id=ctx.member.branch_id)
    if ctx.config.wechat.channel == "mp":
        return (f"公众号不能发送文件。{branch} {year} 年积分档案请由管理员导出："
                f"hongling report export --branch {branch} --year {year} --out 档案.xlsx")
    content = archive_request(branch_id=ctx.member.branch_id, year=year, filename=f"{branch}-{year}年积分档案.xlsx")
    enqueue_notices(ctx.session, [(ctx.member.userid, "export", f"m{ctx.message.inbound_id}", content)],
                    occasion=ctx.today)
    reach.audit(ctx.session, actor=ctx.member, action="export", target=f"branch:{ctx.member.branch_id}",
                detail=str(year))
    return f"正在生成 {branch} {year} 年积分档案，稍后以文件发给您。"
