"""Typed models of the marketplace's JSON, exactly as the real API returns it.

Every response crosses into the bridge through these models, once, at the edge: the rest of the
code never sees raw JSON. Unknown fields are ignored (a fork may add some); missing or wrongly
typed ones raise ``pydantic.ValidationError``, which the sync turns into a quarantined record.
The quirks of the real API are absorbed here (``rank`` as a string in lists, ``note: null``,
``history`` present or absent) so that nothing downstream has to know about them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    create_model,
)

from bridge.marketplace.vocabulary import (
    CWUOpportunityStatus,
    CWUProposalStatus,
    OpportunityKind,
    SWUOpportunityStatus,
    SWUProposalStatus,
    TWUOpportunityStatus,
    TWUProposalStatus,
    UserStatus,
    UserType,
)


def _int_from_text(value: Any) -> Any:
    """``rank`` is a number in proposal details but a string ("1") in lists."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=9, decimal_places=4)]
Rank = Annotated[int, BeforeValidator(_int_from_text)]
Timestamp = AwareDatetime


class ApiModel(BaseModel):
    """Base of every marketplace model: immutable, tolerant of fields a fork adds."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class FileRecord(ApiModel):
    id: str
    name: str
    created_at: Timestamp = Field(alias="createdAt")
    file_blob: str = Field(alias="fileBlob")


class UserSlim(ApiModel):
    id: str
    name: str
    avatar_image_file: FileRecord | None = Field(default=None, alias="avatarImageFile")


class HistoryType(ApiModel):
    tag: Literal["status", "event"]
    value: str


class HistoryRecord(ApiModel):
    """One status change or event; TWU omits ``attachments`` and may send ``note: null``."""

    id: str
    created_at: Timestamp = Field(alias="createdAt")
    created_by: UserSlim | None = Field(default=None, alias="createdBy")
    note: str | None = None
    type: HistoryType
    attachments: list[FileRecord] = Field(default_factory=list)


class Addendum(ApiModel):
    id: str
    description: str
    created_at: Timestamp = Field(alias="createdAt")
    created_by: UserSlim | None = Field(default=None, alias="createdBy")


class Reporting(ApiModel):
    num_proposals: NonNegativeInt = Field(alias="numProposals")
    num_watchers: NonNegativeInt = Field(default=0, alias="numWatchers")
    num_views: NonNegativeInt = Field(default=0, alias="numViews")


class ProponentRef(ApiModel):
    tag: Literal["individual", "organization"]
    value: str


class CWUSuccessfulProponent(ApiModel):
    id: ProponentRef
    name: str
    email: str | None = None
    score: Score | None = None
    created_by: UserSlim | None = Field(default=None, alias="createdBy")


class TeamSuccessfulProponent(ApiModel):
    """SWU and TWU proposals are always by an organization, so ``id`` is its id."""

    id: str
    name: str
    email: str | None = None
    total_score: Score | None = Field(default=None, alias="totalScore")
    created_by: UserSlim | None = Field(default=None, alias="createdBy")


# Opportunities ---------------------------------------------------------------------------------


class OpportunitySlim(ApiModel):
    """Fields common to the three kinds' list items."""

    id: str
    title: str
    teaser: str
    created_at: Timestamp = Field(alias="createdAt")
    updated_at: Timestamp = Field(alias="updatedAt")
    remote_ok: bool = Field(alias="remoteOk")
    location: str
    proposal_deadline: Timestamp = Field(alias="proposalDeadline")
    subscribed: bool | None = None
    created_by: UserSlim | None = Field(default=None, alias="createdBy")
    updated_by: UserSlim | None = Field(default=None, alias="updatedBy")

    @property
    def amount(self) -> Decimal:
        """The opportunity's money figure, whatever the kind calls it."""
        raise NotImplementedError


class CWUOpportunitySlim(OpportunitySlim):
    status: CWUOpportunityStatus
    reward: Money

    @property
    def amount(self) -> Decimal:
        return self.reward


class SWUOpportunitySlim(OpportunitySlim):
    status: SWUOpportunityStatus
    total_max_budget: Money = Field(alias="totalMaxBudget")

    @property
    def amount(self) -> Decimal:
        return self.total_max_budget


