"""Config loading: defaults, the documented example, and errors that name the key."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import build_config, load_config
from models.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def keys(table: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in table.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= keys(value, f"{prefix}{key}.")
    return found


def test_example_documents_every_default_key_and_the_same_rules():
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    defaults = tomllib.loads((ROOT / "bot" / "defaults.toml").read_text(encoding="utf-8"))
    assert keys(example) == keys(defaults)
    assert example["rules"] == defaults["rules"]


def test_default_rules_reproduce_the_domain_table():
    rules = build_config().rules
    table = {code: (k.points, k.cap, k.cap_points, k.cap_period, k.approval) for code, k in rules.kinds.items()}
    assert table == {
        "book": (2, 3, None, "month", False), "insight": (2, 2, None, "month", False),
        "problem": (5, 3, None, "quarter", False), "talk": (3, 2, None, "halfyear", False),
        "result": (5, 5, None, "year", False), "training": (0.5, None, 20, "year", False),
        "theory": (1, 24, None, "year", False), "exam": (3, None, None, "year", False),
        "skill": (5, None, None, "year", True), "degree": (0, None, None, "year", True),
        "transfer": (5, None, None, "year", True),
    }
    assert dict(rules.kinds["degree"].levels) == {"大专": 5, "本科": 8, "硕士": 10, "博士": 15}
    assert [k.code for k in rules.five_ones()] == ["book", "insight", "problem", "talk", "result"]
    assert (rules.year_target, rules.grace_days) == (60, 5)


def test_embedded_default_is_used_without_a_file():
    config = load_config(None, environ={})
    assert config.is_embedded_default and config.database_url.startswith("sqlite:")


@pytest.mark.parametrize("overrides, key", [
    ({"rules": {"kinds": {"book": {"points": -1}}}}, "rules.kinds.book.points"),
    ({"rules": {"kinds": {"book": {"cap_period": "week"}}}}, "rules.kinds.book.cap_period"),
    ({"rules": {"kinds": {"book": {"approval": "yes"}}}}, "rules.kinds.book.approval"),
    ({"rules": {"kinds": {"book": {"pionts": 2}}}}, "rules.kinds.book.pionts"),
    ({"rules": {"kinds": {"new": {"name": "新", "unit": "次"}}}}, "rules.kinds.new.points"),
    ({"rules": {"year_target": "60"}}, "rules.year_target"),
    ({"wechat": {"encoding_aes_key": "short"}}, "wechat.encoding_aes_key"),
    ({"wechat": {"agent_id": "1000002"}}, "wechat.agent_id"),
    ({"wechat": {"delivery": "carrier-pigeon"}}, "wechat.delivery"),
    ({"server": {"port": 70000}}, "server.port"),
    ({"database": {"url": 5}}, "database.url"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_wrong_key_is_named(overrides, key):
    with pytest.raises(ConfigError) as error:
        build_config(overrides)
    assert error.value.key == key and key in str(error.value)


def test_dev_secrets_are_refused_in_a_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[server]\nport = 9000\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.key == "wechat.token"


MP = {"channel": "mp", "app_id": "wx1234567890abcdef"}


@pytest.mark.parametrize("wechat, key", [
    ({"channel": "sms"}, "wechat.channel"),
    ({"channel": "mp"}, "wechat.app_id"),
    ({**MP, "encoding_aes_key": "short"}, "wechat.encoding_aes_key"),
    ({"corp_id": ""}, "wechat.corp_id"),
    ({"agent_id": 0}, "wechat.agent_id"),
    ({"encoding_aes_key": ""}, "wechat.encoding_aes_key"),          # WeCom has no plain mode
    ({**MP, "template": {"id": "TPL"}}, "wechat.template.fields"),
    ({**MP, "template": {"id": "TPL", "fields": {"first": "{titel}"}}}, "wechat.template.fields.first"),
    ({**MP, "template": {"id": "TPL", "fields": {"first": 5}}}, "wechat.template.fields.first"),
    ({**MP, "template": {"id": "TPL", "fields": {"first": "{body:.x}"}}}, "wechat.template.fields.first"),
    ({**MP, "invite_days": 0}, "wechat.invite_days"),
    ({**MP, "bind_attempts_per_hour": "5"}, "wechat.bind_attempts_per_hour"),
    ({**MP, "app_id": "CHANGE_ME"}, "wechat.app_id"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_wrong_wechat_key_is_named(wechat, key):
    with pytest.raises(ConfigError) as error:
        build_config({"wechat": wechat})
    assert error.value.key == key and key in str(error.value)


def test_an_official_account_in_plain_or_safe_mode_with_a_template():
    plain = build_config({"wechat": {**MP, "encoding_aes_key": ""}}).wechat
    assert (plain.channel, plain.app_id, plain.encoding_aes_key, plain.template_id) == ("mp", MP["app_id"], "", "")
    fields = {"first": "{title}", "keyword1": "{body:.20}", "keyword2": "{date}", "remark": "请及时登记"}
    safe = build_config({"wechat": {**MP, "template": {"id": "TPL", "fields": fields}}}).wechat
    assert len(safe.encoding_aes_key) == 43 and safe.template_id == "TPL" and dict(safe.template_fields) == fields
    assert (safe.invite_days, safe.bind_attempts_per_hour) == (14, 5)


def test_the_dev_key_is_refused_for_an_official_account_in_a_config_file(tmp_path):
    path = tmp_path / "mp.toml"
    path.write_text('[wechat]\nchannel = "mp"\napp_id = "wx1234567890abcdef"\ntoken = "t0ken-real"\n'
                    'secret = "real-secret"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.key == "wechat.encoding_aes_key"


def test_the_api_is_the_channels_own_unless_set():
    assert build_config().wechat.api_base_url == "https://qyapi.weixin.qq.com"
    assert build_config({"wechat": MP}).wechat.api_base_url == "https://api.weixin.qq.com"
    assert build_config({"wechat": {**MP, "api_base_url": "http://127.0.0.1:9"}}).wechat.api_base_url == "http://127.0.0.1:9"
