"""Errors shared by the config, roster and model layers."""


class ConfigError(ValueError):
    """A config key is missing or wrong; the message names the key."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"config key `{key}` {problem}")
        self.key = key


class RosterError(ValueError):
    """A roster file cannot be imported; the message names the line."""
