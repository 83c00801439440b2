"""Every CLI command and every setting is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from caselearn.cli import app
from caselearn.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=""):  # type: ignore[no-untyped-def]
    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, command in click_group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_cli_command_is_in_the_readme():
    missing = [name for name, _ in _commands(app) if f"`caselearn {name}" not in README]
    assert missing == []


def test_every_cli_command_has_help_with_an_example():
    missing = [
        name for name, command in _commands(app) if "Example: caselearn" not in (command.help or "")
    ]
    assert missing == []


def test_every_setting_is_in_the_readme():
    missing = [
        f"CASELEARN_{name.upper()}"
        for name in Settings.model_fields
        if f"`CASELEARN_{name.upper()}`" not in README
    ]
    assert missing == []
