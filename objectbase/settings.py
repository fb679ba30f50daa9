"""Every setting, declared once: name, flag, environment variable, default, range and help.

The `Settings` dataclass is the declaration: each field's default, type and help live on the
field itself, and `SETTINGS` (the registry) is read from those fields. The CLI options, the
`--help` text, the parsing of `OBJECTBASE_*` variables and docs/configuration.md are all derived
from `SETTINGS`, so a setting (or its default) cannot differ from one place to another.
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from objectbase.security.passwords import Passwords
from objectbase.security.rate_limits import is_rate
from objectbase.security.secret_box import KEY_FILE_NAME, SecretBox, parse_keys, read_or_create_key_file

__all__ = ["SETTINGS", "Secret", "Setting", "SettingError", "Settings", "duration_seconds", "settings_markdown",
           "shown_settings", "url_without_password"]

T = TypeVar("T")

# A setting whose name holds one of these words is a secret (`s3_secret_access_key`); `ssl_keyfile`
# is a path, and "keyfile" is not the word "key".
SECRET_WORDS = frozenset({"secret", "key", "password", "token"})
# Settings in the `limits` rate syntax, checked when Settings is built.
_RATE_SETTINGS = frozenset({"login_rate_per_address", "login_rate_per_login"})
# Settings that take one of a few words.
_CHOICES: dict[str, tuple[str, ...]] = {"log_format": ("text", "json")}
# Settings that are a length of time ("30s", "6h", "1d"), or empty for none.
_DURATION_SETTINGS = frozenset({"backup_every"})
_DURATION = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# S3's own minimum part size; files/s3.py checks the same figure (MIN_PART_BYTES; a test keeps the
# two equal) but is not imported here, because it loads boto3.
S3_MIN_PART_BYTES = 5 * 1024 * 1024


class Secret(str):
    """A string whose repr() hides it, so settings can be logged. `str(secret)` is the value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"


@dataclass(frozen=True)
class Setting:
    """One entry of the registry, read from a `Settings` field."""

    name: str
    type: type
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "OBJECTBASE_" + self.name.upper()

    @property
    def secret(self) -> bool:
        return not SECRET_WORDS.isdisjoint(self.name.split("_"))

    @property
    def expected(self) -> str:
        """What a value must be, in words, for error messages and the docs."""
        if self.type is bool:
            return "a boolean (true/false, yes/no, on/off, 1/0)"
        if self.type is int:
            if self.minimum is not None and self.maximum is not None:
                return f"an integer from {self.minimum} to {self.maximum}"
            if self.minimum is not None:
                return f"an integer of at least {self.minimum}"
            if self.maximum is not None:
                return f"an integer of at most {self.maximum}"
            return "an integer"
        if self.name in _RATE_SETTINGS:
            return "a rate such as 10/minute (limits syntax), or 0 for none"
        if self.name in _CHOICES:
            return "one of " + ", ".join(_CHOICES[self.name])
        if self.name in _DURATION_SETTINGS:
            return "a length of time such as 30s, 15m, 6h or 1d, or empty for none"
        return "a string"

    def parse(self, raw: str, source: str) -> Any:
        """The typed value of `raw` (text from a variable or a flag); `source` names where it came from."""
        value: Any
        if self.type is bool:
            word = raw.strip().lower()
            if word not in _TRUE | _FALSE:
                raise SettingError(self, raw, source)
            value = word in _TRUE
        elif self.type is int:
            try:
                value = int(raw)
            except ValueError:
                raise SettingError(self, raw, source) from None
        else:
            value = raw
        if not self._in_range(value):
            raise SettingError(self, raw, source)
        return value

    def check(self, value: object, source: str) -> None:
        """Raise SettingError unless `value` has this setting's type and lies in its range."""
        # bool is an int subclass: `port=True` is a mistake, not port 1.
        is_type = isinstance(value, self.type) and (self.type is bool or not isinstance(value, bool))
        if not is_type or not self._in_range(value):
            raise SettingError(self, value, source)

    def _in_range(self, value: Any) -> bool:
        if self.name in _RATE_SETTINGS:
            return is_rate(value)
        if self.name in _CHOICES:
            return value in _CHOICES[self.name]
        if self.name in _DURATION_SETTINGS:
            return value == "" or duration_seconds(value) is not None
        below = self.minimum is not None and value < self.minimum
        above = self.maximum is not None and value > self.maximum
        return not (below or above)


