"""Entry point operators run: ``python sync.py`` syncs once, ``python sync.py --schedule`` keeps
syncing. Any other ``gc-bridge`` command works too (``python sync.py status --json``)."""

from __future__ import annotations

import sys

from bridge.cli import run

if __name__ == "__main__":
    arguments = sys.argv[1:]
    if not arguments or (
        arguments[0].startswith("-") and arguments[0] not in ("--help", "--version")
    ):
        arguments = ["sync", *arguments]
    run(arguments, prog_name="sync.py")
