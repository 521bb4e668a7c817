"""Schema migrations: they build exactly the models' schema; a behind schema is refused."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot import create_app
from bot.cli import main
from bot.config import build_config
from models.db import make_engine, new_session
from models.migrate import head
from models.roster import member_count
from tests.test_cli import write_config


def test_migrations_build_exactly_the_models_schema(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_a_database_behind_the_code_is_refused_until_upgraded(tmp_path, config_data, capsys):
    config_data["database"]["url"] = f"sqlite:///{tmp_path / 'new.db'}"
    path = write_config(tmp_path / "c.toml", config_data)
    assert main(["--config", str(path), "entries", "export"]) == 2
    assert "hongling db upgrade" in capsys.readouterr().err
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    assert f"升级到 {head()}" in capsys.readouterr().out
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    assert "已是最新版本" in capsys.readouterr().out
    assert main(["--config", str(path), "entries", "export"]) == 0


def test_the_embedded_default_upgrades_itself_and_imports_the_demo_roster(tmp_path):
    config = build_config({"database": {"url": f"sqlite:///{tmp_path / 'embedded.db'}"}})
    assert config.is_embedded_default
    app = create_app(config)
    engine = app.extensions["hongling"].engine
    with new_session(engine) as session:
        assert member_count(session) == 8
    create_app(config)
    with new_session(engine) as session:
        assert member_count(session) == 8
    engine.dispose()
