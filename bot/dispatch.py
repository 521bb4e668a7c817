"""The dispatcher: who sent it, exactly-once claim of each message, role check, one ordered table.

The sender is resolved through the channel: on WeCom by userid; on a WeChat Official
Account by openid → binding → member. An unbound openid is a guest: it may run only the
handlers marked `role="guest"` (绑定, and the subscribe greeting) and is told how to bind
for anything else, with nothing stored. All permission decisions are made here.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.channel import Incoming
from handlers.binding import HOW_TO_BIND
from handlers.parser import KindWords
from handlers.registry import GUEST, Context, Table
from models import binding, queries
from models.db import new_session
from models.tables import InboundMessage, PendingConfirmation, utcnow

log = logging.getLogger(__name__)

NOT_IN_ROSTER = "您好，您还不在党员名册中，暂时无法使用。请联系所在党支部书记把您加入名册。"
NOT_ALLOWED = "抱歉，您没有使用该功能的权限。发送「帮助」查看可用命令。"
UNSUPPORTED = "暂时只能处理文字消息。发送「帮助」查看可用命令。"
FAILED = "抱歉，处理时出了点问题，这条消息没有登记，请稍后再发一次。"
IN_PROGRESS = "这条消息正在处理，请稍候。"
SLOW_DOWN = "您发送得太快了，请休息一分钟再发。这条消息没有登记。"


class Dispatcher:
    """Runs each incoming message once, inside one database transaction."""

    def __init__(self, *, table: Table, config, engine: Engine, clock: Callable[[], datetime]):
        self.table = table
        self.config = config
        self.engine = engine
        self.clock = clock
        self.by_openid = config.wechat.channel == "mp"
        self.kind_words = tuple(
            KindWords(code=k.code, synonyms=k.synonyms, levels=tuple(k.levels), unit=k.unit)
            for k in config.rules.kinds.values())

    def handle(self, incoming: Incoming) -> str:
        """Reply text for a message; a retried message gets the first reply and changes nothing.

        Database outages propagate (the webhook answers 503 so WeCom retries).
        """
        if not incoming.interaction:
            return ""
        with new_session(self.engine) as session:
            member = self._sender(session, incoming.userid)
            if member is None and not (self.by_openid and self._guest_may(incoming)):
                return HOW_TO_BIND if self.by_openid else NOT_IN_ROSTER
            if queries.recent_messages(session, userid=incoming.userid, since=utcnow() - timedelta(minutes=1)) \
                    >= self.config.messages_per_minute:
                log.info("sender %s is over %d messages a minute", member.id if member else "(unbound)",
                         self.config.messages_per_minute)
                return SLOW_DOWN
            inbound = InboundMessage(dedup_key=incoming.dedup_key, userid=incoming.userid,
                                     msg_type=incoming.message_type)
            session.add(inbound)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                return self._first_reply(session, incoming.dedup_key)
            incoming.inbound_id = inbound.id
            inbound.reply = self._run(session, member, incoming)
            session.commit()
            return inbound.reply

    def _sender(self, session, sender: str):
        """The roster entry behind the channel's sender id (userid, or openid via its binding)."""
        if self.by_openid:
            return binding.member_by_openid(session, openid=sender)
        return queries.member_by_userid(session, userid=sender)

    def _guest_may(self, incoming: Incoming) -> bool:
        """Whether an unbound sender's message goes to a handler open to guests (绑定, subscribe)."""
        try:
            handler, _ = self.table.find(incoming.message_type, incoming.text, GUEST)
        except LookupError:
            return False
        return handler is not None

    @staticmethod
    def _first_reply(session, dedup_key: str) -> str:
        log.info("duplicate delivery %s answered from the first reply", dedup_key)
        stored = session.exec(
            InboundMessage.__table__.select().where(InboundMessage.dedup_key == dedup_key)).first()
        return (stored.reply if stored else None) or IN_PROGRESS

    def _run(self, session, member, incoming: Incoming) -> str:
        try:
            handler, args = self.table.find(incoming.message_type, incoming.text, member.role if member else GUEST)
        except LookupError:
            return UNSUPPORTED if member else HOW_TO_BIND
        if handler is None:
            return NOT_ALLOWED if member else HOW_TO_BIND
        if member is not None and not handler.continues:
            session.exec(delete(PendingConfirmation).where(PendingConfirmation.member_id == member.id))
        ctx = Context(session=session, member=member, config=self.config, now=self.clock(),
                      text=incoming.text, args=args, message=incoming, table=self.table,
                      kind_words=self.kind_words)
        savepoint = session.begin_nested()
        try:
            reply = handler.func(ctx)
            savepoint.commit()
            return reply
        except OperationalError:
            raise
        except Exception:
            savepoint.rollback()
            log.exception("handler %s failed on %s", handler.func.__name__, incoming.dedup_key)
            return FAILED
