"""Shared fixtures: a config with fresh secrets, a temp database, the app, and `send_text`.

`send_text(user, text)` goes through the real callback protocol: WeCom-style signed,
AES-encrypted XML built with wechatpy's crypto, posted to the app, reply decrypted.
Set HONGLING_TEST_DATABASE_URL to run everything against PostgreSQL instead of SQLite, and
HONGLING_TEST_CHANNEL=mp (or mp-plain) to run everything over a WeChat Official Account:
then each roster member is bound to an openid and `send_text("liming", …)` sends as that
openid (tests/channel.py).
"""
from __future__ import annotations

import base64
import os
import secrets
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import SQLModel

from bot import create_app
from bot.config import build_config
from bot.simulator import simulator_for
from models.db import make_engine, new_session
from models.migrate import upgrade
from models.roster import RosterRow, upsert_roster
from tests.channel import CHANNEL, ON_MP, bind_roster, mp_secrets, openid_for

TZ = ZoneInfo("Asia/Shanghai")
ROSTER = [
    ("张书记", "zhangsj", "第一支部", "secretary"),
    ("李明", "liming", "第一支部", "member"),
    ("王芳", "wangfang", "第一支部", "member"),
    ("陈书记", "chensj", "第二支部", "secretary"),
    ("刘洋", "liuyang", "第二支部", "member"),
    ("周管理", "zhougl", "机关支部", "admin"),
]


def pytest_configure(config) -> None:
    """Register the `wecom` marker."""
    config.addinivalue_line("markers", "wecom: tests WeCom's own protocol or API (batching, duplicate check, "
                                       "files); skipped when the suite runs on mp, where tests/test_mp*.py cover it")


def pytest_collection_modifyitems(config, items) -> None:
    """On mp, skip the tests of WeCom's own protocol and API."""
    if not ON_MP:
        return
    skip = pytest.mark.skip(reason=f"WeCom only (HONGLING_TEST_CHANNEL={CHANNEL})")
    for item in items:
        if "wecom" in item.keywords:
            item.add_marker(skip)


class Clock:
    """A settable clock in Asia/Shanghai; follows real time until `set` is called."""

    def __init__(self):
        self.fixed: datetime | None = None

    def set(self, *args: int) -> None:
        """Freeze the clock at datetime(*args) local time."""
        self.fixed = datetime(*args, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(TZ)


def fresh_secrets() -> dict:
    """A token and EncodingAESKey like WeCom generates for a new app."""
    return {"token": secrets.token_urlsafe(12),
            "encoding_aes_key": base64.b64encode(secrets.token_bytes(32)).decode().rstrip("="),
            "corp_id": "ww" + secrets.token_hex(8), "agent_id": 1000005, "secret": secrets.token_hex(16)}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated to head once per run; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "hongling.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    """HONGLING_TEST_DATABASE_URL, rebuilt from empty by the migrations once per run."""
    url = os.environ.get("HONGLING_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(engine)
        engine.dispose()
    return url


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path, postgres_url: str | None) -> str:
    """A fresh, empty, migrated database: a copy of the SQLite template, or PostgreSQL truncated."""
    if not postgres_url:
        shutil.copy(sqlite_template, tmp_path / "hongling.db")
        return f"sqlite:///{tmp_path / 'hongling.db'}"
    engine = make_engine(postgres_url)
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    return postgres_url


@pytest.fixture
def config_data(database_url: str) -> dict:
    """Config overrides as a TOML file would hold them (on the channel the suite runs on)."""
    wechat = mp_secrets(plain=CHANNEL == "mp-plain") if ON_MP else fresh_secrets()
    return {"wechat": wechat, "database": {"url": database_url}}


@pytest.fixture
def config(config_data):
    """The validated config (not the embedded default: no demo roster)."""
    return build_config(config_data, source="test")


@pytest.fixture
def clock() -> Clock:
    """The app's clock; call clock.set(2026, 3, 15, 9, 0) to freeze it."""
    return Clock()


@pytest.fixture
def app(config, clock):
    """The Flask app on the temp database, with the test roster imported (and bound, on mp)."""
    application = app_with_roster(config, clock)
    yield application
    application.extensions["hongling"].engine.dispose()


def app_with_roster(config, clock, roster=ROSTER):
    """create_app, then import `roster` (name, userid, branch, role) and bind it on mp."""
    application = create_app(config, clock=clock)
    engine = application.extensions["hongling"].engine
    with new_session(engine) as session:
        upsert_roster(session, rows=[RosterRow(i, *row) for i, row in enumerate(roster, start=2)])
        session.commit()
    if config.wechat.channel == "mp":
        bind_roster(engine)
    return application


@pytest.fixture
def engine(app):
    """The app's database engine."""
    return app.extensions["hongling"].engine


@pytest.fixture
def sim(config):
    """The platform's side of the protocol for this config (WeCom, or WeChat for an mp config)."""
    return simulator_for(config.wechat, openid=openid_for)


@pytest.fixture
def client(app):
    """Flask's test client for the app."""
    return app.test_client()


@pytest.fixture
def post(client, sim):
    """post(params, body) -> response, to /wechat."""
    def _post(params, body):
        return client.post(f"/wechat?{sim.query(params)}", data=body, content_type="application/xml")
    return _post


@pytest.fixture
def send_text(app, config, post, sim):
    """send_text(user, text, msg_id=None) -> the decrypted reply text (asserts HTTP 200).

    On mp a roster member added during the test is bound to their test openid first.
    """
    engine = app.extensions["hongling"].engine

    def _send(user: str, text: str, msg_id: int | None = None) -> str:
        if config.wechat.channel == "mp":
            bind_roster(engine, [user])
        response = post(*sim.text(user, text, msg_id=msg_id))
        assert response.status_code == 200, response.get_data(as_text=True)
        reply = sim.open_reply(response.data)
        assert reply["ToUserName"] == sim.sender_id(user)
        return reply["Content"]
    return _send