class TWUOpportunitySlim(OpportunitySlim):
    status: TWUOpportunityStatus
    max_budget: Money = Field(alias="maxBudget")

    @property
    def amount(self) -> Decimal:
        return self.max_budget


class OpportunityDetailFields(ApiModel):
    """Fields every kind's detail adds to its list item."""

    description: str
    remote_desc: str = Field(alias="remoteDesc")
    published_at: Timestamp | None = Field(default=None, alias="publishedAt")
    attachments: list[FileRecord] = Field(default_factory=list)
    addenda: list[Addendum] = Field(default_factory=list)
    history: list[HistoryRecord] | None = None
    reporting: Reporting | None = None


class CWUOpportunity(CWUOpportunitySlim, OpportunityDetailFields):
    skills: list[str]
    assignment_date: Timestamp = Field(alias="assignmentDate")
    start_date: Timestamp = Field(alias="startDate")
    completion_date: Timestamp | None = Field(default=None, alias="completionDate")
    submission_info: str = Field(alias="submissionInfo")
    acceptance_criteria: str = Field(alias="acceptanceCriteria")
    evaluation_criteria: str = Field(alias="evaluationCriteria")
    successful_proponent: CWUSuccessfulProponent | None = Field(
        default=None, alias="successfulProponent"
    )

    @property
    def all_skills(self) -> list[str]:
        return list(self.skills)


class EvaluationPanelUser(ApiModel):
    id: str
    name: str
    email: str | None = None


class EvaluationPanelMember(ApiModel):
    user: EvaluationPanelUser
    chair: bool
    evaluator: bool
    order: int


class EvaluationQuestion(ApiModel):
    question: str
    guideline: str
    score: Decimal
    word_limit: int = Field(alias="wordLimit")
    order: int
    minimum_score: Decimal | None = Field(default=None, alias="minimumScore")


class RequiredCapability(ApiModel):
    capability: str
    full_time: bool = Field(alias="fullTime")


class SWUPhase(ApiModel):
    phase: str
    start_date: Timestamp = Field(alias="startDate")
    completion_date: Timestamp = Field(alias="completionDate")
    max_budget: Money = Field(alias="maxBudget")
    required_capabilities: list[RequiredCapability] = Field(
        default_factory=list, alias="requiredCapabilities"
    )


class SWUOpportunity(SWUOpportunitySlim, OpportunityDetailFields):
    mandatory_skills: list[str] = Field(alias="mandatorySkills")
    optional_skills: list[str] = Field(alias="optionalSkills")
    assignment_date: Timestamp = Field(alias="assignmentDate")
    min_team_members: int | None = Field(default=None, alias="minTeamMembers")
    questions_weight: Decimal = Field(alias="questionsWeight")
    code_challenge_weight: Decimal = Field(alias="codeChallengeWeight")
    scenario_weight: Decimal = Field(alias="scenarioWeight")
    price_weight: Decimal = Field(alias="priceWeight")
    team_questions: list[EvaluationQuestion] = Field(default_factory=list, alias="teamQuestions")
    evaluation_panel: list[EvaluationPanelMember] = Field(
        default_factory=list, alias="evaluationPanel"
    )
    inception_phase: SWUPhase | None = Field(default=None, alias="inceptionPhase")
    prototype_phase: SWUPhase | None = Field(default=None, alias="prototypePhase")
    implementation_phase: SWUPhase = Field(alias="implementationPhase")
    successful_proponent: TeamSuccessfulProponent | None = Field(
        default=None, alias="successfulProponent"
    )

    @property
    def all_skills(self) -> list[str]:
        return _unique([*self.mandatory_skills, *self.optional_skills])

    @property
    def start_date(self) -> datetime:
        """The contract starts with the first phase the opportunity has."""
        first = self.inception_phase or self.prototype_phase or self.implementation_phase
        return first.start_date

    @property
    def completion_date(self) -> datetime:
        return self.implementation_phase.completion_date


class TWUResource(ApiModel):
    id: str
    service_area: str = Field(alias="serviceArea")
    target_allocation: Decimal = Field(alias="targetAllocation")
    mandatory_skills: list[str] = Field(default_factory=list, alias="mandatorySkills")
    optional_skills: list[str] = Field(default_factory=list, alias="optionalSkills")
    order: int


