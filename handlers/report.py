"""Free-text reports: read the message, score it, answer; ask when unsure."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import delete, select

from handlers import texts
from handlers.parser import Reading, read
from handlers.registry import Context, command
from models import ledger
from models.tables import PendingConfirmation, utcnow

CONFIRM_MINUTES = 10
YES = ("是", "是的", "对", "确认", "好", "好的", "嗯")
NO = ("否", "不是", "不", "取消", "不对")
GREETING = "您好！我是红领学习助手。直接发送如「读书一本《红岩》」即可登记学习，" + texts.HELP_POINTER


def _claims(reading: Reading, today: date) -> list[ledger.Claim]:
    return [ledger.Claim(kind=i.kind, quantity=float(i.quantity), occurred_on=i.occurred_on or today,
                         title=i.title, level=i.level) for i in reading.items]


def _answer(ctx: Context, claims: list[ledger.Claim]) -> str:
    outcomes = ledger.record(ctx.session, member=ctx.member, claims=claims, rules=ctx.rules,
                             today=ctx.today, source_text=ctx.text, inbound_id=ctx.message.inbound_id)
    done = [o for o in outcomes if o.entry is not None]
    recorded = [texts.with_points(texts.amount(o.rule, o.claim.quantity, o.claim.title, o.claim.level),
                                  o.entry.points) for o in done if o.entry.status == "recorded"]
    pending = [f"{texts.amount(o.rule, o.claim.quantity, o.claim.title, o.claim.level)}"
               f"（待支部书记审核，通过后计 {o.entry.points:g} 分）" for o in done if o.entry.status == "pending"]
    head = "".join(f"{label}：{'；'.join(items)}。" for label, items
                   in (("已记录", recorded), ("已提交", pending)) if items)
    periods = ["month"] + [o.rule.required_period for o in done if o.rule.required_period]
    lines = [head + texts.status_line(ctx, periods)]
    lines += [f"注意：{note}。" for o in done for note in o.notes]
    lines += [f"未登记{o.rule.name}：{o.refused}。" for o in outcomes if o.refused]
    return texts.fit("\n".join(lines))


def _ask(ctx: Context, reading: Reading) -> str:
    claims = _claims(reading, ctx.today)
    ctx.session.add(PendingConfirmation(
        member_id=ctx.member.id, source_text=ctx.text,
        payload=json.dumps([{**c.__dict__, "occurred_on": c.occurred_on.isoformat()} for c in claims],
                           ensure_ascii=False),
        expires_at=utcnow() + timedelta(minutes=CONFIRM_MINUTES)))
    what = "、".join(texts.amount(ctx.rules.kinds[c.kind], c.quantity, c.title, c.level) for c in claims)
    return f"是要登记「{what}」吗？回复「是」确认，回复「否」取消。"


def _explain(ctx: Context, reading: Reading) -> str:
    rule = ctx.rules.kinds.get(reading.topic or "")
    if rule is None:
        return f"本年积分目标 {ctx.rules.year_target:g} 分。" + texts.HELP_POINTER
    if rule.levels:
        how = "、".join(f"{name} {pts:g} 分" for name, pts in rule.levels.items())
    else:
        how = f"每 {rule.unit} {rule.points:g} 分"
    cap = ""
    word = {"month": "月", "quarter": "季度", "halfyear": "半年", "year": "年"}[rule.cap_period]
    if rule.cap is not None:
        cap = f"，每{word}最多计 {rule.cap:g} {rule.unit}"
    elif rule.cap_points is not None:
        cap = f"，每{word}最多计 {rule.cap_points:g} 分"
    review = "，需支部书记审核" if rule.approval else ""
    return f"{rule.name}：{how}{cap}{review}。直接发送如「{rule.synonyms[0] if rule.synonyms else rule.name}1{rule.unit}」即可登记。"


def _negation(ctx: Context, reading: Reading) -> str:
    owed = [k.name for k, done in ledger.five_ones_status(
        ctx.session, member_id=ctx.member.id, rules=ctx.rules, today=ctx.today) if not done]
    tail = f"目前还差：{'、'.join(owed)}。" if owed else "五个一都已完成。"
    return "好的，没有登记。完成后直接告诉我即可。" + tail


_BY_INTENT = {
    "report": lambda ctx, reading: _answer(ctx, _claims(reading, ctx.today)),
    "unsure": _ask,
    "question": _explain,
    "negation": _negation,
}


@command("是", "否", *[w for w in YES + NO if w not in ("是", "否")], exact=True, hidden=True, continues=True)
def confirm(ctx: Context) -> str:
    """Resolve a pending 是/否 question."""
    pending = ctx.session.exec(
        select(PendingConfirmation).where(PendingConfirmation.member_id == ctx.member.id)).first()
    if pending is None or pending.expires_at < utcnow():
        return GREETING
    ctx.session.exec(delete(PendingConfirmation).where(PendingConfirmation.id == pending.id))
    if ctx.text in NO:
        return "好的，已取消，没有登记。"
    claims = [ledger.Claim(**{**c, "occurred_on": date.fromisoformat(c["occurred_on"])})
              for c in json.loads(pending.payload)]
    ctx.text = pending.source_text
    return _answer(ctx, claims)


@command(hidden=True)
def report(ctx: Context) -> str:
    """登记学习活动"""
    reading = read(ctx.text, kinds=ctx.kind_words, today=ctx.today)
    handle = _BY_INTENT.get(reading.intent)
    return handle(ctx, reading) if handle and (reading.items or reading.intent != "report") else GREETING
