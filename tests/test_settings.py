"""Settings (objectbase/settings.py): one declaration per default, typed parsing with clear errors, hidden secrets."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from objectbase.cli import main
from objectbase.cli.options import setting_option
from objectbase.settings import SETTINGS, Secret, Setting, SettingError, Settings, settings_markdown

ROOT = Path(__file__).resolve().parent.parent
# A bool setting for the parsing tests: the registry has none yet, and the parser must be ready for one.
DEBUG = Setting("debug", bool, False, "A test-only switch.")


def _clean_env() -> dict[str, str]:
    """This process's environment without OBJECTBASE_* variables, for child processes."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OBJECTBASE_")}


# --- one declaration per default ---------------------------------------------------------------

def test_every_surface_agrees_on_every_default() -> None:
    defaults = Settings()
    from_env = Settings.from_env({})
    page = settings_markdown()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default == getattr(from_env, setting.name)
        assert defaults.to_env()[setting.env] == str(setting.default)
        assert f"| `{setting.flag}` | `{setting.env}` | `{setting.default!r}` |" in page
    help_text = CliRunner().invoke(main, ["serve", "--help"], terminal_width=400).output
    for setting in SETTINGS:
        assert f"[default: {setting.default!r}]" in help_text
    assert "--port INTEGER " in help_text and "--host TEXT " in help_text


_PROBE = """
import json, click
from click.testing import CliRunner
import objectbase
from objectbase.cli import main
from objectbase.cli.options import setting_options, settings_from
from objectbase.settings import SETTINGS, Settings, settings_markdown

@click.command()
@setting_options("port")
def probe(**options):
    click.echo(settings_from(options).port)

print(json.dumps({
    "package": objectbase.__file__,
    "dataclass": Settings().port,
    "from_env": Settings.from_env({}).port,
    "to_env": Settings().to_env()["OBJECTBASE_PORT"],
    "registry": next(s.default for s in SETTINGS if s.name == "port"),
    "flag_absent": CliRunner().invoke(probe, []).output.strip(),
    "help": CliRunner().invoke(main, ["serve", "--help"], terminal_width=400).output,
    "docs": settings_markdown(),
}))
"""


def test_a_default_changed_in_one_place_is_the_default_everywhere(tmp_path: Path) -> None:
    """Edit one number in a copy of the package's source: the dataclass, env, flags, help and docs all follow."""
    copy = tmp_path / "objectbase"
    shutil.copytree(ROOT / "objectbase", copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "settings.py").read_text()
    assert source.count("8080") == 1, "the port's default must be written exactly once"
    (copy / "settings.py").write_text(source.replace("8080", "9999"))
    env = {**_clean_env(), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, check=True)
    seen = json.loads(done.stdout)
    assert Path(seen["package"]).parent == copy
    assert (seen["dataclass"], seen["from_env"], seen["registry"]) == (9999, 9999, 9999)
    assert (seen["to_env"], seen["flag_absent"]) == ("9999", "9999")
    assert "[default: 9999]" in seen["help"] and "8080" not in seen["help"]
    assert "| `--port` | `OBJECTBASE_PORT` | `9999` |" in seen["docs"] and "8080" not in seen["docs"]


def test_settings_round_trip_through_the_environment() -> None:
    """`serve` hands its settings to worker processes as OBJECTBASE_* variables."""
    settings = Settings(port=9001, workers=3, quickblox_prefix="/qb", s3_secret_access_key="s3cr3t-value")
    assert Settings.from_env(settings.to_env()) == settings
    assert settings.to_env()["OBJECTBASE_S3_SECRET_ACCESS_KEY"] == "s3cr3t-value"


def test_precedence_is_default_then_variable_then_override() -> None:
    env = {"OBJECTBASE_PORT": "9001", "OBJECTBASE_HOST": "0.0.0.0"}
    settings = Settings.from_env(env, port=9002, host=None)
    assert (settings.port, settings.host, settings.workers) == (9002, "0.0.0.0", 1)


def test_an_empty_variable_counts_as_unset() -> None:
    settings = Settings.from_env({"OBJECTBASE_PORT": "", "OBJECTBASE_HOST": ""})
    assert (settings.port, settings.host) == (8080, "127.0.0.1")


def test_s3_minimum_part_size_matches_the_s3_backend() -> None:
    from objectbase.files.s3 import MIN_PART_BYTES
    assert next(s for s in SETTINGS if s.name == "s3_part_bytes").minimum == MIN_PART_BYTES


# --- bad values name where they came from and what they must be --------------------------------

BAD_VALUES = [
    pytest.param("OBJECTBASE_PORT", "abc", "an integer from 0 to 65535", id="port-not-a-number"),
    pytest.param("OBJECTBASE_PORT", "70000", "an integer from 0 to 65535", id="port-too-high"),
    pytest.param("OBJECTBASE_WORKERS", "-1", "an integer of at least 1", id="workers-negative"),
    pytest.param("OBJECTBASE_WORKERS", "0", "an integer of at least 1", id="workers-zero"),
    pytest.param("OBJECTBASE_SESSION_TTL", "1.5", "an integer of at least 1", id="ttl-not-an-integer"),
    pytest.param("OBJECTBASE_S3_PART_BYTES", "1024", "an integer of at least 5242880", id="part-below-s3-minimum"),
]