class TWUOpportunity(TWUOpportunitySlim, OpportunityDetailFields):
    assignment_date: Timestamp = Field(alias="assignmentDate")
    start_date: Timestamp = Field(alias="startDate")
    completion_date: Timestamp = Field(alias="completionDate")
    questions_weight: Decimal = Field(alias="questionsWeight")
    challenge_weight: Decimal = Field(alias="challengeWeight")
    price_weight: Decimal = Field(alias="priceWeight")
    resources: list[TWUResource] = Field(default_factory=list)
    resource_questions: list[EvaluationQuestion] = Field(
        default_factory=list, alias="resourceQuestions"
    )
    evaluation_panel: list[EvaluationPanelMember] = Field(
        default_factory=list, alias="evaluationPanel"
    )
    successful_proponent: TeamSuccessfulProponent | None = Field(
        default=None, alias="successfulProponent"
    )

    @property
    def all_skills(self) -> list[str]:
        return _unique(
            [skill for resource in self.resources for skill in resource.mandatory_skills]
            + [skill for resource in self.resources for skill in resource.optional_skills]
        )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


OpportunitySlimModel = CWUOpportunitySlim | SWUOpportunitySlim | TWUOpportunitySlim
OpportunityModel = CWUOpportunity | SWUOpportunity | TWUOpportunity

SLIM_MODELS: dict[OpportunityKind, type[OpportunitySlimModel]] = {
    OpportunityKind.CODE_WITH_US: CWUOpportunitySlim,
    OpportunityKind.SPRINT_WITH_US: SWUOpportunitySlim,
    OpportunityKind.TEAM_WITH_US: TWUOpportunitySlim,
}
DETAIL_MODELS: dict[OpportunityKind, type[OpportunityModel]] = {
    OpportunityKind.CODE_WITH_US: CWUOpportunity,
    OpportunityKind.SPRINT_WITH_US: SWUOpportunity,
    OpportunityKind.TEAM_WITH_US: TWUOpportunity,
}


