"""Non-text messages: pictures as evidence for a recent report, and app events."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers import texts
from handlers.binding import WELCOME
from handlers.registry import GUEST, Context, command
from models.tables import Entry, utcnow

EVIDENCE_MINUTES = 30


@command(message_type="image", hidden=True)
def evidence(ctx: Context) -> str:
    """Attach a picture to the member's latest entry of the last 30 minutes."""
    entry = ctx.session.exec(
        select(Entry).where(Entry.member_id == ctx.member.id, Entry.status.in_(("recorded", "pending")),
                            Entry.evidence_media_id.is_(None),
                            Entry.created_at >= utcnow() - timedelta(minutes=EVIDENCE_MINUTES))
        .order_by(Entry.id.desc()).limit(1)).first()
    if entry is None:
        return f"收到图片。请先发送学习内容登记，再在 {EVIDENCE_MINUTES} 分钟内发送图片作为佐证。"
    entry.evidence_media_id = ctx.message.media_id
    entry.evidence_url = (ctx.message.pic_url or "")[:500] or None
    ctx.session.add(entry)
    rule = ctx.rules.kinds.get(entry.kind)
    what = texts.amount(rule, entry.quantity, entry.title, entry.level) if rule else entry.kind
    return f"已将图片作为 #{entry.id} {what} 的佐证保存。"


@command(message_type="event", role=GUEST, hidden=True)
def app_event(ctx: Context) -> str:
    """Greet on subscribe (an unbound follower learns how to bind); other events need no answer."""
    if ctx.message.event != "subscribe":
        return ""
    if ctx.member is None:
        return WELCOME
    return f"{ctx.member.name}同志您好！我是红领学习助手。直接发送如「读书一本《红岩》」即可登记学习，发送「帮助」查看命令。"
