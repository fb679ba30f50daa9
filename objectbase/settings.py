"""Every setting, declared once: name, flag, environment variable, default and help.

The CLI options, `--help` text and docs table are derived from `SETTINGS`, so a setting
cannot exist in one place and be missing from another.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

__all__ = ["SETTINGS", "Setting", "Settings", "settings_markdown"]


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "OBJECTBASE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "127.0.0.1", "Interface to listen on."),
    Setting("port", int, 8080, "Port to listen on."),
    Setting("data_dir", str, "./objectbase-data", "Folder holding the SQLite database and the files."),
    Setting(
        "database_url", str, "",
        "SQLAlchemy URL of the database; empty means SQLite inside --data-dir. "
        "Example: postgresql://user@host/db",
    ),
    Setting("files_url", str, "", "Where file bytes go; empty means a folder inside --data-dir."),
    Setting("workers", int, 1, "Number of worker processes."),
    Setting("ssl_certfile", str, "", "PEM certificate: serve HTTPS (the QuickBlox JS SDK needs it)."),
    Setting("ssl_keyfile", str, "", "PEM private key for --ssl-certfile."),
    Setting(
        "public_url", str, "",
        "Base URL clients reach this server at (for links the server hands out); "
        "empty means the request's own scheme and host.",
    ),
    Setting(
        "quickblox_prefix", str, "",
        "Also serve the QuickBlox API under this path (e.g. /qb), for SDKs whose endpoint carries a path.",
    ),
    Setting("session_ttl", int, 7200, "Seconds a session token lives after its last use."),
    Setting("max_body_bytes", int, 1_048_576, "Largest JSON or form request body accepted, in bytes."),
    # Files (blobs and File fields): see docs/files.md.
    Setting("max_upload_bytes", int, 104_857_600, "Largest file one upload may carry, in bytes."),
    Setting(
        "upload_buffer_bytes", int, 1_048_576,
        "Bytes of an upload held in memory before they are handed to the files backend.",
    ),
    Setting(
        "s3_part_bytes", int, 8_388_608,
        "Size of each S3 multipart-upload part (at least 5 MiB): the most one S3 upload holds in memory.",
    ),
    Setting("signed_link_ttl", int, 3600, "Seconds an upload URL or a signed download link stays valid."),
    Setting(
        "trusted_proxies", str, "",
        "Comma-separated proxy addresses whose X-Forwarded-Proto/-Host are believed when building links "
        "(only when --public-url is empty).",
    ),
    Setting("s3_endpoint_url", str, "", "S3-compatible endpoint; empty means AWS_ENDPOINT_URL or AWS itself."),
    Setting("s3_region", str, "", "S3 region; empty means AWS_REGION / AWS_DEFAULT_REGION."),
    Setting("s3_access_key_id", str, "", "S3 access key id; empty means AWS_ACCESS_KEY_ID and boto3's usual sources."),
    Setting("s3_secret_access_key", str, "", "S3 secret key; empty means AWS_SECRET_ACCESS_KEY and boto3's usual sources."),
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: str = "./objectbase-data"
    database_url: str = ""
    files_url: str = ""
    workers: int = 1
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    public_url: str = ""
    quickblox_prefix: str = ""
    session_ttl: int = 7200
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 104_857_600
    upload_buffer_bytes: int = 1_048_576
    s3_part_bytes: int = 8_388_608
    signed_link_ttl: int = 3600
    trusted_proxies: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = dataclasses.field(default="", repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `OBJECTBASE_*` variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in environ:
                values[setting.name] = setting.type(environ[setting.env])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The `OBJECTBASE_*` variables that reproduce these settings in another process."""
        return {s.env: str(getattr(self, s.name)) for s in SETTINGS}

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'objectbase.db'}"

    @property
    def files_dir(self) -> Path:
        return Path(self.data_dir).resolve() / "files"


def settings_markdown() -> str:
    """docs/configuration.md, generated from SETTINGS (tests/test_docs.py keeps the file in step)."""
    lines = [
        "# Configuration",
        "",
        "Every setting is a flag of `objectbase serve` and an environment variable; flags win over variables.",
        "Generated from `objectbase/settings.py` by `python -m objectbase.settings > docs/configuration.md`.",
        "",
        "| flag | environment variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for setting in SETTINGS:
        lines.append(f"| `{setting.flag}` | `{setting.env}` | `{setting.default!r}` | {setting.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")


# Keep the dataclass and the registry in step: a test asserts this too.
assert [f.name for f in dataclasses.fields(Settings)] == [s.name for s in SETTINGS]