class OpportunityOutline(Protocol):
    """What a sync decides its next reads from: whether there are proposals, and a winner."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> StrEnum: ...

    @property
    def successful_proponent(self) -> CWUSuccessfulProponent | TeamSuccessfulProponent | None: ...


def _outline_of(model: type[ApiModel]) -> type[ApiModel]:
    """The outline's fields of a detail model, declared once there and validated alone.

    A sync reads thousands of details and decides from three fields of each which further
    reads it needs; validating only those costs a fraction of the whole record, which is
    validated once more where it is written.
    """
    fields: dict[str, Any] = {
        name: (model.model_fields[name].annotation, model.model_fields[name])
        for name in ("id", "status", "successful_proponent")
    }
    outline: type[ApiModel] = create_model(f"{model.__name__}Outline", __base__=ApiModel, **fields)
    return outline


OUTLINE_MODELS: dict[OpportunityKind, type[ApiModel]] = {
    kind: _outline_of(model) for kind, model in DETAIL_MODELS.items()
}


# Organizations, users, sessions ----------------------------------------------------------------


class OrganizationServiceArea(ApiModel):
    """A Team With Us service area an organization is qualified for."""

    id: int | str
    service_area: str = Field(alias="serviceArea")
    name: str | None = None


class OrganizationSlim(ApiModel):
    id: str
    legal_name: str = Field(alias="legalName")
    logo_image_file: FileRecord | None = Field(default=None, alias="logoImageFile")
    active: bool = True
    service_areas: list[OrganizationServiceArea] = Field(default_factory=list, alias="serviceAreas")


class Organization(OrganizationSlim):
    """An organization as its detail (and a CWU organization proponent) carries it."""

    street_address1: str | None = Field(default=None, alias="streetAddress1")
    street_address2: str | None = Field(default=None, alias="streetAddress2")
    city: str | None = None
    region: str | None = None
    mail_code: str | None = Field(default=None, alias="mailCode")
    country: str | None = None
    contact_name: str | None = Field(default=None, alias="contactName")
    contact_email: str | None = Field(default=None, alias="contactEmail")
    website_url: str | None = Field(default=None, alias="websiteUrl")


class OrganizationPage(ApiModel):
    page: int = Field(ge=1)
    page_size: int = Field(alias="pageSize", ge=1)
    num_pages: int = Field(alias="numPages", ge=0)
    items: list[dict[str, Any]]


class User(ApiModel):
    id: str
    type: UserType
    status: UserStatus
    name: str
    email: str | None = None
    job_title: str | None = Field(default=None, alias="jobTitle")
    idp_username: str | None = Field(default=None, alias="idpUsername")


class Session(ApiModel):
    id: str
    created_at: Timestamp = Field(alias="createdAt")
    updated_at: Timestamp = Field(alias="updatedAt")
    user: User


# Proposals -------------------------------------------------------------------------------------


class IndividualProponentDetails(ApiModel):
    id: str
    legal_name: str = Field(alias="legalName")
    email: str
    phone: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    region: str | None = None
    mail_code: str | None = Field(default=None, alias="mailCode")
    country: str | None = None


class IndividualProponent(ApiModel):
    tag: Literal["individual"]
    value: IndividualProponentDetails


class OrganizationProponent(ApiModel):
    tag: Literal["organization"]
    value: Organization


Proponent = Annotated[IndividualProponent | OrganizationProponent, Field(discriminator="tag")]


class ProposalCommon(ApiModel):
    id: str
    created_at: Timestamp = Field(alias="createdAt")
    updated_at: Timestamp = Field(alias="updatedAt")
    submitted_at: Timestamp | None = Field(default=None, alias="submittedAt")
    rank: Rank | None = None
    created_by: UserSlim | None = Field(default=None, alias="createdBy")
    updated_by: UserSlim | None = Field(default=None, alias="updatedBy")


class CWUProposal(ProposalCommon):
    status: CWUProposalStatus
    score: Score | None = None
    proponent: Proponent
    opportunity: CWUOpportunitySlim


class TeamProposalCommon(ProposalCommon):
    organization: OrganizationSlim | None = None
    anonymous_proponent_name: str | None = Field(default=None, alias="anonymousProponentName")
    questions_score: Score | None = Field(default=None, alias="questionsScore")
    challenge_score: Score | None = Field(default=None, alias="challengeScore")
    price_score: Score | None = Field(default=None, alias="priceScore")
    total_score: Score | None = Field(default=None, alias="totalScore")


class SWUProposal(TeamProposalCommon):
    status: SWUProposalStatus
    scenario_score: Score | None = Field(default=None, alias="scenarioScore")
    opportunity: SWUOpportunitySlim


class TWUProposal(TeamProposalCommon):
    status: TWUProposalStatus
    opportunity: TWUOpportunitySlim


ProposalModel = CWUProposal | SWUProposal | TWUProposal

PROPOSAL_MODELS: dict[OpportunityKind, type[ProposalModel]] = {
    OpportunityKind.CODE_WITH_US: CWUProposal,
    OpportunityKind.SPRINT_WITH_US: SWUProposal,
    OpportunityKind.TEAM_WITH_US: TWUProposal,
}


# Other public resources ------------------------------------------------------------------------


class Metrics(ApiModel):
    total_count: int = Field(alias="totalCount")
    total_awarded: Decimal = Field(alias="totalAwarded")


class ContentSlim(ApiModel):
    id: str
    slug: str
    title: str
    fixed: bool
    created_at: Timestamp = Field(alias="createdAt")
    updated_at: Timestamp = Field(alias="updatedAt")


class Content(ContentSlim):
    version: int
    body: str


# Errors ---------------------------------------------------------------------------------------

# There is no single error envelope: reads answer a bare list of messages, writes an object
# keyed by field (values: messages, lists of messages, or a nested tagged value).
ErrorBody = list[str] | dict[str, Any]


def error_messages(body: Any) -> list[str]:
    """Every human-readable message in an error body, whatever its shape."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [message for item in body for message in error_messages(item)]
    if isinstance(body, dict):
        if set(body) <= {"tag", "value"} and "tag" in body:
            nested = error_messages(body.get("value"))
            return nested or [str(body["tag"])]
        return [
            f"{key}: {message}" for key, value in body.items() for message in error_messages(value)
        ]
    return []
