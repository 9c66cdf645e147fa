"""How the bridge's processes log: one format, on standard error, for operators and journald.

Log lines carry untrusted text (marketplace titles, e-mail addresses, error messages quoting
answers): a line break in one would let it write a line of its own, forged to look like the
bridge's. Every message is kept on one line, its line breaks and other control characters
shown escaped; a traceback keeps its own lines, which the bridge writes itself.
"""

from __future__ import annotations

import logging
import re
import sys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` with its control characters (tabs aside) written as escapes: ``\\n``, ``\\x1b``."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class OneLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = one_line(record.message)
        return super().formatMessage(record)


def configure_logging(level: int | str = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
