"""Point rules as data: the `[rules]` block of the config, validated.

Every number here comes from the config file; the defaults (bot/defaults.toml)
reproduce the table in shared/domain.md. Adding a kind is a config block.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from models.errors import ConfigError

PERIODS = ("month", "quarter", "halfyear", "year")


@dataclass(frozen=True)
class KindRule:
    """How one kind of activity is named, counted and scored."""

    code: str
    name: str
    unit: str
    points: float = 0.0
    levels: Mapping[str, float] = field(default_factory=dict)
    cap: float | None = None
    cap_points: float | None = None
    cap_period: str = "year"
    required_period: str | None = None
    approval: bool = False
    titled: bool = False
    synonyms: tuple[str, ...] = ()

    def base_points(self, quantity: float, level: str | None) -> float:
        """Points before caps for `quantity` units (or one degree of `level`)."""
        if self.levels:
            return float(self.levels.get(level or "", 0.0)) * quantity
        return self.points * quantity


@dataclass(frozen=True)
class Rules:
    """All point rules: the kinds, the yearly target and the grace window."""

    kinds: Mapping[str, KindRule]
    year_target: float
    grace_days: int
    timezone: str

    def five_ones(self) -> list[KindRule]:
        """Kinds that are part of 五个一 (have a required period), in config order."""
        return [k for k in self.kinds.values() if k.required_period]

    def kind_by_name(self, name: str) -> KindRule | None:
        """Find a kind by its code, Chinese name or one of its synonyms."""
        for kind in self.kinds.values():
            if name in (kind.code, kind.name) or name in kind.synonyms:
                return kind
        return None


def _number(value: Any, key: str, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigError(key, f"must be a number >= {minimum:g}")
    return float(value)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, "must be a non-empty string")
    return value


def _period(value: Any, key: str) -> str:
    if value not in PERIODS:
        raise ConfigError(key, f"must be one of {', '.join(PERIODS)}")
    return value


_KIND_KEYS = {
    "name", "unit", "points", "levels", "cap", "cap_points", "cap_period",
    "required_period", "approval", "titled", "synonyms",
}


def _kind(code: str, raw: Any) -> KindRule:
    key = f"rules.kinds.{code}"
    if not isinstance(raw, dict):
        raise ConfigError(key, "must be a table")
    unknown = set(raw) - _KIND_KEYS
    if unknown:
        raise ConfigError(f"{key}.{sorted(unknown)[0]}", "unknown key")
    levels = raw.get("levels", {})
    if not isinstance(levels, dict):
        raise ConfigError(f"{key}.levels", "must be a table of level = points")
    levels = {name: _number(v, f"{key}.levels.{name}") for name, v in levels.items()}
    if "points" not in raw and not levels:
        raise ConfigError(f"{key}.points", "is missing (or give levels)")
    synonyms = raw.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) and s for s in synonyms):
        raise ConfigError(f"{key}.synonyms", "must be a list of non-empty strings")
    for flag in ("approval", "titled"):
        if not isinstance(raw.get(flag, False), bool):
            raise ConfigError(f"{key}.{flag}", "must be true or false")
    required = raw.get("required_period")
    return KindRule(
        code=code,
        name=_text(raw.get("name"), f"{key}.name"),
        unit=_text(raw.get("unit"), f"{key}.unit"),
        points=_number(raw.get("points", 0), f"{key}.points"),
        levels=levels,
        cap=_number(raw["cap"], f"{key}.cap") if "cap" in raw else None,
        cap_points=_number(raw["cap_points"], f"{key}.cap_points") if "cap_points" in raw else None,
        cap_period=_period(raw.get("cap_period", "year"), f"{key}.cap_period"),
        required_period=_period(required, f"{key}.required_period") if required else None,
        approval=raw.get("approval", False),
        titled=raw.get("titled", False),
        synonyms=tuple(synonyms),
    )


def load_rules(raw: Mapping[str, Any]) -> Rules:
    """Validate the `[rules]` table; errors name the offending key."""
    kinds_raw = raw.get("kinds")
    if not isinstance(kinds_raw, dict) or not kinds_raw:
        raise ConfigError("rules.kinds", "must define at least one kind")
    kinds = {code: _kind(code, body) for code, body in kinds_raw.items()}
    grace = raw.get("grace_days", 5)
    if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
        raise ConfigError("rules.grace_days", "must be a whole number >= 0")
    return Rules(
        kinds=kinds,
        year_target=_number(raw.get("year_target", 60), "rules.year_target"),
        grace_days=grace,
        timezone=_text(raw.get("timezone", "Asia/Shanghai"), "rules.timezone"),
    )
