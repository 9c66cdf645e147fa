"""Pending texts out to translators and translations back in: XLIFF 2.0 and CSV.

XLIFF 2.0 (OASIS) is what translation tools and the Translation Bureau exchange; CSV is what a
person opens in a spreadsheet. Each unit carries the hash of the text it translates (in the
XLIFF metadata module, which tools keep untouched), so an import can tell a translation made from
an older text. Imports never trust the file: the XML parser refuses entities (defusedxml), the
size is capped, and every problem is reported against its unit while the other units go in.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

Language = Literal["en", "fr"]
LANGUAGES: frozenset[str] = frozenset({"en", "fr"})
XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
METADATA = "urn:oasis:names:tc:xliff:metadata:2.0"
HASH_TYPE = "source-hash"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
CSV_COLUMNS = (
    "unit_id", "source_language", "target_language", "source_hash", "note", "source_text",
    "target_text",
)  # fmt: skip
REQUIRED_CSV = frozenset({"unit_id", "target_language", "source_hash", "target_text"})


@dataclass(frozen=True)
class ExportUnit:
    unit_id: str
    source_language: Language
    target_language: Language
    source_text: str
    source_hash: str
    note: str = ""


@dataclass(frozen=True)
class ImportedUnit:
    unit_id: str
    source_hash: str
    target_language: Language
    target_text: str


@dataclass(frozen=True)
class UnitError:
    unit_id: str | None
    code: str
    detail: str


@dataclass
class ImportResult:
    units: list[ImportedUnit] = field(default_factory=list)
    errors: list[UnitError] = field(default_factory=list)


# Characters XML 1.0 cannot carry at all; a marketplace text may still hold one (a stray form feed).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return NOT_IN_XML.sub("", text)


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


# Export -----------------------------------------------------------------------------------------


def export_xliff(
    units: Sequence[ExportUnit], *, source_language: Language, target_language: Language
) -> bytes:
    """One XLIFF 2.0 document; every unit must share its language pair."""
    if any(
        (unit.source_language, unit.target_language) != (source_language, target_language)
        for unit in units
    ):
        raise ValueError("an XLIFF document holds one language pair")
    ElementTree.register_namespace("", XLIFF)
    ElementTree.register_namespace("mda", METADATA)
    root = ElementTree.Element(
        _q(XLIFF, "xliff"),
        {"version": "2.0", "srcLang": source_language, "trgLang": target_language},
    )
    document = ElementTree.SubElement(root, _q(XLIFF, "file"), {"id": "gc-bridge"})
    for unit in units:
        element = ElementTree.SubElement(document, _q(XLIFF, "unit"), {"id": unit.unit_id})
        metadata = ElementTree.SubElement(element, _q(METADATA, "metadata"))
        group = ElementTree.SubElement(metadata, _q(METADATA, "metaGroup"))
        meta = ElementTree.SubElement(group, _q(METADATA, "meta"), {"type": HASH_TYPE})
        meta.text = unit.source_hash
        if unit.note:
            notes = ElementTree.SubElement(element, _q(XLIFF, "notes"))
            ElementTree.SubElement(notes, _q(XLIFF, "note")).text = xml_safe(unit.note)
        segment = ElementTree.SubElement(element, _q(XLIFF, "segment"))
        source = ElementTree.SubElement(
            segment,
            _q(XLIFF, "source"),
            {"{http://www.w3.org/XML/1998/namespace}space": "preserve"},
        )
        source.text = xml_safe(unit.source_text)
    document_bytes: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document_bytes


def export_csv(units: Iterable[ExportUnit]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheets read the accents right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for unit in units:
        writer.writerow(
            [unit.unit_id, unit.source_language, unit.target_language, unit.source_hash, unit.note,
             unit.source_text, ""]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Import -----------------------------------------------------------------------------------------


class _Collector:
    """Validation shared by both formats: ids, duplicates, language, non-empty target."""

    def __init__(self) -> None:
        self.result = ImportResult()
        self._seen: set[str] = set()

    def error(self, unit_id: str | None, code: str, detail: str) -> None:
        self.result.errors.append(UnitError(unit_id, code, detail))

    def add(self, unit_id: str, source_hash: str, language: str, target: str | None) -> None:
        if not unit_id:
            return self.error(None, "missing_id", "a unit has no id")
        if unit_id in self._seen:
            return self.error(unit_id, "duplicate_id", "the unit id appears more than once")
        self._seen.add(unit_id)
        if language not in LANGUAGES:
            return self.error(unit_id, "bad_language", f"target language {language!r}")
        if not source_hash:
            return self.error(unit_id, "missing_source_hash", "no source hash")
        if target is None:
            return self.error(unit_id, "missing_target", "no target")
        if not target.strip():
            return self.error(unit_id, "empty_target", "the target is empty")
        self.result.units.append(ImportedUnit(unit_id, source_hash, language, target))  # type: ignore[arg-type]
        return None


def _too_large(data: bytes) -> ImportResult | None:
    if len(data) > MAX_IMPORT_BYTES:
        return ImportResult(errors=[UnitError(None, "too_large", f"{len(data)} bytes")])
    return None


def import_xliff(data: bytes) -> ImportResult:
    refused = _too_large(data)
    if refused is not None:
        return refused
    collector = _Collector()
    try:
        root = fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        collector.error(None, "not_xliff", f"{type(exc).__name__}: {exc}")
        return collector.result
    if root.tag != _q(XLIFF, "xliff"):
        collector.error(None, "not_xliff" if "xliff" not in root.tag else "wrong_version", root.tag)
        return collector.result
    if root.get("version") != "2.0":
        collector.error(None, "wrong_version", f"version {root.get('version')!r}")
        return collector.result
    language = root.get("trgLang") or ""
    for unit in root.iter(_q(XLIFF, "unit")):
        collector.add(unit.get("id") or "", _source_hash(unit), language, _target(unit))
    return collector.result


def _source_hash(unit: ElementTree.Element) -> str:
    for meta in unit.iter(_q(METADATA, "meta")):
        if meta.get("type") == HASH_TYPE:
            return (meta.text or "").strip()
    return ""


def _target(unit: ElementTree.Element) -> str | None:
    """The unit's segments' targets, in order; ``None`` when no segment has one."""
    parts = [
        _text_of(target)
        for segment in unit.iter(_q(XLIFF, "segment"))
        for target in segment.findall(_q(XLIFF, "target"))
    ]
    return "".join(parts) if parts else None


def _text_of(element: ElementTree.Element) -> str:
    """Text content with inline elements' text kept (a tool may wrap markup in <ph>/<pc>)."""
    return "".join(element.itertext())


def import_csv(data: bytes) -> ImportResult:
    refused = _too_large(data)
    if refused is not None:
        return refused
    collector = _Collector()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        collector.error(None, "bad_encoding", str(exc))
        return collector.result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = set(reader.fieldnames or ())
    if not header >= REQUIRED_CSV:
        missing = ", ".join(sorted(REQUIRED_CSV - header))
        collector.error(None, "bad_csv_header", f"missing columns: {missing}")
        return collector.result
    try:
        for row in reader:
            collector.add(
                (row.get("unit_id") or "").strip(),
                (row.get("source_hash") or "").strip(),
                (row.get("target_language") or "").strip(),
                row.get("target_text"),
            )
    except csv.Error as exc:
        collector.error(None, "bad_csv_header", f"line {reader.line_num}: {exc}")
    return collector.result
