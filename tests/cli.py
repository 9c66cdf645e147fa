"""Running the ``gc-bridge`` command line inside a test, with its exit code and output."""

from __future__ import annotations

from click.testing import CliRunner

from bridge.cli import main


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.stdout, result.stderr
