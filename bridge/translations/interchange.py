"""Pending texts out to translators and translations back in: XLIFF 2.0 and CSV.

XLIFF 2.0 (OASIS) is what translation tools and the Translation Bureau exchange; CSV is what a
person opens in a spreadsheet. Each unit carries the hash of the text it translates (in the XLIFF
metadata module, which tools must keep), so an import can tell a translation made from an older
text.

Texts are Markdown and must come back exactly: every space, every line end (CR included), every
character. The XLIFF is therefore written by hand rather than by ElementTree, which cannot write a
carriage return that survives parsing (``&#13;``) nor a character XML forbids (``<cp hex=".."/>``).

Imports never trust the file: the XML parser refuses any DTD, so no entity is expanded and nothing
is fetched (defusedxml); the size is capped; and every problem is reported against its unit while
the other units go in. Both formats read their rows into the same candidates, checked by the same
code.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bridge.catalogs import Language
from bridge.spreadsheet import as_text_cell, from_text_cell

LANGUAGES: Final[dict[str, Language]] = {"en": "en", "fr": "fr"}

XLIFF: Final = "urn:oasis:names:tc:xliff:document:2.0"
METADATA: Final = "urn:oasis:names:tc:xliff:metadata:2.0"
SOURCE_HASH_TYPE: Final = "source-hash"
FILE_ID: Final = "gc-bridge"
# An upload is read whole into memory and parsed into a tree: a cap keeps one file from
# exhausting the server.
MAX_IMPORT_BYTES: Final = 20 * 1024 * 1024

CSV_COLUMNS: Final = (
    "unit_id",
    "source_language",
    "target_language",
    "source_hash",
    "note",
    "source_text",
    "target_text",
)
# What an import needs; the other columns help the translator and may be dropped or reordered.
CSV_REQUIRED: Final = frozenset({"unit_id", "target_language", "source_hash", "target_text"})
# Excel in a French locale saves "CSV" with semicolons; some tools write tabs.
CSV_DELIMITERS: Final = ",;\t"


@dataclass(frozen=True)
class ExportUnit:
    """One text waiting for its translation."""

    unit_id: str  # stable, e.g. "<opportunity id>/description" or "<id>/addendum:<addendum id>"
    source_language: Language
    target_language: Language
    source_text: str  # Markdown, any characters
    source_hash: str  # sha256 hex of source_text: tells a translation of an older text
    note: str = ""  # context for the translator (opportunity title, field name)


@dataclass(frozen=True)
class ImportedUnit:
    """A translation that came back and passed every check of the file format."""

    unit_id: str
    source_hash: str
    target_language: Language
    target_text: str


@dataclass(frozen=True)
class UnitError:
    """Why a unit (or, with no unit id, the whole file) could not be imported."""

    unit_id: str | None  # None: the problem is the file's, not one unit's
    code: str  # machine code; the panel shows its own sentence for it
    detail: str  # short English technical detail, for logs


@dataclass(frozen=True)
class ImportResult:
    """What a file gave: the units to store, and the rest, each with why (file order)."""

    units: list[ImportedUnit]
    errors: list[UnitError]


class _Refused(Exception):
    """A problem found while reading, reported under ``code`` (for the file or for one unit)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _language(value: str) -> Language | None:
    """BCP 47 tags ignore case; only the two official languages are accepted."""
    return LANGUAGES.get(value.strip().lower())


# Export: checks shared by both formats ---------------------------------------------------------


def _check_export(
    units: Sequence[ExportUnit], source: Language | None, target: Language | None
) -> None:
    """Refuse what would make a file the import cannot take back (bugs of the caller)."""
    seen: set[str] = set()
    for unit in units:
        if source not in (None, unit.source_language) or target not in (None, unit.target_language):
            raise ValueError(f"unit {unit.unit_id!r}: a file holds one language pair")
        if unit.source_language == unit.target_language:
            raise ValueError(f"unit {unit.unit_id!r}: source and target language are the same")
        if not unit.unit_id or unit.unit_id in seen:
            raise ValueError(f"unit id {unit.unit_id!r} is empty or appears twice")
        seen.add(unit.unit_id)


# Export: XLIFF 2.0 ------------------------------------------------------------------------------

# XML 1.0 "Char": anything else cannot appear in a document, not even as a character reference.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A parser turns a literal CR (and CRLF) into LF: only a character reference keeps it.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# In attributes a parser also turns tab and LF into spaces.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)
# XLIFF ids are NMTOKENs: no "/" (every unit id has one). Other characters are written as
# _<hex>_, which is reversible because "_" itself is escaped.
_NOT_ID_CHAR = re.compile(r"[^A-Za-z0-9.:-]")
_ID_ESCAPE = re.compile(r"_([0-9A-F]{1,6})_")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def xliff_id(unit_id: str) -> str:
    """The NMTOKEN written as ``<unit id>`` for a unit id (e.g. ``…/title`` → ``…_2F_title``)."""
    return _NOT_ID_CHAR.sub(lambda match: f"_{ord(match.group()):X}_", unit_id)


