"""Settings from the environment (and an optional `.env`), built in the entry point and passed down."""

from __future__ import annotations

import difflib
import errno
import ipaddress
import math
import os
import re
import stat
from datetime import time
from pathlib import Path
from typing import Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv.parser import parse_stream
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError
from bot.text_files import file_kind

MAX_RETENTION_DAYS = 36500
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
MAX_GRACE_HOURS = 24.0
GRACE_FORMAT = "a duration from 0 to 24h like 90m, 6h or 1800s (a bare number counts as hours)"
_GRACE_UNITS = (("h", 1.0), ("m", 1 / 60), ("s", 1 / 3600))
FORMATS = {
    "BOT_KNOWLEDGE_DIR": "a directory path",
    "BOT_DATA_DIR": "a directory path",
    "BOT_ENGINE_CACHE": "true or false (or 1/0, yes/no, on/off)",
    "BOT_CACHE_DIR": "a directory path",
    "BOT_MIN_SCORE": "a number from 0 to 1, like 0.52",
    "BOT_MIN_MARGIN": "a number from 0 to 1, like 0.06",
    "BOT_LOG_QUESTIONS": "true or false (or 1/0, yes/no, on/off)",
    "BOT_RETENTION_DAYS": f"a whole number of days from 1 to {MAX_RETENTION_DAYS}, like 90",
    "BOT_RATE_LIMIT": "a whole number of questions a minute per user, like 10, or 0 for no limit",
    "LOG_FORMAT": "text or json",
    "PORT": "a port number from 0 to 65535, like 3000",
    "SLACK_MODE": "socket or http",
    "SLACK_COMMAND": "a slash command as the Slack app defines it, like /ask or /factbot",
    "DIGEST_TIME": "a time as HH:MM (24-hour, e.g. 09:00)",
    "DIGEST_SIZE": "a whole number of facts from 1 to 10, like 3",
    "DIGEST_GRACE": GRACE_FORMAT,
}
"""What each setting takes, for the line that says a value is malformed: pydantic's own messages
("Input should be a valid number") don't say what the setting wants."""


class Thresholds(BaseModel):
    """When the engine answers and when it abstains; calibrated on tests/eval (see README)."""

    min_score: float = Field(default=0.52, ge=0.0, le=1.0)
    """Below this best score the engine says it doesn't know."""
    min_margin: float = Field(default=0.06, ge=0.0, le=1.0)
    """Two unrelated facts closer than this are too close to call."""
    min_coverage: float = Field(default=0.3, ge=0.0, le=1.0)
    """A fact that holds less than this share of a question's weighted words is not its answer,
    however alike the wording ("What percentage of Meta's revenue goes into R&D?" is not
    "What percentage of Scale AI belongs to Meta?")."""
    suggestion_floor: float = Field(default=0.12, ge=0.0, le=1.0)
    """Facts scoring below this are not offered as suggestions."""
    learned_gate: bool = True
    """Whether the fitted answer gate (bot/answer_gate.py) may overrule these thresholds: refuse
    an answer they allow when it doubts it, give one they refuse when it is sure. Thresholds
    set by hand (BOT_MIN_SCORE, BOT_MIN_MARGIN) decide alone."""


