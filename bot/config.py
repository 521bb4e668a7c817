"""Load and validate the TOML config.

The embedded default (bot/defaults.toml) supplies every key; a user's file only
overrides what it names. Validation happens once, at start-up, and every error
names the key it is about.
"""
from __future__ import annotations

import base64
import binascii
import copy
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from models.errors import ConfigError
from models.rules import Rules, load_rules

ENV_VAR = "HONGLING_CONFIG"
DELIVERIES = ("console", "api")
CHANNELS = ("wecom", "mp")
API_BASE_URLS = {"wecom": "https://qyapi.weixin.qq.com", "mp": "https://api.weixin.qq.com"}
# What a template field's text may name: the reminder's 【title】, the text after it, the whole
# text, the member's name and today's date. "{body:.20}" cuts to 20 characters.
TEMPLATE_PLACEHOLDERS = ("title", "body", "content", "name", "date")
_PLACEHOLDER = "CHANGE_ME"


@dataclass(frozen=True)
class WeChatConfig:
    """The `[wechat]` block: the channel's credentials and where its API lives.

    `channel` is "wecom" (a WeCom self-built app: corp_id, agent_id) or "mp" (a WeChat
    Official Account: app_id; `encoding_aes_key = ""` means plain mode). `api_base_url` is
    resolved: "" in the file means the channel's own API.
    """

    channel: str
    token: str
    encoding_aes_key: str
    corp_id: str
    agent_id: int
    secret: str
    api_base_url: str
    delivery: str
    max_clock_skew_seconds: int
    app_id: str = ""
    invite_days: int = 14
    bind_attempts_per_hour: int = 5
    template_id: str = ""
    template_fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    wechat: WeChatConfig
    database_url: str
    host: str
    port: int
    rules: Rules
    messages_per_minute: int
    source: str
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @property
    def is_embedded_default(self) -> bool:
        """True when no config file was given (the `make run` setting)."""
        return self.source == "embedded default"


def _defaults() -> dict[str, Any]:
    text = resources.files("bot").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _get(raw: Mapping[str, Any], dotted: str, kind: type) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(dotted, "is missing")
        node = node[part]
    if (kind is int and isinstance(node, bool)) or not isinstance(node, kind):
        raise ConfigError(dotted, f"must be a {kind.__name__}")
    return node


def _positive(raw: Mapping[str, Any], dotted: str) -> int:
    value = _get(raw, dotted, int)
    if value < 1:
        raise ConfigError(dotted, "must be a whole number >= 1")
    return value


def _aes_key_ok(key: str) -> bool:
    try:
        return len(key) == 43 and len(base64.b64decode(key + "=")) == 32
    except binascii.Error:
        return False


def _template(raw: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """`[wechat.template]`: the template message id and what goes into each of its fields."""
    template_id = _get(raw, "wechat.template.id", str).strip()
    fields = _get(raw, "wechat.template.fields", dict)
    sample = {name: "示例" for name in TEMPLATE_PLACEHOLDERS}
    for name, value in fields.items():
        key = f"wechat.template.fields.{name}"
        if not isinstance(value, str):
            raise ConfigError(key, "must be a string")
        try:
            value.format_map(sample)
        except KeyError as exc:
            known = ", ".join("{" + p + "}" for p in TEMPLATE_PLACEHOLDERS)
            raise ConfigError(key, f"names an unknown placeholder {exc}; use {known}") from None
        except (ValueError, IndexError) as exc:
            raise ConfigError(key, f"is not a valid template text: {exc}") from None
    if template_id and not fields:
        raise ConfigError("wechat.template.fields", "must name the template's fields when wechat.template.id is set")
    return template_id, dict(fields)


def _wechat(raw: Mapping[str, Any], from_file: bool) -> WeChatConfig:
    values = {
        name: _get(raw, f"wechat.{name}", kind)
        for name, kind in (
            ("channel", str), ("token", str), ("encoding_aes_key", str), ("corp_id", str),
            ("agent_id", int), ("secret", str), ("api_base_url", str), ("delivery", str),
            ("max_clock_skew_seconds", int), ("app_id", str),
        )
    }
    values["invite_days"] = _positive(raw, "wechat.invite_days")
    values["bind_attempts_per_hour"] = _positive(raw, "wechat.bind_attempts_per_hour")
    values["template_id"], values["template_fields"] = _template(raw)
    if values["channel"] not in CHANNELS:
        raise ConfigError("wechat.channel", f"must be one of {', '.join(CHANNELS)}")
    values["api_base_url"] = values["api_base_url"].strip() or API_BASE_URLS[values["channel"]]
    cfg = WeChatConfig(**values)
    if cfg.delivery not in DELIVERIES:
        raise ConfigError("wechat.delivery", f"must be one of {', '.join(DELIVERIES)}")
    if not cfg.token.strip():
        raise ConfigError("wechat.token", "must be set (the Token you entered in the console)")
    if cfg.channel == "wecom":
        if not cfg.corp_id.strip():
            raise ConfigError("wechat.corp_id", "must be set for channel \"wecom\" (企业ID)")
        if cfg.agent_id < 1:
            raise ConfigError("wechat.agent_id", "must be the app's AgentId (a whole number >= 1)")
        if not _aes_key_ok(cfg.encoding_aes_key):
            raise ConfigError("wechat.encoding_aes_key", "must be WeCom's 43-character EncodingAESKey")
    else:
        if not cfg.app_id.strip():
            raise ConfigError("wechat.app_id", "must be set for channel \"mp\" (the Official Account's AppID)")
        if cfg.encoding_aes_key and not _aes_key_ok(cfg.encoding_aes_key):
            raise ConfigError("wechat.encoding_aes_key",
                              "must be the 43-character EncodingAESKey (safe mode), or \"\" for plain mode")
    dev = _defaults()["wechat"]
    for name in ("token", "encoding_aes_key", "secret", "app_id"):
        value = getattr(cfg, name)
        if value and (_PLACEHOLDER in value or (from_file and value == dev[name])):
            raise ConfigError(f"wechat.{name}", "is a placeholder: set your app's real value")
    return cfg


def build_config(overrides: Mapping[str, Any] | None = None, *, source: str = "embedded default") -> Config:
    """Merge `overrides` over the embedded default and validate the result."""
    raw = _merge(_defaults(), overrides or {})
    from_file = source != "embedded default"
    port = _positive(raw, "server.port")
    if not 0 < port < 65536:
        raise ConfigError("server.port", "must be between 1 and 65535")
    return Config(
        wechat=_wechat(raw, from_file),
        database_url=_get(raw, "database.url", str),
        host=_get(raw, "server.host", str),
        port=port,
        rules=load_rules(_get(raw, "rules", dict)),
        messages_per_minute=_positive(raw, "server.messages_per_minute"),
        source=source,
        raw=raw,
    )


def load_config(path: str | os.PathLike | None = None, *, environ: Mapping[str, str] | None = None) -> Config:
    """Load the config from `path`, else $HONGLING_CONFIG, else the embedded default."""
    environ = os.environ if environ is None else environ
    chosen = path or environ.get(ENV_VAR) or None
    if chosen is None:
        return build_config()
    file = Path(chosen)
    try:
        overrides = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("--config", f"file {file} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("--config", f"file {file} is not valid TOML: {exc}") from None
    return build_config(overrides, source=str(file))
