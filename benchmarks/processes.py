"""Servers under measurement run in processes of their own, so they never share the GIL of the
clients that measure them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def served_by(module: str, arguments: list[str], what: str) -> Iterator[str]:
    """Run ``python -m module arguments…`` until the block ends; yield the base URL it prints."""
    command = [sys.executable, "-m", module, *arguments]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("http://"):
                yield line.strip()
                return
        raise RuntimeError(f"{what} did not start")
    finally:
        process.terminate()
        process.wait(timeout=10)