class Settings(BaseSettings):
    """Every setting the bot reads; each platform is on only when its settings are given."""

    # A setting left empty (`BOT_MIN_SCORE=` in a .env or a compose file) means its default.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    bot_knowledge_dir: Path | None = None
    bot_data_dir: Path = Path("./data")
    bot_engine_cache: bool = True
    bot_cache_dir: Path | None = None
    bot_min_score: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    bot_min_margin: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    bot_log_questions: bool = True
    bot_retention_days: int = Field(default=90, ge=1, le=MAX_RETENTION_DAYS)
    bot_rate_limit: int = Field(default=10, ge=0)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # Every interface by default: in a container, the probes and Slack's requests come from outside it.
    bot_host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)

    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_mode: Literal["socket", "http"] = "socket"
    slack_command: str = "/ask"
    slack_api_url: str | None = None

    discord_token: str | None = None
    discord_guild_ids: str | None = None
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None

    digest_time: time = time(9, 0)
    digest_timezone: str = "UTC"
    digest_channels: str | None = None
    digest_size: int = Field(default=3, ge=1, le=10)
    digest_grace_hours: float = Field(default=6.0, ge=0.0, le=MAX_GRACE_HOURS, alias="DIGEST_GRACE")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The usual sources, with an environment variable of spaces only left out as an empty one
        is: the value in .env then counts under it, where it hid that value behind the default."""
        if isinstance(env_settings, EnvSettingsSource):
            env_settings.env_vars = {
                name: value
                for name, value in env_settings.env_vars.items()
                if not (isinstance(value, str) and not value.strip())
            }
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    @model_validator(mode="before")
    @classmethod
    def _spaces_only_is_unset(cls, data: object) -> object:
        """A value of spaces only (`PORT=" "`, an environment entry left blank) means the
        setting's default, as an empty one does, whichever setting it is."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}
        return data

    @field_validator(
        "bot_log_questions", "bot_engine_cache", "digest_time", "bot_data_dir", "bot_knowledge_dir", "bot_cache_dir", mode="before"
    )
    @classmethod
    def _stripped(cls, value: object) -> object:
        """White space around a value (a quoted one in a compose file) is no part of it, as for
        the numbers: `" false"` is false, not a malformed flag, and a folder's name does not end
        in a space."""
        return value.strip() if isinstance(value, str) else value

    @field_validator("bot_data_dir", "bot_knowledge_dir", "bot_cache_dir")
    @classmethod
    def _home_expanded(cls, value: Path | None) -> Path | None:
        """`~/data` is in the home directory, as a shell reads it: .env, `docker --env-file` and
        systemd leave the `~` as written, which made a folder named `~` where the bot ran."""
        if value is None or not str(value).startswith("~"):
            return value
        try:
            return value.expanduser()
        except RuntimeError:
            raise ValueError(
                f"{str(value)!r} names a home directory this machine does not have; give the whole path"
            ) from None

    @field_validator("bot_host")
    @classmethod
    def _ip_address_or_host_name(cls, value: str) -> str:
        host = value.strip()
        if host.startswith("[") and host.endswith("]") and ":" in host:  # IPv6 as a URL writes it
            host = host[1:-1]
        if _is_ip_address(host) or _is_host_name(host):
            return host
        raise ValueError(f"{value!r} is not an IP address or host name, like 127.0.0.1 or 0.0.0.0 (every interface)")

    @field_validator("slack_command")
    @classmethod
    def _slash_command(cls, value: str) -> str:
        """The command the app's manifest defines, named in the help and the Home tab."""
        command = value.strip().lower()
        if not command.startswith("/"):
            command = "/" + command
        if not re.fullmatch(r"/[a-z0-9_-]{1,32}", command):
            raise ValueError(f"{_shown(value)} is not a slash command; give it as the app defines it, like /ask or /factbot")
        return command

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in (*LOG_LEVELS, "WARN", "FATAL"):
            raise ValueError(f"{value!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("slack_mode", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("digest_time")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give a local time like 09:00, without an offset; set DIGEST_TIMEZONE for the zone")
        return value

    @field_validator("digest_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """An IANA zone name, checked on every start, not only when the digest runs."""
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"{_shown(value)} is not an IANA time zone name such as Europe/Berlin") from None
        return value.strip()

    @field_validator("digest_channels")
    @classmethod
    def _channel_entries(cls, value: str | None) -> str | None:
        """Each entry a channel of a platform, checked on every start, not only when the digest runs."""
        from bot.digest_schedule import parse_channel  # imports this module: read when first needed

        for entry in (value or "").split(","):
            if entry.strip():
                try:
                    parse_channel(entry)
                except ValueError as error:
                    raise ValueError(f"entry {error}") from None
        return value

    @field_validator("digest_grace_hours", mode="before")
    @classmethod
    def _grace(cls, value: object) -> object:
        """Accept `6` (hours), `6h`, `90m` or `1800s`, from 0 to 24 hours."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return value  # pydantic's own check says what is wrong
        number, factor = value, 1.0
        if isinstance(value, str):
            number = value.strip().lower()
            for suffix, unit in _GRACE_UNITS:
                if number.endswith(suffix):
                    number, factor = number[:-1].strip(), unit
                    break
        try:
            hours: float | None = float(number) * factor
        except (ValueError, OverflowError):
            hours = None
        # A grace of more than a day would reach into the next day's digest.
        if hours is None or not math.isfinite(hours) or not 0 <= hours <= MAX_GRACE_HOURS:
            raise ValueError(f"{_shown(value)} is not {GRACE_FORMAT}")
        return hours

    def thresholds(self) -> Thresholds:
        base = Thresholds()
        updates = {}
        if self.bot_min_score is not None:
            updates["min_score"] = self.bot_min_score
        if self.bot_min_margin is not None:
            updates["min_margin"] = self.bot_min_margin
        if updates:
            updates["learned_gate"] = False  # thresholds set by hand are what decides
        return Thresholds(**{**base.model_dump(), **updates})

    def check_platforms(self) -> None:
        """Refuse a half-given platform: a setting that only means something beside a missing token."""
        if not self.slack_configured:
            for name in ("slack_app_token", "slack_signing_secret"):
                if getattr(self, name):
                    raise ConfigError(
                        f"{name.upper()} is set but SLACK_BOT_TOKEN is missing: set the bot token (xoxb-...) "
                        "or remove the other Slack settings"
                    )
        if not self.discord_configured and self.discord_guild_ids:
            raise ConfigError(
                "DISCORD_GUILD_IDS is set but DISCORD_TOKEN is missing: set the bot token or remove DISCORD_GUILD_IDS"
            )

    @property
    def slack_configured(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def discord_configured(self) -> bool:
        return self.discord_token is not None


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_host_name(text: str) -> bool:
    """RFC 1123; a last label of digits only is a mistyped IPv4 address (999.1.1.1), not a name."""
    labels = text.removesuffix(".").split(".")
    return (
        len(text) <= 253
        and all(_HOST_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a malformed value becomes one ConfigError naming the variable and the fix."""
    env_file = Path(str(Settings.model_config.get("env_file") or ".env"))
    try:
        if problem := _env_file_problem(env_file) or _unreadable_env_line(env_file):
            raise ConfigError(problem)
        return Settings(**overrides)
    except UnicodeDecodeError:
        raise ConfigError(
            ".env is not UTF-8 text: save it as UTF-8 (or remove it and use environment variables)"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot read .env: {error.strerror or error}; fix or remove it") from None
    except ValidationError as error:
        raise ConfigError(_invalid_setting(error)) from None


# The prefixes of the bot's own settings: a name in .env with one of them that is no setting is
# almost surely a slip (DIGEST_CHANNEL for DIGEST_CHANNELS), which the bot would otherwise pass over.
_OWN_PREFIXES = ("SLACK_", "DISCORD_", "DIGEST_", "BOT_")
# How alike a name must be to a setting's to be taken for a slip of it.
_SLIP_CUTOFF = 0.85


def setting_names() -> list[str]:
    """The environment variables the bot reads, as they are spelt in .env."""
    return [field.alias or name.upper() for name, field in Settings.model_fields.items()]


def unknown_setting_names(env_file: Path | None = None, environ: Mapping[str, str] | None = None) -> list[str]:
    """One sentence for each name that looks meant for the bot but is none of its settings.

    In the .env file, any name with the bot's prefixes, or close to a setting's; in the
    environment, which holds other programs' variables too, only a near miss of a setting's.
    The value is never shown.
    """
    path = env_file or Path(str(Settings.model_config.get("env_file") or ".env"))
    known = setting_names()
    problems: list[str] = []
    seen: set[str] = set()

    def consider(name: str, where: str, *, own_prefix_counts: bool) -> None:
        upper = name.upper()
        if upper in known or upper in seen:
            return
        # A slip of the letters, or a setting's name with a word too many (DIGEST_GRACE_HOURS).
        close = difflib.get_close_matches(upper, known, n=1, cutoff=_SLIP_CUTOFF) or [
            setting for setting in known if upper.startswith(setting + "_")
        ]
        if close:
            seen.add(upper)
            problems.append(f"{name} ({where}) is not a setting; did you mean {close[0]}?")
        elif own_prefix_counts and upper.startswith(_OWN_PREFIXES):
            seen.add(upper)
            problems.append(f"{name} ({where}) is not a setting, so it is ignored; the settings are in the README")

    if path.is_file():
        try:
            with path.open(encoding="utf-8") as stream:
                for binding in parse_stream(stream):
                    if binding.key:
                        consider(binding.key, f"in {path}", own_prefix_counts=True)
        except (OSError, UnicodeDecodeError):
            pass  # load_settings says what is wrong with the file
    for name in os.environ if environ is None else environ:
        consider(name, "in the environment", own_prefix_counts=False)
    return problems


def _env_file_problem(path: Path) -> str | None:
    """Why `path` cannot be the settings file, or None when it can or is not there (it is optional).

    Told from its status, never by opening it: a pipe would wait for a writer forever.
    pydantic-settings reads a pipe and passes over a directory or a broken link in silence.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        if not path.is_symlink():
            return None
        try:
            target = f" to {os.readlink(path)}"
        except OSError:
            target = ""
        return f"{path} is a symbolic link{target}, which does not exist; point it at a settings file or remove it"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{path} is a symbolic link that leads back to itself; point it at a settings file or remove it"
        return f"cannot read {path}: {error.strerror or error}; fix or remove it"
    mode = status.st_mode
    if stat.S_ISREG(mode) or _is_devnull(status):  # /dev/null, linked or mounted: no settings
        return None
    if stat.S_ISDIR(mode):
        return (
            f"{path} is a directory, not a settings file (a 'docker -v ./.env:...' mount makes one when the file "
            "is missing): remove it and write the settings in a .env file, or set them in the environment"
        )
    return f"{path} is {file_kind(mode)}, not a settings file: make it a plain file of NAME=value lines, or remove it"


def _is_devnull(status: os.stat_result) -> bool:
    """Whether the file is the null device: the same device numbers as /dev/null, since a
    container's /dev/null, with the host's mounted over .env, is another node of the same device."""
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(status.st_mode) and stat.S_ISCHR(null.st_mode) and status.st_rdev == null.st_rdev


def _unreadable_env_line(path: Path) -> str | None:
    """The first line of the .env file that cannot be read, as one sentence, or None.

    python-dotenv skips such a line with a warning, and the bot would then run without the
    setting (Discord off, say) or blame another: the line is named instead, never its value.
    """
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                name = binding.original.string.split("=", 1)[0].strip().removeprefix("export ").strip()
                what = f" ({name})" if name.replace("_", "").isalnum() else ""
                return (
                    f"{path} line {binding.original.line}{what} cannot be read: write NAME=value, with a "
                    "closing quote for a value that opens with one"
                )
    return None


def _invalid_setting(error: ValidationError) -> str:
    """The first problem as one line: the setting, the value given, and what it takes.

    The bot's own checks already say what they want (their ValueError is the message); for
    pydantic's built-in checks the setting's FORMATS entry says it.
    """
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
    wanted = FORMATS.get(name)
    if first["type"] == "value_error" or wanted is None:
        message = first["msg"].removeprefix("Value error, ")
    else:
        message = f"{_shown(first.get('input'))} is not {wanted}"
    return f"{name} is invalid: {message}; fix it in the environment or .env"


def _shown(value: object, *, limit: int = 60) -> str:
    """A value as the message quotes it: repr (so control characters stay on the line), cut short."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    return repr(value)
