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
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.channel import Incoming
from handlers.binding import HOW_TO_BIND
from handlers.parser import KindWords
from handlers.registry import GUEST, Context, Table
from models import queries
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

        A connection the database dropped (a restart, a failover) is retried once on a fresh
        one: nothing was committed on it, or the claim was and the retry answers from it.
        Other database outages propagate (the webhook answers 503 so WeCom retries).
        """
        if not incoming.interaction:
            return ""
        try:
            return self._handle(incoming)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("database connection lost (%s); retrying %s once", error.orig, incoming.dedup_key)
            return self._handle(incoming)

    def _handle(self, incoming: Incoming) -> str:
        with new_session(self.engine) as session:
            since = utcnow() - timedelta(minutes=1)
            member, recent, waiting = queries.sender(session, userid=incoming.userid, by_openid=self.by_openid,
                                                     since=since)
            if member is None:
                if not (self.by_openid and self._guest_may(incoming)):
                    return HOW_TO_BIND if self.by_openid else NOT_IN_ROSTER
                recent = queries.recent_messages(session, userid=incoming.userid, since=since)   # a guest
            if recent >= self.config.messages_per_minute:
                kept, reply = queries.kept_message(session, dedup_key=incoming.dedup_key)
                if kept:                                                      # a retry of a message we kept
                    return self._retried(incoming.dedup_key, reply)
                log.info("sender %s is over %d messages a minute", member.id if member else "(unbound)",
                         self.config.messages_per_minute)
                return SLOW_DOWN
            if not self._claim(session, incoming):
                return self._first_reply(session, incoming.dedup_key)
            try:
                reply = self._run(session, member, incoming, waiting)
                session.flush()                      # the handler's changes fail here, not after
            except OperationalError:
                raise
            except Exception:
                log.exception("handling %s failed", incoming.dedup_key)
                session.rollback()
                if not self._claim(session, incoming, reply=FAILED):
                    return self._first_reply(session, incoming.dedup_key)
                session.commit()
                return FAILED
            queries.set_reply(session, inbound_id=incoming.inbound_id, reply=reply)
            session.commit()
            return reply

    @staticmethod
    def _claim(session, incoming: Incoming, reply: str | None = None) -> bool:
        """Insert the message's dedup key (unique): False if another delivery claimed it first."""
        inbound = InboundMessage(dedup_key=incoming.dedup_key, userid=incoming.userid,
                                 msg_type=incoming.message_type, reply=reply)
        try:
            incoming.inbound_id = queries.insert_row(session, inbound)
        except IntegrityError:
            session.rollback()
            return False
        return True

    def _guest_may(self, incoming: Incoming) -> bool:
        """Whether an unbound sender's message goes to a handler open to guests (绑定, subscribe)."""
        try:
            handler, _ = self.table.find(incoming.message_type, incoming.text, GUEST)
        except LookupError:
            return False
        return handler is not None

    @classmethod
    def _first_reply(cls, session, dedup_key: str) -> str:
        """The reply kept for a message another delivery claimed."""
        return cls._retried(dedup_key, queries.kept_message(session, dedup_key=dedup_key)[1])

    @staticmethod
    def _retried(dedup_key: str, reply: str | None) -> str:
        """The answer to a repeated delivery: the first one's reply, or "in progress"."""
        log.info("duplicate delivery %s answered from the first reply", dedup_key)
        return reply or IN_PROGRESS

    def _run(self, session, member, incoming: Incoming, waiting: bool) -> str:
        try:
            handler, args = self.table.find(incoming.message_type, incoming.text, member.role if member else GUEST)
        except LookupError:
            return UNSUPPORTED if member else HOW_TO_BIND
        if handler is None:
            return NOT_ALLOWED if member else HOW_TO_BIND
        if waiting and not handler.continues:
            session.exec(delete(PendingConfirmation).where(PendingConfirmation.member_id == member.id))
        ctx = Context(session=session, member=member, config=self.config, now=self.clock(),
                      text=incoming.text, args=args, message=incoming, table=self.table,
                      kind_words=self.kind_words)
        return handler.func(ctx)
