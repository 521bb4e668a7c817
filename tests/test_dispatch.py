"""The dispatcher's failure paths: a handler that breaks, a database connection that drops."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from bot.dispatch import FAILED
from models.db import make_engine, new_session
from models.tables import Entry, InboundMessage, PendingConfirmation, utcnow


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_breaking_handler_stores_nothing_and_its_retry_gets_the_same_answer(send_text, engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the parser")   # fault injection: stands for any bug in a handler

    assert send_text("liming", "读书").startswith("是要登记")          # a pending 是/否 question
    with monkeypatch.context() as patch:
        patch.setattr("handlers.report.read", broken)
        assert send_text("liming", "读书一本《红岩》", msg_id=880001) == FAILED
    assert count(engine, Entry) == 0
    assert count(engine, PendingConfirmation) == 1                   # rolled back with the rest
    assert send_text("liming", "读书一本《红岩》", msg_id=880001) == FAILED   # WeCom's retry: first answer
    assert count(engine, Entry) == 0
    assert send_text("liming", "读书一本《红岩》").startswith("已记录：读书 1 本《红岩》+2 分。")
    assert count(engine, Entry) == 1


def test_a_handler_whose_changes_cannot_be_saved_answers_politely(send_text, engine, monkeypatch):
    from handlers import report

    def asks_twice(ctx, reading):                 # fault injection: two questions for one member (unique)
        report_ask(ctx, reading)
        ctx.session.add(PendingConfirmation(member_id=ctx.member.id, source_text=ctx.text, payload="[]",
                                            expires_at=utcnow()))
        return "是要登记吗？"

    report_ask = report._ask
    with monkeypatch.context() as patch:
        patch.setitem(report._BY_INTENT, "unsure", asks_twice)
        assert send_text("liming", "读了点书", msg_id=880003) == FAILED
    assert count(engine, PendingConfirmation) == 0
    assert send_text("liming", "读了点书", msg_id=880003) == FAILED
    assert send_text("liming", "读了点书").startswith("是要登记")


def test_a_retry_of_a_kept_message_is_answered_even_at_the_rate_limit(send_text, app, engine):
    limit = app.extensions["hongling"].config.messages_per_minute
    for i in range(limit - 1):
        send_text("liming", "你好", msg_id=881000 + i)
    first = send_text("liming", "读书一本《红岩》", msg_id=881999)    # the limit-th message of the minute
    assert first.startswith("已记录")
    assert send_text("liming", "读书一本《红岩》", msg_id=881999) == first   # WeCom's retry: same answer
    assert "太快" in send_text("liming", "读书一本《长征》")          # a new message is slowed
    assert count(engine, Entry) == 1


def test_the_pending_question_is_cleared_by_another_message_only_when_there_is_one(send_text, engine):
    assert send_text("liming", "我的积分")                           # no question waiting: nothing to clear
    assert send_text("liming", "读书").startswith("是要登记")
    assert count(engine, PendingConfirmation) == 1
    assert send_text("liming", "我的积分")
    assert count(engine, PendingConfirmation) == 0
    assert send_text("liming", "是").startswith("您好")                # the question is gone
    assert count(engine, Entry) == 0


def test_a_connection_dropped_by_the_database_is_replaced_without_losing_the_message(send_text, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a database server that can drop a connection (make test-postgres)")
    assert send_text("liming", "交流心得一次").startswith("已记录")
    killer = make_engine(engine.url.render_as_string(hide_password=False))
    with killer.connect() as conn:                                 # as a database restart would
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    killer.dispose()
    assert killed >= 1                                             # the app's pooled connection
    assert send_text("liming", "读书一本《红岩》", msg_id=880002).startswith("已记录：读书 1 本《红岩》")
    assert count(engine, Entry) == 2
    assert count(engine, InboundMessage) == 2
