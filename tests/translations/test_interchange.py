"""XLIFF 2.0 and CSV: exact round trips of awkward texts, and imports of broken or hostile files.

A "translation tool" here fills every target with ``FR: `` followed by the source, so that an
import which read the source instead of the target, or lost one character, would show.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.catalogs import Language
from bridge.spreadsheet import from_text_cell
from bridge.translations.interchange import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    METADATA,
    XLIFF,
    ExportUnit,
    ImportedUnit,
    ImportResult,
    export_csv,
    export_xliff,
    import_csv,
    import_xliff,
    unit_id_of,
    xliff_id,
)
from tests.translations.helpers import filled_xliff

X = f"{{{XLIFF}}}"
MDA = f"{{{METADATA}}}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
NMTOKEN = re.compile(r"[A-Za-z0-9._:-]+")
OPPORTUNITY = "3f2a9b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c"

NASTY = [
    "# Besoin\n\n**Gras** et _italique_, [lien](https://canada.ca/a?b=1&c=2)\n\n- un\n- deux\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('<&>')\n```",
    '<script>alert("x")</script> &amp; &lt;b&gt; &#13; ]]> <![CDATA[ x ]]>',
    "\"double\", 'single', « guillemets », commas, ; semicolons; and a \\ backslash",
    "CRLF\r\nlines\r\nand LF\nlines\nand a lone CR\rtoo\r\n",
    "   leading and trailing spaces, a\ttab   ",
    "\n\nblank lines around\n\n",
    "Emoji 🇨🇦 👩🏽‍💻 😀 (outside the BMP) and accents: été, Noël, façade, ŒUVRE, à l'œil",
    '<cp hex="0041"/> _2F_ is text, not markup or an escaped id',
]


def unit(index: int, text: str, pair: tuple[Language, Language] = ("en", "fr")) -> ExportUnit:
    field = "description" if index % 2 == 0 else f"addendum:9c1d{index:04d}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    note = f"Opportunity «Outil n° {index}» — {field}"
    return ExportUnit(f"{OPPORTUNITY[:-4]}{index:04d}/{field}", *pair, text, digest, note)


def units_of(texts: Sequence[str]) -> list[ExportUnit]:
    return [unit(index, text) for index, text in enumerate(texts)]


def codes(result: ImportResult) -> list[tuple[str | None, str]]:
    return [(error.unit_id, error.code) for error in result.errors]


def translated(units: Sequence[ExportUnit]) -> list[ImportedUnit]:
    return [
        ImportedUnit(u.unit_id, u.source_hash, u.target_language, f"FR: {u.source_text}")
        for u in units
    ]


# A tool's output ---------------------------------------------------------------------------------


def filled_csv(
    document: bytes,
    *,
    skip: Collection[str] = (),
    columns: Sequence[str] = CSV_COLUMNS,
    delimiter: str = ",",
    bom: bool = True,
) -> bytes:
    """What a spreadsheet saves: its own quoting (only where needed), any columns, any order."""
    rows = list(csv.DictReader(io.StringIO(document.decode("utf-8-sig"), newline="")))
    for row in rows:
        # A spreadsheet shows a text cell without the apostrophe that keeps it from running.
        source = from_text_cell(row["source_text"])
        row["target_text"] = "" if row["unit_id"] in skip else f"FR: {source}"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xliff_round_trip(texts: Sequence[str]) -> tuple[list[ExportUnit], ImportResult]:
    units = units_of(texts)
    document = export_xliff(units, source_language="en", target_language="fr")
    return units, import_xliff(filled_xliff(document))


def csv_round_trip(texts: Sequence[str]) -> tuple[list[ExportUnit], ImportResult]:
    units = units_of(texts)
    return units, import_csv(filled_csv(export_csv(units)))


# Round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("round_trip", [xliff_round_trip, csv_round_trip], ids=["xliff", "csv"])
def test_awkward_texts_round_trip_exactly(round_trip: object) -> None:
    assert callable(round_trip)
    units, result = round_trip(NASTY)
    assert result.errors == []
    assert result.units == translated(units)


def test_a_tool_that_rewrites_the_whole_document_is_understood() -> None:
    # The standard library's writer stands for a tool: other namespace prefixes, attributes in
    # another order. It writes a carriage return as itself, which any XML parser reads as a line
    # feed (XML 1.0 §2.11), so these texts have none: a tool must write &#13;.
    texts = [text for text in NASTY if "\r" not in text]
    units = units_of(texts)
    root = ElementTree.fromstring(export_xliff(units, source_language="en", target_language="fr"))
    for segment in root.iter(f"{X}segment"):
        source = segment.find(f"{X}source")
        assert source is not None
        ElementTree.SubElement(segment, f"{X}target").text = f"FR: {source.text}"
    result = import_xliff(ElementTree.tostring(root, encoding="utf-8"))
    assert result.errors == []
    assert result.units == translated(units)


# XML 1.0 (§2.2, production Char) allows tab, LF, CR and everything from U+0020 except the
# surrogates, U+FFFE and U+FFFF. No other character can be written in an XML document at all.
xml_characters = st.characters(
    min_codepoint=0x20, exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r")


@given(st.lists(st.text(xml_characters), min_size=1, max_size=4))
def test_any_xml_text_round_trips_through_xliff(texts: list[str]) -> None:
    units, result = xliff_round_trip(texts)
    assert result.errors == []
    assert result.units == translated(units)


# Beyond XML 1.0: the other control characters travel as XLIFF <cp hex="..."/>. Surrogates are
# left out (UTF-8 cannot encode a lone one), and so is NUL, which an import refuses (PostgreSQL
# text cannot hold it).
@given(st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))))
def test_control_characters_round_trip_through_xliff_as_code_points(texts: list[str]) -> None:
    texts = [f"\x0c{text}\x1b" for text in texts] or ["\x01"]
    units, result = xliff_round_trip(texts)
    assert result.errors == []
    assert result.units == translated(units)


# CSV carries any character UTF-8 can encode (no lone surrogates); NUL is left out as above.
@given(st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))))
def test_any_text_round_trips_through_csv(texts: list[str]) -> None:
    units, result = csv_round_trip(texts)
    assert result.errors == []
    assert result.units == translated(units)


@given(st.text(min_size=1))
def test_unit_ids_become_nmtokens_and_come_back(unit_id: str) -> None:
    assert NMTOKEN.fullmatch(xliff_id(unit_id))
    assert unit_id_of(xliff_id(unit_id)) == unit_id


@given(st.binary(max_size=2000))
def test_no_file_makes_an_import_raise(data: bytes) -> None:
    for result in (import_xliff(data), import_csv(data), import_xliff(b"<xliff " + data)):
        assert isinstance(result, ImportResult)


# The documents ----------------------------------------------------------------------------------


def test_the_xliff_document_follows_the_standard() -> None:
    units = [unit(0, "Hello"), unit(1, "  Two\r\nlines ")]
    document = export_xliff(units, source_language="en", target_language="fr")
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    document.decode("utf-8")  # UTF-8 throughout
    root = ElementTree.fromstring(document)
    assert root.tag == f"{X}xliff"
    assert root.attrib == {"version": "2.0", "srcLang": "en", "trgLang": "fr"}
    (file,) = list(root)
    assert file.tag == f"{X}file" and NMTOKEN.fullmatch(file.get("id", ""))
    elements = list(file)
    assert [element.tag for element in elements] == [f"{X}unit", f"{X}unit"]
    assert [element.get("name") for element in elements] == [u.unit_id for u in units]
    for element, exported in zip(elements, units, strict=True):
        assert NMTOKEN.fullmatch(element.get("id", ""))
        assert unit_id_of(element.get("id", "")) == exported.unit_id
        assert element.get(f"{XML_NS}space") == "preserve"
        # Schema order: module elements, then <notes>, then the content; no target yet.
        metadata, notes, segment = list(element)
        assert (metadata.tag, notes.tag, segment.tag) == (
            f"{MDA}metadata",
            f"{X}notes",
            f"{X}segment",
        )
        meta = metadata.find(f"{MDA}metaGroup/{MDA}meta")
        assert meta is not None and meta.get("type") == "source-hash"
        assert meta.text == exported.source_hash
        assert [note.text for note in notes] == [exported.note]
        (source,) = list(segment)
        assert source.tag == f"{X}source" and source.get(f"{XML_NS}space") == "preserve"
        assert source.text == exported.source_text


def test_a_unit_id_is_an_nmtoken_in_xliff() -> None:
    exported = unit(2, "x")
    document = export_xliff([exported], source_language="en", target_language="fr")
    assert f'<unit id="{OPPORTUNITY[:-4]}0002_2F_description"'.encode() in document


def test_a_unit_without_note_has_no_notes() -> None:
    bare = ExportUnit("a/title", "fr", "en", "Bonjour", "h")
    root = ElementTree.fromstring(export_xliff([bare], source_language="fr", target_language="en"))
    assert root.find(f".//{X}notes") is None
    assert (root.get("srcLang"), root.get("trgLang")) == ("fr", "en")


def test_the_csv_file_opens_in_a_spreadsheet() -> None:
    units = [unit(0, "Deux\r\nlignes, « été »"), unit(1, "Bonjour", ("fr", "en"))]
    document = export_csv(units)  # one CSV may hold both directions
    assert document.startswith("\ufeff".encode())
    text = document.decode("utf-8-sig")
    assert text.startswith(",".join(f'"{name}"' for name in CSV_COLUMNS) + "\r\n")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(header) == CSV_COLUMNS
    assert rows == [
        [u.unit_id, u.source_language, u.target_language, u.source_hash, u.note, u.source_text, ""]
        for u in units
    ]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("https://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_a_text_a_spreadsheet_would_run_is_written_as_text_and_read_back(text: str) -> None:
    units = [unit(0, text)]
    document = export_csv(units)
    [row] = list(csv.DictReader(io.StringIO(document.decode("utf-8-sig"), newline="")))
    assert row["source_text"] == f"'{text}"  # shown as text, never run
    row["target_text"] = f"'{text}"  # a translator who kept the same text, as text
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    [imported] = import_csv(out.getvalue().encode()).units
    assert imported.target_text == text


def test_an_export_holds_one_language_pair_and_unique_ids() -> None:
    english, french = unit(0, "Hello"), unit(1, "Bonjour", ("fr", "en"))
    with pytest.raises(ValueError, match="one language pair"):
        export_xliff([english, french], source_language="en", target_language="fr")
    with pytest.raises(ValueError, match="one language pair"):
        export_csv([english, french], target_language="fr")
    with pytest.raises(ValueError, match="appears twice"):
        export_csv([english, english])
    with pytest.raises(ValueError, match="the same"):
        export_xliff([english], source_language="en", target_language="en")
    with pytest.raises(ValueError, match="at least one unit"):
        export_xliff([], source_language="en", target_language="fr")


# XLIFF imports ----------------------------------------------------------------------------------


def xliff(*units: str, trg_lang: str = "fr", version: str = "2.0") -> bytes:
    """A document as a tool might send it back."""
    body = "".join(units)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><xliff xmlns="{XLIFF}" xmlns:mda="{METADATA}"'
        f' version="{version}" srcLang="en" trgLang="{trg_lang}"><file id="f">{body}</file></xliff>'
    ).encode()


def xunit(unit_id: str, content: str, source_hash: str = "h") -> str:
    metadata = (
        f'<mda:metadata><mda:metaGroup><mda:meta type="source-hash">{source_hash}</mda:meta>'
        "</mda:metaGroup></mda:metadata>"
    )
    return f'<unit id="{unit_id}">{metadata if source_hash else ""}{content}</unit>'


def seg(target: str | None, source: str = "s", **target_attributes: str) -> str:
    attributes = "".join(f' {name}="{value}"' for name, value in target_attributes.items())
    element = "" if target is None else f"<target{attributes}>{target}</target>"
    return f"<segment><source>{source}</source>{element}</segment>"


def test_segments_join_in_target_order_with_the_spaces_between_them() -> None:
    # The translator swapped the two sentences (order="..."); the space between them is an
    # <ignorable> without target, so its source stands.
    sentences = (
        seg("Deux.", order="3")
        + "<ignorable><source> </source></ignorable>"
        + seg("Un.", order="1")
        + seg("\n", source="\n")
    )
    document = xliff(
        xunit("a/description", sentences),
        xunit("b/title", seg("Titre ") + seg("en deux"), source_hash=" h2 "),
    )
    result = import_xliff(document)
    assert result.errors == []
    assert [(u.unit_id, u.source_hash, u.target_text) for u in result.units] == [
        ("a/description", "h", "Un. Deux.\n"),
        ("b/title", "h2", "Titre en deux"),
    ]


def test_inline_codes_keep_their_text() -> None:
    target = (
        '<pc id="1">Gras</pc> et <mrk id="m1" translate="no">GC</mrk><ph id="2"/><cp hex="000C"/>'
    )
    result = import_xliff(xliff(xunit("a/b", seg(target))))
    assert [u.target_text for u in result.units] == ["Gras et GC\x0c"]


def test_a_missing_target_fails_only_its_unit() -> None:
    units = units_of(["one", "two", "three"])
    document = export_xliff(units, source_language="en", target_language="fr")
    result = import_xliff(filled_xliff(document, skip={units[1].unit_id}))
    assert codes(result) == [(units[1].unit_id, "missing_target")]
    assert result.units == translated([units[0], units[2]])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (seg(None), "missing_target"),
        (seg("Un") + seg(None), "missing_target"),  # half translated
        (seg(""), "empty_target"),
        (seg(" \n\t"), "empty_target"),
        ("<segment><source>s</source><target/></segment>", "empty_target"),
        (seg('<cp hex="D800"/>'), "not_xliff"),  # a lone surrogate
        (seg("x", order="7"), "not_xliff"),
        (seg("x", order="-1"), "not_xliff"),
        (seg("NUL<cp hex='0'/>"), "bad_encoding"),
    ],
)
def test_a_unit_without_a_usable_target_is_reported(content: str, code: str) -> None:
    result = import_xliff(xliff(xunit("bad/one", content), xunit("good/one", seg("Bien"))))
    assert codes(result) == [("bad/one", code)]
    assert [u.unit_id for u in result.units] == ["good/one"]


@pytest.mark.parametrize("unit_id", ["abc_0_/title", "abc_1B_/title", "abc_85_/title"])
def test_a_unit_id_that_decodes_to_a_control_character_is_refused(unit_id: str) -> None:
    result = import_xliff(xliff(xunit(unit_id, seg("Titre"))))
    assert codes(result) == [(None, "bad_id")] and result.units == []


def test_units_without_id_or_hash_are_reported() -> None:
    result = import_xliff(
        xliff(
            f"<unit><segment><source>s</source><target>t</target></segment></unit>{xunit('a', '')}",
            xunit("b/title", seg("t"), source_hash=""),
        )
    )
    assert codes(result) == [
        (None, "missing_id"),
        ("a", "missing_target"),
        ("b/title", "missing_source_hash"),
    ]


def test_duplicate_ids_import_neither_copy() -> None:
    result = import_xliff(
        xliff(
            xunit("a/title", seg("Un")),
            xunit("b/title", seg("Deux")),
            xunit("a/title", seg("Trois")),
        )
    )
    assert codes(result) == [("a/title", "duplicate_id")]
    assert [u.unit_id for u in result.units] == ["b/title"]


@pytest.mark.parametrize("trg_lang", ["de", "fr-CA", "", "english"])
def test_a_target_language_other_than_english_or_french_refuses_the_file(trg_lang: str) -> None:
    result = import_xliff(xliff(xunit("a/title", seg("Titel")), trg_lang=trg_lang))
    assert codes(result) == [(None, "bad_language")] and result.units == []


def test_language_tags_ignore_case_and_later_2x_versions_are_read() -> None:
    result = import_xliff(xliff(xunit("a/title", seg("Title")), trg_lang="EN", version="2.1"))
    assert result.errors == [] and [u.target_language for u in result.units] == ["en"]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"this is not XML", "not_xliff"),
        (b"", "not_xliff"),
        (b"<html><body>hello</body></html>", "not_xliff"),
        (b"<xliff version='2.0'><unclosed></xliff>", "not_xliff"),
        (b'<?xml version="1.0" encoding="bogus"?><xliff/>', "not_xliff"),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file '
            b'source-language="en" target-language="fr" datatype="plaintext" original="x"><body>'
            b'<trans-unit id="a"><source>s</source><target>t</target></trans-unit></body></file>'
            b"</xliff>",
            "wrong_version",
        ),
        (xliff(xunit("a", seg("t")), version="1.2"), "wrong_version"),
        (xliff(xunit("a", seg("t")), version="3.0"), "wrong_version"),
        (b'<xliff version="2.0" srcLang="en" trgLang="fr"/>', "wrong_version"),  # no namespace
    ],
)
def test_files_that_are_not_xliff_2_are_refused_whole(document: bytes, code: str) -> None:
    result = import_xliff(document)
    assert codes(result) == [(None, code)] and result.units == []


def test_an_entity_bomb_is_refused_without_expanding_it() -> None:
    levels = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )  # 10^9 "lol"s if expanded
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY lol0 "lol">{levels}]>'
        f'<xliff xmlns="{XLIFF}" version="2.0" srcLang="en" trgLang="fr"><file id="f">'
        f'<unit id="a"><segment><source>s</source><target>&lol9;</target></segment></unit>'
        "</file></xliff>"
    ).encode()
    result = import_xliff(bomb)
    assert codes(result) == [(None, "not_xliff")] and result.units == []


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
        '<!ENTITY x SYSTEM "{secret}">',
        '<!ENTITY % p SYSTEM "{secret}"> %p;',
    ],
)
def test_external_entities_are_never_read(declaration: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [{declaration.format(secret=secret.as_uri())}]>'
        f'<xliff xmlns="{XLIFF}" version="2.0" srcLang="en" trgLang="fr"><file id="f">'
        f'<unit id="a"><segment><source>s</source><target>&x;</target></segment></unit>'
        "</file></xliff>"
    ).encode()
    result = import_xliff(document)
    assert codes(result) == [(None, "not_xliff")] and result.units == []
    assert "SECRET" not in repr(result) and "root:" not in repr(result)


def test_an_external_dtd_is_refused() -> None:
    document = b'<!DOCTYPE xliff SYSTEM "http://example.invalid/xliff.dtd"><xliff/>'
    assert codes(import_xliff(document)) == [(None, "not_xliff")]


# CSV imports ------------------------------------------------------------------------------------


def test_csv_columns_may_be_reordered_dropped_or_added_with_or_without_bom() -> None:
    units = units_of(["Un", "Deux\r\nlignes"])
    columns = ["Comment", "target_text", "source_text", "source_hash", "target_language", "unit_id"]
    document = filled_csv(export_csv(units), columns=columns, bom=False)
    result = import_csv(document)
    assert result.errors == [] and result.units == translated(units)


def test_a_csv_saved_by_a_french_excel_uses_semicolons() -> None:
    units = units_of(["Un; deux", "trois, quatre"])
    result = import_csv(filled_csv(export_csv(units), delimiter=";"))
    assert result.errors == [] and result.units == translated(units)


def test_an_empty_target_row_fails_only_its_unit() -> None:
    units = units_of(["one", "two", "three"])
    result = import_csv(filled_csv(export_csv(units), skip={units[1].unit_id}))
    assert codes(result) == [(units[1].unit_id, "empty_target")]
    assert result.units == translated([units[0], units[2]])


def test_csv_rows_are_checked_one_by_one() -> None:
    rows = [
        "unit_id,target_language,source_hash,target_text",
        "a/title,fr,h1,Titre",
        ",fr,h2,Sans identifiant",
        "b/title,de,h3,Titel",
        "c/title,fr,,Sans empreinte",
        "d/title,fr,h4",  # a short row: no target cell at all
        ",,,",  # spreadsheets add blank rows
        "e/title,FR,h5,  Espaces gardés  ",
        "f/title,fr,h6,un",
        "f/title,fr,h6,deux",
        "g/title,fr,h7,NUL\x00",
    ]
    result = import_csv("\r\n".join(rows).encode())
    assert codes(result) == [
        (None, "missing_id"),
        ("b/title", "bad_language"),
        ("c/title", "missing_source_hash"),
        ("d/title", "missing_target"),
        ("f/title", "duplicate_id"),
        ("g/title", "bad_encoding"),
    ]
    assert result.errors[0].detail.startswith("row 3")
    assert result.units == [
        ImportedUnit("a/title", "h1", "fr", "Titre"),
        ImportedUnit("e/title", "h5", "fr", "  Espaces gardés  "),
    ]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"id,text\r\nx,y\r\n", "bad_csv_header"),
        (b"", "bad_csv_header"),
        (b"unit_id,target_language,source_hash\r\na,fr,h\r\n", "bad_csv_header"),
        (b"unit_id,target_language,source_hash,target_text,target_text\r\n", "bad_csv_header"),
        (
            "unit_id,target_language,source_hash,target_text\r\na,fr,h,été".encode("cp1252"),
            "bad_encoding",
        ),
        (b"\xff\xfeu\x00n\x00", "bad_encoding"),  # UTF-16
    ],
)
def test_bad_csv_files_are_refused_whole(document: bytes, code: str) -> None:
    result = import_csv(document)
    assert codes(result) == [(None, code)] and result.units == []


# Both ---------------------------------------------------------------------------------------------


def test_oversized_files_are_refused_before_parsing() -> None:
    too_big = b" " * (MAX_IMPORT_BYTES + 1)
    assert codes(import_xliff(too_big)) == [(None, "too_large")]
    assert codes(import_csv(too_big)) == [(None, "too_large")]
    # At the limit a file is read (and these two happen to be bad in other ways).
    assert codes(import_xliff(too_big[:-1])) == [(None, "not_xliff")]
    assert codes(import_csv(b"\n" * MAX_IMPORT_BYTES)) == [(None, "bad_csv_header")]


def test_a_csv_cell_larger_than_the_csv_module_allows_is_too_large() -> None:
    header = b"unit_id,target_language,source_hash,target_text\r\n"
    result = import_csv(header + b'a,fr,h,"' + b"x" * (csv.field_size_limit() + 1) + b'"\r\n')
    assert codes(result) == [(None, "too_large")]
