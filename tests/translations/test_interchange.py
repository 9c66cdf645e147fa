"""XLIFF 2.0 and CSV: round trips of awkward texts, and imports of broken or hostile files."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.translations.interchange import (
    MAX_IMPORT_BYTES,
    XLIFF,
    ExportUnit,
    ImportResult,
    export_csv,
    export_xliff,
    import_csv,
    import_xliff,
)

NASTY = [
    "**Bold** and _italic_ with a [link](https://example.gc.ca/a?b=1&c=2)",
    "<script>alert('x')</script> &amp; ]]> \"quotes\", commas, and 'apostrophes'",
    "Lines\r\nwith CRLF\nand LF\n\n- a list",
    "  leading and trailing spaces  ",
    "Emoji 🇨🇦 and accents: été, Noël, façade",
]


def unit(index: int, text: str) -> ExportUnit:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ExportUnit(f"opp-{index}/description", "en", "fr", text, digest, f"note {index}")


def filled_xliff(document: bytes, targets: dict[str, str]) -> bytes:
    """Add a <target> to each unit, as a translation tool would."""
    root = ElementTree.fromstring(document)
    for element in root.iter(f"{{{XLIFF}}}unit"):
        segment = element.find(f"{{{XLIFF}}}segment")
        assert segment is not None
        ElementTree.SubElement(segment, f"{{{XLIFF}}}target").text = targets[element.get("id", "")]
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def filled_csv(document: bytes, targets: dict[str, str]) -> bytes:
    rows = list(csv.DictReader(io.StringIO(document.decode("utf-8-sig"), newline="")))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "target_text": targets[row["unit_id"]]})
    return out.getvalue().encode("utf-8")


def round_trip(kind: str, texts: list[str]) -> ImportResult:
    units = [unit(index, text) for index, text in enumerate(texts)]
    targets = {item.unit_id: f"FR: {item.source_text}" for item in units}
    if kind == "xliff":
        return import_xliff(filled_xliff(export_xliff(units, source_language="en",
                                                      target_language="fr"), targets))  # fmt: skip
    return import_csv(filled_csv(export_csv(units), targets))


@pytest.mark.parametrize("kind", ["xliff", "csv"])
def test_awkward_texts_round_trip_exactly(kind: str) -> None:
    result = round_trip(kind, NASTY)
    assert result.errors == []
    expected = [f"FR: {text}" for text in NASTY]
    if kind == "xliff":  # XML reads every line end as LF (XML 1.0, section 2.11)
        expected = [text.replace("\r\n", "\n") for text in expected]
    assert [item.target_text for item in result.units] == expected
    assert [item.source_hash for item in result.units] == [
        hashlib.sha256(text.encode()).hexdigest() for text in NASTY
    ]
    assert {item.target_language for item in result.units} == {"fr"}


# XML 1.0 allows tab, newline, carriage return and most of Unicode, but no other control
# characters and no surrogates: those cannot be in an XLIFF file at all.
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"), min_size=1
)


@given(texts=st.lists(xml_text, min_size=1, max_size=4))
def test_any_xml_text_round_trips_through_xliff(texts: list[str]) -> None:
    result = round_trip("xliff", texts)
    assert result.errors == []
    assert [item.target_text for item in result.units] == [f"FR: {text}" for text in texts]


@given(texts=st.lists(st.text(min_size=1).filter(lambda text: "\x00" not in text), min_size=1,
                      max_size=4))  # fmt: skip
def test_any_text_round_trips_through_csv(texts: list[str]) -> None:
    result = round_trip("csv", texts)
    assert [item.target_text for item in result.units] == [f"FR: {text}" for text in texts]


def test_the_xliff_document_follows_the_standard() -> None:
    document = export_xliff([unit(1, "Hello")], source_language="en", target_language="fr")
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ElementTree.fromstring(document)
    assert root.tag == f"{{{XLIFF}}}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en", "fr")
    (file,) = root.findall(f"{{{XLIFF}}}file")
    assert [u.get("id") for u in file.findall(f"{{{XLIFF}}}unit")] == ["opp-1/description"]


def test_one_document_holds_one_language_pair() -> None:
    french_source = ExportUnit("x/title", "fr", "en", "Bonjour", "h")
    with pytest.raises(ValueError, match="one language pair"):
        export_xliff([unit(1, "Hello"), french_source], source_language="en", target_language="fr")


def codes(result: ImportResult) -> list[tuple[str | None, str]]:
    return [(error.unit_id, error.code) for error in result.errors]


def test_a_missing_target_fails_only_its_unit() -> None:
    units = [unit(index, f"text {index}") for index in range(3)]
    document = filled_xliff(
        export_xliff(units, source_language="en", target_language="fr"),
        {item.unit_id: "traduit" for item in units},
    )
    root = ElementTree.fromstring(document)
    second = list(root.iter(f"{{{XLIFF}}}unit"))[1]
    segment = second.find(f"{{{XLIFF}}}segment")
    assert segment is not None
    segment.remove(segment.find(f"{{{XLIFF}}}target"))  # type: ignore[arg-type]
    result = import_xliff(ElementTree.tostring(root, encoding="utf-8"))
    assert codes(result) == [("opp-1/description", "missing_target")]
    assert [item.unit_id for item in result.units] == ["opp-0/description", "opp-2/description"]


def test_duplicate_ids_and_bad_languages_are_reported() -> None:
    document = (
        f'<xliff xmlns="{XLIFF}" version="2.0" srcLang="en" trgLang="de"><file id="f">'
        '<unit id="a"><segment><source>x</source><target>y</target></segment></unit>'
        "</file></xliff>"
    ).encode()
    assert codes(import_xliff(document)) == [("a", "bad_language")]
    twice = document.replace(b'trgLang="de"', b'trgLang="fr"').replace(
        b"</file>",
        b'<unit id="a"><segment><source>x</source><target>z</target></segment></unit></file>',
    )
    result = import_xliff(twice)
    assert codes(result) == [("a", "missing_source_hash"), ("a", "duplicate_id")]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"this is not XML", "not_xliff"),
        (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>', "wrong_version"),
        (
            f'<xliff xmlns="{XLIFF}" version="2.1" srcLang="en" trgLang="fr"/>'.encode(),
            "wrong_version",
        ),
        (b"<html><body>hello</body></html>", "not_xliff"),
    ],
)
def test_files_that_are_not_xliff_2_are_refused_whole(document: bytes, code: str) -> None:
    assert codes(import_xliff(document)) == [(None, code)]


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<xliff>&lol3;</xliff>"
    )
    assert codes(import_xliff(bomb)) == [(None, "not_xliff")]


def test_external_entities_are_never_fetched() -> None:
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" trgLang="fr">'
        b"&secret;</xliff>"
    )
    result = import_xliff(external)
    assert codes(result) == [(None, "not_xliff")] and result.units == []


def test_oversized_files_are_refused_before_parsing() -> None:
    assert codes(import_xliff(b" " * (MAX_IMPORT_BYTES + 1))) == [(None, "too_large")]
    assert codes(import_csv(b" " * (MAX_IMPORT_BYTES + 1))) == [(None, "too_large")]


def test_csv_problems_are_reported_per_row() -> None:
    header = "unit_id,target_language,source_hash,target_text\r\n"
    good = "a/title,fr,h1,Titre\r\n"
    empty = "b/title,fr,h2,\r\n"
    result = import_csv((header + good + empty).encode("utf-8"))
    assert [item.unit_id for item in result.units] == ["a/title"]
    assert codes(result) == [("b/title", "empty_target")]
    assert codes(import_csv(b"id,text\r\nx,y\r\n")) == [(None, "bad_csv_header")]
    assert codes(import_csv("unit_id;texte\n".encode("latin-1") + b"\xe9\xff")) == [
        (None, "bad_encoding")
    ]


def test_characters_xml_cannot_carry_are_dropped_from_an_export() -> None:
    document = export_xliff([unit(1, "Page\x0cbreak\x00")], source_language="en",
                            target_language="fr")  # fmt: skip
    root = ElementTree.fromstring(document)
    assert [source.text for source in root.iter(f"{{{XLIFF}}}source")] == ["Pagebreak"]