class SettingError(ValueError):
    """A setting's value is not of its type or out of its range; the message names where it came from."""

    def __init__(self, setting: Setting, value: object, source: str) -> None:
        self.setting = setting
        shown = "a hidden value" if setting.secret else repr(value)
        # `problem` is the message without the source, for callers (click) that name the source themselves.
        self.problem = f"{shown} is not {setting.expected}"
        super().__init__(f"{source}: {self.problem}")


def duration_seconds(value: str) -> int | None:
    """Seconds of a length of time written `<n>s`, `<n>m`, `<n>h` or `<n>d`; None when it is not one."""
    match = _DURATION.match(value.strip())
    return None if match is None else int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def setting(default: T, help: str, *, minimum: int | None = None, maximum: int | None = None) -> T:
    """Declare a `Settings` field: its default, help and range, kept in the field's metadata."""
    metadata = {"help": help, "minimum": minimum, "maximum": maximum}
    # Typed as returning the default's type so mypy sees a plain defaulted field.
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    host: str = setting("127.0.0.1", "Interface to listen on.")
    port: int = setting(8080, "Port to listen on.", minimum=0, maximum=65535)
    data_dir: str = setting("./objectbase-data", "Folder holding the SQLite database and the files.")
    database_url: str = setting(
        "", "SQLAlchemy URL of the database; empty means SQLite inside --data-dir. "
        "Example: postgresql://user@host/db",
    )
    files_url: str = setting("", "Where file bytes go; empty means a folder inside --data-dir.")
    # App secrets are stored encrypted with it (docs/security.md, "Secrets at rest").
    secret_key: str = setting(
        "", "Key the app secrets are stored encrypted with (Fernet; `objectbase secret-key generate`). Several, "
        "comma-separated, while rotating: the first encrypts, each decrypts. Empty means the file secret.key "
        "in --data-dir, generated on first run (mode 0600). Keep it with the backups: they hold the secrets "
        "encrypted.",
    )
    workers: int = setting(1, "Number of worker processes.", minimum=1)
    access_log: bool = setting(
        False, "Log one line per request (uvicorn's access log). Off by default: it costs "
        "a tenth of a small request's time; errors are logged either way.",
    )
    log_format: str = setting(
        "text", "Log lines as text, or as JSON objects (one a line) carrying the request id of the request "
        "they belong to (the X-Request-Id of its response).",
    )
    metrics: bool = setting(
        False, "Serve GET /metrics (Prometheus text format): requests by route and status, latency, errors, "
        "the database pool. Off by default.",
    )
    metrics_token: str = setting("", "When set, GET /metrics needs `Authorization: Bearer <token>`.")
    ssl_certfile: str = setting("", "PEM certificate: serve HTTPS (the QuickBlox JS SDK needs it).")
    ssl_keyfile: str = setting("", "PEM private key for --ssl-certfile.")
    public_url: str = setting(
        "", "Base URL clients reach this server at (for links the server hands out); "
        "empty means the request's own scheme and host.",
    )
    quickblox_prefix: str = setting(
        "", "Also serve the QuickBlox API under this path (e.g. /qb), for SDKs whose endpoint carries a path.",
    )
    tracy_prefix: str = setting("/v1", "Path prefix of the Tracy dialect's API.")
    # Argon2id's cost (security/passwords.py); each hash records its own, so a change keeps old hashes valid.
    argon2_memory_kib: int = setting(
        65536, "Memory one Argon2id password hash uses, in KiB (RFC 9106 low-memory profile: 65536).", minimum=8,
    )
    argon2_time_cost: int = setting(3, "Passes of one Argon2id password hash.", minimum=1)
    argon2_parallelism: int = setting(4, "Lanes (threads) of one Argon2id password hash.", minimum=1)
    session_ttl: int = setting(7200, "Seconds a session token lives after its last use.", minimum=1)
    max_body_bytes: int = setting(1_048_576, "Largest JSON or form request body accepted, in bytes.", minimum=1)
    event_retention_days: int = setting(
        0, "Delete events older than this many days (hourly, in small batches); 0 keeps every event.",
        minimum=0,
    )
    # Files (blobs and File fields): see docs/files.md.
    max_upload_bytes: int = setting(104_857_600, "Largest file one upload may carry, in bytes.", minimum=1)
    upload_buffer_bytes: int = setting(
        1_048_576, "Bytes of an upload held in memory before they are handed to the files backend.", minimum=1,
    )
    s3_part_bytes: int = setting(
        8_388_608, "Size of each S3 multipart-upload part (S3's minimum is 5 MiB): "
        "the most one S3 upload holds in memory.", minimum=S3_MIN_PART_BYTES,
    )
    signed_link_ttl: int = setting(3600, "Seconds an upload URL or a signed download link stays valid.", minimum=1)
    trusted_proxies: str = setting(
        "", "Comma-separated proxy addresses whose X-Forwarded-Proto/-Host are believed when building links "
        "(only when --public-url is empty).",
    )
    # Failed sign-in attempts (docs/security.md, "Rate limits"), in the `limits` syntax; "0" turns a rule off.
    login_rate_per_address: str = setting(
        "30/minute", "Failed sign-in attempts (passwords, e-mail codes, refresh tokens) one client address may make; "
        "then 429 until the window ends. `limits` syntax (\"30/minute\", \"100/hour\"); 0 turns it off.",
    )
    login_rate_per_login: str = setting(
        "10/minute", "Failed sign-in attempts for one login or e-mail of an app, from any address; 0 turns it off.",
    )
    rate_limit_url: str = setting(
        "", "Where the attempt counters live: a `limits` storage URI (redis://host:6379); empty means memory "
        "with one worker and the database with several.",
    )
    # Scheduled backups (docs/operations.md, "Scheduled backups"): one worker at a time takes them.
    backup_every: str = setting(
        "", "Take a backup (as `objectbase backup` does) this often while serving: 30s, 15m, 6h, 1d; empty "
        "means no scheduled backups.",
    )
    backup_keep: int = setting(
        7, "Scheduled backups kept: after each one, the oldest beyond this many are deleted (only the "
        "scheduler's own objectbase-backup-*.tar).", minimum=1,
    )
    backup_to: str = setting(
        "", "Where scheduled backups go: a folder, or s3://bucket/prefix (with the --s3-* settings); empty "
        "means the folder backups inside --data-dir.",
    )
    s3_endpoint_url: str = setting("", "S3-compatible endpoint; empty means AWS_ENDPOINT_URL or AWS itself.")
    s3_region: str = setting("", "S3 region; empty means AWS_REGION / AWS_DEFAULT_REGION.")
    s3_access_key_id: str = setting(
        "", "S3 access key id; empty means AWS_ACCESS_KEY_ID and boto3's usual sources.",
    )
    s3_secret_access_key: str = setting(
        "", "S3 secret key; empty means AWS_SECRET_ACCESS_KEY and boto3's usual sources.",
    )

    @property
    def passwords(self) -> Passwords:
        return Passwords(time_cost=self.argon2_time_cost, memory_kib=self.argon2_memory_kib,
                         parallelism=self.argon2_parallelism)

    def __post_init__(self) -> None:
        # Checked here, so values given in code meet the same ranges as variables and flags.
        for entry in SETTINGS:
            value = getattr(self, entry.name)
            entry.check(value, f"Settings.{entry.name}")
            if entry.secret and not isinstance(value, Secret):
                object.__setattr__(self, entry.name, Secret(value))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `OBJECTBASE_*` variables, then explicit overrides (CLI flags).

        An empty variable counts as unset, as click treats it. A bad value raises SettingError
        naming the variable and what it expects.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for entry in SETTINGS:
            raw = environ.get(entry.env, "")
            if raw:
                values[entry.name] = entry.parse(raw, entry.env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The `OBJECTBASE_*` variables that reproduce these settings in another process."""
        # str() of a Secret is its value: the child process needs the real one.
        return {s.env: str(getattr(self, s.name)) for s in SETTINGS}

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'objectbase.db'}"

    @property
    def secret_key_file(self) -> Path | None:
        """The data folder's key file, when --secret-key is not given."""
        return None if self.secret_key else Path(self.data_dir).resolve() / KEY_FILE_NAME

    def secret_box(self) -> SecretBox:
        """The server key(s): --secret-key, else the data folder's key file (generated on first run)."""
        key_file = self.secret_key_file
        keys = parse_keys(str(self.secret_key)) if key_file is None else read_or_create_key_file(key_file)
        return SecretBox(keys)

    @property
    def backup_interval(self) -> int | None:
        """Seconds between scheduled backups; None: none scheduled."""
        return duration_seconds(self.backup_every) if self.backup_every else None

    @property
    def backup_dir(self) -> Path:
        """The folder of scheduled backups when --backup-to is not an s3:// URL."""
        return Path(self.backup_to).resolve() if self.backup_to else Path(self.data_dir).resolve() / "backups"

    @property
    def files_dir(self) -> Path:
        return Path(self.data_dir).resolve() / "files"


def _registry(cls: type[Any]) -> tuple[Setting, ...]:
    """The registry read from a dataclass declared with `setting(...)` fields."""
    hints = typing.get_type_hints(cls)
    return tuple(
        Setting(field.name, hints[field.name], field.default, field.metadata["help"],
                field.metadata["minimum"], field.metadata["maximum"])
        for field in dataclasses.fields(cls)
    )


SETTINGS: tuple[Setting, ...] = _registry(Settings)


HIDDEN = "********"


def url_without_password(url: str) -> str:
    """The URL with its password hidden, in the user part or the query (`postgresql://user:***@host/db`)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
    query = parts.query
    if "password" in query.lower():
        query = urlencode([(k, "***" if "password" in k.lower() else v) for k, v in parse_qsl(query)], safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # untouched (urlunsplit would also drop the empty host of sqlite:////path)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def shown_settings(settings: Settings) -> list[tuple[Setting, str]]:
    """Every setting and its value as a page may show it: secrets hidden, URLs without passwords."""
    shown = []
    for entry in SETTINGS:
        value = getattr(settings, entry.name)
        if entry.secret:
            text = HIDDEN if value else ""
        elif isinstance(value, str) and "://" in value:
            text = url_without_password(value)
        else:
            text = str(value)
        shown.append((entry, text))
    return shown


def settings_markdown() -> str:
    """docs/configuration.md, generated from SETTINGS (tests/test_docs.py keeps the file in step)."""
    lines = [
        "# Configuration",
        "",
        "Every setting is a flag of `objectbase serve` and an environment variable; flags win over variables.",
        "An empty variable counts as unset. A value of the wrong type or out of range stops the command",
        "with a message naming the flag or variable. Secrets are hidden when settings are printed or logged.",
        "Generated from `objectbase/settings.py` by `python -m objectbase.settings > docs/configuration.md`.",
        "",
        "| flag | environment variable | default | accepts | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in SETTINGS:
        accepts = entry.expected + (", secret" if entry.secret else "")
        lines.append(f"| `{entry.flag}` | `{entry.env}` | `{entry.default!r}` | {accepts} | {entry.help} |")
    lines += [
        "",
        "## Event retention",
        "",
        "With `--event-retention-days N` (N > 0) the server deletes events older than N days, at start and then",
        "hourly, 500 per transaction; on PostgreSQL one worker at a time does it. To prune once:",
        "",
        "    objectbase events prune [--older-than-days N] [--json] [--data-dir …] [--database-url …]",
        "",
        "`--older-than-days` defaults to `--event-retention-days` (`OBJECTBASE_EVENT_RETENTION_DAYS`); with",
        "neither, the command refuses. It prints how many events it deleted (`{\"deleted\": n}` with `--json`).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
