"""Docs kept true mechanically: the configuration page is generated from the settings registry."""

from __future__ import annotations

from pathlib import Path

from objectbase.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_page_is_generated_from_the_settings() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    assert page == settings_markdown(), "run: python -m objectbase.settings > docs/configuration.md"
    for setting in SETTINGS:
        assert setting.flag in page and setting.env in page
        row = next(line for line in page.splitlines() if line.startswith(f"| `{setting.flag}` |"))
        assert f"| `{setting.default!r}` | {setting.expected}" in row
        assert (", secret |" in row) == setting.secret


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/serve" in readme and "scripts/test" in readme
    assert (ROOT / "scripts" / "serve").exists() and (ROOT / "scripts" / "test").exists()