def unit_id_of(xliff_unit_id: str) -> str:
    """Undo :func:`xliff_id`; an id written by someone else comes back as it is."""

    def decode(match: re.Match[str]) -> str:
        point = int(match.group(1), 16)
        valid = point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF
        return chr(point) if valid else match.group()

    return _ID_ESCAPE.sub(decode, xliff_unit_id)


def _text(value: str) -> str:
    """Plain element content (note, hash): a character XML cannot carry becomes U+FFFD."""
    return _NOT_XML_CHAR.sub("\ufffd", value).translate(_TEXT_ESCAPES)


def _attribute(value: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", value).translate(_ATTRIBUTE_ESCAPES)


def _inline(value: str) -> str:
    """Translatable content: a character XML cannot carry becomes XLIFF's ``<cp hex>``."""
    escaped = value.translate(_TEXT_ESCAPES)
    return _NOT_XML_CHAR.sub(lambda match: f'<cp hex="{ord(match.group()):04X}"/>', escaped)


def _xliff_unit(unit: ExportUnit) -> str:
    """One ``<unit>``, children in the schema's order: modules, then notes, then content."""
    note = f'<notes><note category="context">{_text(unit.note)}</note></notes>'
    notes = note if unit.note else ""
    return (
        f'  <unit id="{xliff_id(unit.unit_id)}" name="{_attribute(unit.unit_id)}"'
        ' xml:space="preserve">'
        f'<mda:metadata><mda:metaGroup category="{FILE_ID}">'
        f'<mda:meta type="{SOURCE_HASH_TYPE}">{_text(unit.source_hash)}</mda:meta>'
        f"</mda:metaGroup></mda:metadata>{notes}"
        f'<segment><source xml:space="preserve">{_inline(unit.source_text)}</source></segment>'
        "</unit>"
    )


def export_xliff(
    units: Sequence[ExportUnit], *, source_language: Language, target_language: Language
) -> bytes:
    """One XLIFF 2.0 document in UTF-8; every unit must have the document's language pair."""
    if source_language == target_language:
        raise ValueError("source and target language are the same")
    if not units:  # the schema wants at least one unit in a <file>
        raise ValueError("an XLIFF document needs at least one unit")
    _check_export(units, source_language, target_language)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<xliff xmlns="{XLIFF}" xmlns:mda="{METADATA}" version="2.0"'
        f' srcLang="{source_language}" trgLang="{target_language}">',
        f' <file id="{FILE_ID}">',
        *(_xliff_unit(unit) for unit in units),
        " </file>",
        "</xliff>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# Export: CSV ------------------------------------------------------------------------------------


def export_csv(
    units: Sequence[ExportUnit],
    *,
    source_language: Language | None = None,
    target_language: Language | None = None,
) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, without which Excel garbles the accents.

    Each row says its languages, so one file may hold both directions; pass a language to insist
    on it. Every field is quoted and line ends inside a text are kept as they are. Texts are
    marketplace content, so a text a spreadsheet would run as a formula is written as text (a
    leading apostrophe, removed again from a translation that comes back with one).
    """
    _check_export(units, source_language, target_language)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        (
            unit.unit_id,
            unit.source_language,
            unit.target_language,
            unit.source_hash,
            as_text_cell(unit.note),
            as_text_cell(unit.source_text),
            "",
        )
        for unit in units
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Import: shared ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """One unit as read from a file, before the checks both formats share."""

    where: str  # "unit 3", "row 7": locates a unit without an id in the details
    unit_id: str
    source_hash: str
    target_language: str
    target: str | None  # None: the file has no target for it
    refused: tuple[str, str] | None = None  # (code, detail) found by the format's reader


def import_xliff(data: bytes) -> ImportResult:
    """Translations from an XLIFF 2.x document; never raises on a bad or hostile file."""
    return _import(data, _xliff_candidates)


def import_csv(data: bytes) -> ImportResult:
    """Translations from a CSV file like :func:`export_csv`'s; never raises on a bad file."""
    return _import(data, _csv_candidates)


def _import(data: bytes, read: Callable[[bytes], list[_Candidate]]) -> ImportResult:
    """Both formats: the size cap, the format's reader, then the checks they share."""
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise _Refused("too_large", f"{len(data)} bytes, more than {MAX_IMPORT_BYTES}")
        candidates = read(data)
    except _Refused as refused:
        return ImportResult(units=[], errors=[UnitError(None, refused.code, refused.detail)])
    return _checked(candidates)


def _checked(candidates: list[_Candidate]) -> ImportResult:
    """Import the good units, in file order; an id found twice is ambiguous, so neither goes in."""
    counts = Counter(candidate.unit_id for candidate in candidates)
    units: list[ImportedUnit] = []
    errors: list[UnitError] = []
    reported: set[str] = set()
    for candidate in candidates:
        unit_id = candidate.unit_id
        if unit_id and counts[unit_id] > 1:
            if unit_id not in reported:
                reported.add(unit_id)
                detail = f"{counts[unit_id]} units have this id; none was imported"
                errors.append(UnitError(unit_id, "duplicate_id", detail))
            continue
        outcome = _check(candidate)
        if isinstance(outcome, ImportedUnit):
            units.append(outcome)
        else:
            errors.append(outcome)
    return ImportResult(units=units, errors=errors)


def _check(candidate: _Candidate) -> ImportedUnit | UnitError:
    """The checks every unit passes, whatever the format."""
    if not candidate.unit_id:
        return UnitError(None, "missing_id", f"{candidate.where}: no unit id")
    if _CONTROL.search(candidate.unit_id):  # e.g. "_0_" decoded to NUL: matches nothing real
        return UnitError(None, "bad_id", f"{candidate.where}: the unit id holds control characters")

    def refuse(code: str, detail: str) -> UnitError:
        return UnitError(candidate.unit_id, code, f"{candidate.where}: {detail}")

    language, target = _language(candidate.target_language), candidate.target
    if language is None:
        return refuse("bad_language", f"target language {candidate.target_language!r} not en/fr")
    if not candidate.source_hash:
        return refuse("missing_source_hash", "no hash of the source text")
    if candidate.refused is not None:
        return refuse(*candidate.refused)
    if target is None:
        return refuse("missing_target", "no target")
    if not target.strip():  # a tool that leaves blanks has not translated
        return refuse("empty_target", "the target is empty or blank")
    if "\x00" in target:  # PostgreSQL text cannot hold it
        return refuse("bad_encoding", "the target holds a NUL character")
    return ImportedUnit(candidate.unit_id, candidate.source_hash, language, target)


# Import: XLIFF ----------------------------------------------------------------------------------

_UNIT = f"{{{XLIFF}}}unit"
_SEGMENT = f"{{{XLIFF}}}segment"
_IGNORABLE = f"{{{XLIFF}}}ignorable"
_SOURCE = f"{{{XLIFF}}}source"
_TARGET = f"{{{XLIFF}}}target"
_CP = f"{{{XLIFF}}}cp"
_METADATA = f"{{{METADATA}}}metadata"
_META = f"{{{METADATA}}}meta"
# 2.1 and 2.2 keep the 2.0 core namespace and are read the same way.
_VERSION_2 = re.compile(r"2\.[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]{1,6}")
_POSITIVE = re.compile(r"[1-9][0-9]{0,8}")


def _parse(data: bytes) -> Element:
    """Parse untrusted XML: any DTD is refused, hence every entity, internal or external."""
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise _Refused("not_xliff", f"{type(exc).__name__}: {exc}") from exc
    return root


def _check_root(root: Element) -> None:
    namespace, _, name = root.tag.rpartition("}")
    if name != "xliff":
        raise _Refused("not_xliff", f"the root element is {root.tag!r}")
    version = root.get("version", "")
    if namespace.lstrip("{") != XLIFF or not _VERSION_2.fullmatch(version):
        raise _Refused("wrong_version", f"XLIFF version {version!r} in {namespace.lstrip('{')!r}")


def _xliff_candidates(data: bytes) -> list[_Candidate]:
    root = _parse(data)
    _check_root(root)
    language = root.get("trgLang", "")
    if _language(language) is None:
        raise _Refused("bad_language", f"trgLang {language!r} is not en or fr")
    return [
        _xliff_candidate(unit, position, language)
        for position, unit in enumerate(root.iter(_UNIT), start=1)
    ]


def _xliff_candidate(unit: Element, position: int, language: str) -> _Candidate:
    target: str | None = None
    refused = None
    try:
        target = _unit_target(unit)
    except _Refused as problem:
        refused = (problem.code, problem.detail)
    return _Candidate(
        where=f"unit {position}",
        unit_id=unit_id_of(unit.get("id", "").strip()),
        source_hash=_source_hash(unit),
        target_language=language,
        target=target,
        refused=refused,
    )


def _source_hash(unit: Element) -> str:
    metadata = unit.find(_METADATA)
    if metadata is None:
        return ""
    hashes = (meta for meta in metadata.iter(_META) if meta.get("type") == SOURCE_HASH_TYPE)
    return next(((meta.text or "").strip() for meta in hashes), "")


def _unit_target(unit: Element) -> str | None:
    """The unit's translation: its targets joined in target order; ``None`` if it has none.

    A tool may split a text into sentences, putting the spaces between them in ``<ignorable>``
    elements (kept as their source when they have no target), and may reorder sentences with
    ``order``. A unit where only some sentences are translated is refused.
    """
    parts = [child for child in unit if child.tag in (_SEGMENT, _IGNORABLE)]
    segments = [part for part in parts if part.tag == _SEGMENT]
    untranslated = sum(1 for segment in segments if segment.find(_TARGET) is None)
    if untranslated == len(segments):
        return None
    if untranslated:
        raise _Refused("missing_target", f"{untranslated} of {len(segments)} segments untranslated")
    placed = sorted(_placed(part, position) for position, part in enumerate(parts, start=1))
    if [order for order, _ in placed] != list(range(1, len(parts) + 1)):
        raise _Refused("not_xliff", "the order attributes of the targets are not a permutation")
    return "".join(text for _, text in placed)


def _placed(part: Element, position: int) -> tuple[int, str]:
    """Where a segment's or ignorable's target goes in the translation, and its text."""
    target = part.find(_TARGET)
    if target is None:  # an ignorable without target: its source stands
        source = part.find(_SOURCE)
        return position, _inline_text(source) if source is not None else ""
    order = target.get("order")
    if order is None:
        return position, _inline_text(target)
    if not _POSITIVE.fullmatch(order):
        raise _Refused("not_xliff", f"order {order!r} is not a positive integer")
    return int(order), _inline_text(target)


def _inline_text(element: Element) -> str:
    """The text of a source or target with its inline codes' text, ``<cp>`` read back.

    Walked with a stack, not recursion: a file of deeply nested markup cannot exhaust Python's
    recursion limit.
    """
    parts: list[str] = []
    stack: list[Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item is not element and item.tail:
            stack.append(item.tail)  # popped after the element's own content
        if item.tag == _CP:
            parts.append(_code_point(item))
            continue
        parts.append(item.text or "")
        stack.extend(reversed(list(item)))
    return "".join(parts)


def _code_point(cp: Element) -> str:
    value = cp.get("hex", "")
    point = int(value, 16) if _HEX.fullmatch(value) else -1
    if not 0 <= point <= 0x10FFFF or 0xD800 <= point <= 0xDFFF:
        raise _Refused("not_xliff", f"<cp hex={value!r}> is not a Unicode character")
    return chr(point)


# Import: CSV ------------------------------------------------------------------------------------


def _csv_candidates(data: bytes) -> list[_Candidate]:
    try:
        text = data.decode("utf-8-sig")  # with or without the byte-order mark
    except UnicodeDecodeError as exc:
        raise _Refused("bad_encoding", f"not UTF-8: {exc}") from exc
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _csv_columns(next(rows, []))
        return [
            _csv_candidate(row, columns, number)
            for number, row in enumerate(rows, start=2)  # spreadsheet row numbers
            if any(cell.strip() for cell in row)  # spreadsheets append blank rows
        ]
    except csv.Error as exc:  # in practice, a cell over csv.field_size_limit()
        raise _Refused("too_large", f"row {rows.line_num}: {exc}") from exc


def _delimiter(text: str) -> str:
    """The delimiter that makes the first line a header with the required columns."""
    end = text.find("\n")
    first_line = text[: end if end >= 0 else len(text)]
    for delimiter in CSV_DELIMITERS:
        names = {_column_name(name) for name in first_line.split(delimiter)}
        if names >= CSV_REQUIRED:
            return delimiter
    return ","


def _column_name(cell: str) -> str:
    return cell.strip().strip('"').strip().lower()


def _csv_columns(header: list[str]) -> dict[str, int]:
    """Where each required column is; other columns are ignored, in any order."""
    names = [_column_name(cell) for cell in header]
    missing = sorted(CSV_REQUIRED.difference(names))
    doubled = sorted(name for name in CSV_REQUIRED if names.count(name) > 1)
    if missing or doubled:
        raise _Refused("bad_csv_header", f"missing columns {missing}, repeated columns {doubled}")
    return {name: names.index(name) for name in CSV_REQUIRED}


def _translation(cell: str | None) -> str | None:
    """Kept exactly (spaces and line ends are the translator's), but for the apostrophe a
    spreadsheet-safe cell may carry."""
    return None if cell is None else from_text_cell(cell)


def _csv_candidate(row: list[str], columns: dict[str, int], number: int) -> _Candidate:
    def cell(name: str) -> str | None:
        position = columns[name]
        return row[position] if position < len(row) else None

    return _Candidate(
        where=f"row {number}",
        unit_id=(cell("unit_id") or "").strip(),
        source_hash=(cell("source_hash") or "").strip(),
        target_language=cell("target_language") or "",
        target=_translation(cell("target_text")),
    )
