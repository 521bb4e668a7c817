"""hongling: a WeCom / WeChat Official Account chatbot for the 党员学习积分制 and the 五个一.

`create_app(config)` is the only way in: nothing is built at import time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Callable
from zoneinfo import ZoneInfo

from flask import Flask, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from bot.channel import Channel, ChannelError
from bot.config import Config, WeChatConfig, load_config
from bot.dispatch import Dispatcher
from handlers import HANDLER_MODULES
from handlers.registry import Table
from models.db import create_schema, make_engine, new_session
from models.roster import member_count, parse_roster, upsert_roster

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


@dataclass
class AppState:
    """What the blueprint needs, hung on `app.extensions["hongling"]`."""

    config: Config
    engine: Engine
    channel: Channel
    dispatcher: Dispatcher


def make_channel(cfg: WeChatConfig) -> Channel:
    """The channel adapter `[wechat] channel` names: WeCom, or a WeChat Official Account ("mp")."""
    if cfg.channel == "mp":
        from bot.mp import MpChannel
        return MpChannel(cfg)
    from bot.wecom import WeComChannel
    return WeComChannel(cfg)


def seed_demo_roster(engine: Engine) -> int:
    """Import the bundled demo roster into an empty database; returns members added."""
    with new_session(engine) as session:
        if member_count(session):
            return 0
        with resources.as_file(resources.files("bot").joinpath("demo_roster.csv")) as path:
            added, _, _ = upsert_roster(session, rows=parse_roster(path))
        session.commit()
        return added


def _error_hooks(app: Flask) -> None:
    @app.errorhandler(ChannelError)
    def _refused(exc: ChannelError):
        log.warning("refused callback: %s", exc.reason)
        return Response(exc.reason, status=exc.status, mimetype="text/plain")

    @app.errorhandler(OperationalError)
    def _database_down(exc: OperationalError):
        log.error("database unavailable: %s", type(exc.orig).__name__)
        return Response("database unavailable, retry later", status=503, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return Response(exc.name, status=exc.code, mimetype="text/plain")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return Response("internal error", status=500, mimetype="text/plain")


def create_app(config: Config | None = None, *, clock: Callable[[], datetime] | None = None,
               engine: Engine | None = None) -> Flask:
    """Build the Flask app: config, database, channel, dispatch table, blueprint."""
    from bot import webhook

    config = config or load_config()
    tz = ZoneInfo(config.rules.timezone)
    engine = engine or make_engine(config.database_url, pre_ping=False)   # dispatcher retries instead
    create_schema(engine, upgrade_if_behind=config.is_embedded_default)
    if config.is_embedded_default:
        added = seed_demo_roster(engine)
        if added:
            log.info("imported the demo roster: %d members", added)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    table = Table.from_modules(HANDLER_MODULES, channel=config.wechat.channel)
    app.extensions["hongling"] = AppState(
        config=config, engine=engine, channel=make_channel(config.wechat),
        dispatcher=Dispatcher(table=table, config=config, engine=engine,
                              clock=clock or (lambda: datetime.now(tz))),
    )
    app.register_blueprint(webhook.bp)
    _error_hooks(app)
    return app
