"""A directory procurement staff (or their system) read: one JSON file per batch and a checksum
manifest beside it, each written atomically (a temporary file, then a rename).

A reader that sees ``<batch>.json.sha256`` knows ``<batch>.json`` is complete, and can check it.
A batch written again after a crash has the same name and the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from bridge.exports.delivery import Item, SinkFailed


def write_atomically(path: Path, data: bytes) -> None:
    """Never a half-written ``path``: write beside it, flush to disk, then rename over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        temporary.unlink(missing_ok=True)


def batch_document(batch: str, items: list[Item]) -> bytes:
    deliveries = [{"idempotency_key": item.idempotency_key, **item.payload}
                  for item in sorted(items, key=lambda item: item.delivery_id)]  # fmt: skip
    document = {"batch": batch, "deliveries": deliveries}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")


class DirectorySink:
    name = "directory"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        body = batch_document(batch, items)
        data_file = self.directory / f"{batch}.json"
        manifest = f"{hashlib.sha256(body).hexdigest()}  {data_file.name}\n".encode()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(data_file, body)
            write_atomically(self.directory / f"{data_file.name}.sha256", manifest)
        except OSError as problem:
            raise SinkFailed(f"cannot write {data_file}: {problem}") from problem
        return {item.delivery_id: None for item in items}