@pytest.mark.parametrize("variable, value, expected", BAD_VALUES)
def test_from_env_names_the_variable_and_the_expected_type(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingError) as raised:
        Settings.from_env({variable: value})
    assert str(raised.value) == f"{variable}: {value!r} is not {expected}"


@pytest.mark.parametrize("variable, value, expected", BAD_VALUES)
def test_serve_rejects_a_bad_variable_without_a_traceback(variable: str, value: str, expected: str) -> None:
    result = CliRunner().invoke(main, ["serve"], env={variable: value})
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert f"(env var: '{variable}'): {value!r} is not {expected}" in result.output


@pytest.mark.parametrize("variable, value, expected", BAD_VALUES)
def test_serve_rejects_a_bad_flag(variable: str, value: str, expected: str) -> None:
    flag = "--" + variable.removeprefix("OBJECTBASE_").lower().replace("_", "-")
    result = CliRunner().invoke(main, ["serve", flag, value])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"Invalid value for '{flag}'" in result.output and f"{value!r} is not {expected}" in result.output


def test_a_command_without_the_flag_still_names_the_bad_variable(tmp_path: Path) -> None:
    """`app create` has no --port, yet its settings read OBJECTBASE_PORT: it must fail cleanly, not crash."""
    result = CliRunner().invoke(main, ["app", "create", "--name", "x", "--data-dir", str(tmp_path)],
                                env={"OBJECTBASE_PORT": "abc"})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "OBJECTBASE_PORT: 'abc' is not an integer from 0 to 65535" in result.output
    assert not (tmp_path / "objectbase.db").exists()


def test_objectbase_serve_process_exits_with_the_message_and_no_traceback(tmp_path: Path) -> None:
    env = {**_clean_env(), "OBJECTBASE_PORT": "abc", "OBJECTBASE_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "objectbase", "serve"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "(env var: 'OBJECTBASE_PORT'): 'abc' is not an integer from 0 to 65535" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("raw, value", [
    ("true", True), ("Yes", True), (" on ", True), ("1", True),
    ("false", False), ("NO", False), ("off", False), ("0", False),
])
def test_a_bool_setting_accepts_the_usual_words(raw: str, value: bool) -> None:
    assert DEBUG.parse(raw, DEBUG.env) is value


def test_a_bool_setting_rejects_maybe_naming_the_variable() -> None:
    with pytest.raises(SettingError) as raised:
        DEBUG.parse("maybe", DEBUG.env)
    assert str(raised.value) == "OBJECTBASE_DEBUG: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"


def test_a_bool_option_rejects_maybe_from_its_variable() -> None:
    @click.command()
    @setting_option(DEBUG)
    def probe(debug: bool | None) -> None:
        click.echo(repr(debug))

    assert CliRunner().invoke(probe, [], env={DEBUG.env: "yes"}).output == "True\n"
    result = CliRunner().invoke(probe, [], env={DEBUG.env: "maybe"})
    assert result.exit_code == 2
    assert "(env var: 'OBJECTBASE_DEBUG'): 'maybe' is not a boolean" in result.output


@pytest.mark.parametrize("overrides, message", [
    ({"workers": 0}, "Settings.workers: 0 is not an integer of at least 1"),
    ({"port": True}, "Settings.port: True is not an integer from 0 to 65535"),
    ({"port": "8080"}, "Settings.port: '8080' is not an integer from 0 to 65535"),
], ids=["out-of-range", "bool-for-int", "str-for-int"])
def test_settings_built_in_code_meet_the_same_checks(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(SettingError) as raised:
        Settings(**overrides)  # type: ignore[arg-type]
    assert str(raised.value) == message


# --- secrets -----------------------------------------------------------------------------------

def test_secrets_are_the_settings_whose_names_say_so() -> None:
    secrets = {s.name for s in SETTINGS if s.secret}
    assert secrets == {"secret_key", "metrics_token", "s3_access_key_id", "s3_secret_access_key"}
    for setting in SETTINGS:
        words = set(setting.name.split("_"))
        assert setting.secret == bool(words & {"secret", "key", "password", "token"})


def test_repr_hides_every_secret() -> None:
    values: dict[str, Any] = {s.name: f"sensitive-{s.name}" for s in SETTINGS if s.secret}
    for settings in (Settings(**values),
                     Settings.from_env({s.env: values[s.name] for s in SETTINGS if s.secret}),
                     dataclasses.replace(Settings(), **values)):
        shown = repr(settings)
        assert "sensitive" not in shown and str(settings).count("Secret('**********')") == len(values)
        for name, value in values.items():
            held = getattr(settings, name)
            assert isinstance(held, Secret) and held == value and str(held) == value
    assert "s3_secret_access_key=Secret('')" in repr(Settings())


def test_an_error_about_a_secret_does_not_echo_it() -> None:
    api_token = Setting("api_token", int, 0, "A test-only secret.")
    with pytest.raises(SettingError) as raised:
        api_token.parse("hunter2", api_token.env)
    assert "hunter2" not in str(raised.value)
    assert str(raised.value) == "OBJECTBASE_API_TOKEN: a hidden value is not an integer"
