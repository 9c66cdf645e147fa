"""Typed models of exactly the OCDS releases the bridge emits.

The official schema says what a release may hold; these models say what the bridge means to
emit, which the schema leaves optional: strict about the shape, codes and formats the bridge
writes, and that a text field present has text (OCDS tools report empty fields). Both checks
run on every record before it is delivered.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

import jsonschema_rs
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StringConstraints
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

# An ISO 8601 date and time with its offset, as the standard's ``date-time`` format wants it.
Moment = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),
]
# A text field is present with text, or absent: OCDS tools report empty strings.
Text = Annotated[str, StringConstraints(min_length=1)]
Tag = Literal["tender", "award", "contract", "contractAmendment", "contractTermination"]
Role = Literal["buyer", "procuringEntity", "supplier", "tenderer"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Value(_Strict):
    amount: StrictFloat
    currency: Literal["CAD"]


class Address(_Strict):
    postalCode: str | None = None  # noqa: N815 - the standard's field names
    countryName: str | None = None  # noqa: N815


class Party(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_fr: str | None = Field(default=None, min_length=1)
    name_en: str | None = Field(default=None, min_length=1)
    roles: list[Role] = Field(min_length=1)
    address: Address | None = None


class Reference(_Strict):
    id: str = Field(min_length=1)
    name: str


class Period(_Strict):
    startDate: Moment | None = None  # noqa: N815
    endDate: Moment | None = None  # noqa: N815


class Tender(_Strict):
    id: str
    status: Literal[
        "planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"
    ]
    title: Text | None = None
    title_fr: Text | None = None
    title_en: Text | None = None
    description: Text | None = None
    description_fr: Text | None = None
    description_en: Text | None = None
    procurementMethod: Literal["open", "selective", "limited", "direct"] | None = None  # noqa: N815
    mainProcurementCategory: Literal["goods", "works", "services"] | None = None  # noqa: N815
    tenderPeriod: Period | None = None  # noqa: N815
    numberOfTenderers: int | None = Field(default=None, ge=0)  # noqa: N815
    value: Value | None = None


class Award(_Strict):
    id: str
    title: Text | None = None
    title_fr: Text | None = None
    title_en: Text | None = None
    status: Literal["pending", "active", "cancelled", "unsuccessful"]
    date: Moment
    value: Value
    suppliers: list[Reference] = Field(min_length=1)


class Amendment(_Strict):
    id: str
    date: Moment
    description: Text
    description_fr: Text | None = None
    description_en: Text | None = None
    rationale: str


class Contract(_Strict):
    id: str
    awardID: str  # noqa: N815
    title: Text | None = None
    title_fr: Text | None = None
    title_en: Text | None = None
    status: Literal["pending", "active", "cancelled", "terminated"]
    value: Value
    dateSigned: Moment  # noqa: N815
    period: Period | None = None
    amendments: list[Amendment] | None = None


class Release(_Strict):
    ocid: str = Field(pattern=r"^ocds-[a-z0-9]{6}-.+")
    id: str = Field(min_length=1)
    date: Moment
    tag: list[Tag] = Field(min_length=1)
    initiationType: Literal["tender"]  # noqa: N815
    language: Literal["en", "fr"]
    parties: list[Party] = Field(min_length=1)
    buyer: Reference
    tender: Tender | None = None
    awards: list[Award] | None = None
    contracts: list[Contract] | None = None


@lru_cache(maxsize=1)
def _release_validator() -> Any:
    """The models' JSON Schema, compiled once by jsonschema-rs. An export checks tens of
    thousands of releases, and pydantic's validation of each took longer than building them
    (0.3 s of a 1.5 s export of 10,000 awards); the same constraints, read from the models,
    are checked here four times faster, and the models stay their one definition."""
    return jsonschema_rs.validator_for(Release.model_json_schema(schema_generator=_Absent))


class _Absent(GenerateJsonSchema):
    """An optional field is absent, never ``null`` (releases omit what they lack), so the
    schema says so, and a wrong value is reported at its field rather than as "not valid under
    any of" a field's two choices."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


def problems(release: dict[str, Any]) -> list[str]:
    """What makes ``release`` other than what the bridge means to emit; empty when fine."""
    validator = _release_validator()
    if validator.is_valid(release):
        return []
    return [
        f"{'/'.join(map(str, error.instance_path))}: {error.message}"
        for error in validator.iter_errors(release)
    ]
