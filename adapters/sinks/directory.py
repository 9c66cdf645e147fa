"""A directory procurement staff (or their system) read: one JSON file per batch (and a CSV of a
batch of payment requisitions, or of a quarter's outcome figures) with a checksum manifest
beside each, each written atomically (a temporary file, then a rename); and the OCDS release and
record packages of every record, replaced after each export, for an open-data harvester that
reads files.

A reader that sees ``<batch>.json.sha256`` knows ``<batch>.json`` is complete, and can check it.
A batch written again after a crash has the same name and the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from bridge.contracts.requisitions import csv_text
from bridge.exports.delivery import Item, SinkFailed
from bridge.exports.models import DeliveryKind
from bridge.outcomes import open_data


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


def _in_order(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda item: item.delivery_id)


def batch_document(batch: str, items: list[Item]) -> bytes:
    deliveries = [
        {"idempotency_key": item.idempotency_key, **item.payload} for item in _in_order(items)
    ]
    document = {"batch": batch, "deliveries": deliveries}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")


def write_with_manifest(path: Path, body: bytes) -> None:
    """``path`` and ``path.sha256`` beside it, the manifest last: once it is there, the file it
    names is complete."""
    manifest = f"{hashlib.sha256(body).hexdigest()}  {path.name}\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, body)
    write_atomically(path.with_name(f"{path.name}.sha256"), manifest)


class DirectorySink:
    name = "directory"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        data_file = self.directory / f"{batch}.json"
        try:
            if items[0].kind == DeliveryKind.PAYMENT_REQUISITION.value:
                # Financial systems import CSV: the same requisitions, a row each, beside.
                documents = [item.payload["requisition"] for item in _in_order(items)]
                body = csv_text(documents).encode("utf-8-sig")
                write_with_manifest(self.directory / f"{batch}.csv", body)
            elif items[0].kind == DeliveryKind.OUTCOMES.value:
                # Open data is published as CSV: every figure of the batch's quarters.
                rows = [row for item in _in_order(items) for row in item.payload["rows"]]
                body = open_data.csv_text(rows).encode("utf-8-sig")
                write_with_manifest(self.directory / f"{batch}.csv", body)
            write_with_manifest(data_file, batch_document(batch, items))
        except OSError as problem:
            raise SinkFailed(f"cannot write {data_file}: {problem}") from problem
        return {item.delivery_id: None for item in items}

    def keep_packages(self, files: dict[str, bytes]) -> None:
        """The packages under ``ocds/``, each replaced only when its bytes changed (a harvester
        that watches modification times fetches nothing new)."""
        for name, body in files.items():
            path = self.directory / "ocds" / name
            try:
                if path.exists() and path.read_bytes() == body:
                    continue
                write_with_manifest(path, body)
            except OSError as problem:
                raise SinkFailed(f"cannot write {path}: {problem}") from problem
