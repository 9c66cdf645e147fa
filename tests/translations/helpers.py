"""Translating an exported XLIFF document as a translator would, for import tests."""

from __future__ import annotations

import re
from collections.abc import Collection


def filled_xliff(document: bytes, skip: Collection[str] = ()) -> bytes:
    """Copy each source into a target after ``FR: `` (what a tool's "copy source" does), as
    markup: a carriage return stays ``&#13;`` and a forbidden character stays ``<cp>``."""

    def fill(match: re.Match[bytes]) -> bytes:
        if match["name"].decode() in skip:
            return match[0]
        return match[1] + b'<target xml:space="preserve">FR: ' + match["inner"] + b"</target>"

    return UNIT_SOURCE.sub(fill, document)


UNIT_SOURCE = re.compile(
    rb'(<unit id="[^"]*" name="(?P<name>[^"]*)".*?<source xml:space="preserve">'
    rb"(?P<inner>.*?)</source>)(?=</segment>)",
    re.DOTALL,
)
