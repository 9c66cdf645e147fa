"""The marketplace's words: kinds, statuses and user types, as the real API spells them.

Apart from the typed models so that what only counts or filters by them (the status report, the
panel's queries) need not load pydantic's models.
"""

from __future__ import annotations

from enum import StrEnum


class OpportunityKind(StrEnum):
    """The three kinds of opportunity, spelled as the marketplace's URL paths spell them."""

    CODE_WITH_US = "code-with-us"
    SPRINT_WITH_US = "sprint-with-us"
    TEAM_WITH_US = "team-with-us"


class CWUOpportunityStatus(StrEnum):
    DRAFT = "DRAFT"
    UNDER_REVIEW = "UNDER_REVIEW"
    PUBLISHED = "PUBLISHED"
    EVALUATION = "EVALUATION"
    PROCESSING = "PROCESSING"
    AWARDED = "AWARDED"
    CANCELED = "CANCELED"
    SUSPENDED = "SUSPENDED"


class SWUOpportunityStatus(StrEnum):
    DRAFT = "DRAFT"
    UNDER_REVIEW = "UNDER_REVIEW"
    PUBLISHED = "PUBLISHED"
    EVAL_QUESTIONS_INDIVIDUAL = "EVAL_QUESTIONS_INDIVIDUAL"
    EVAL_QUESTIONS_CONSENSUS = "EVAL_QUESTIONS_CONSENSUS"
    EVAL_CC = "EVAL_CC"
    EVAL_SCENARIO = "EVAL_SCENARIO"
    PROCESSING = "PROCESSING"
    AWARDED = "AWARDED"
    CANCELED = "CANCELED"
    SUSPENDED = "SUSPENDED"


class TWUOpportunityStatus(StrEnum):
    DRAFT = "DRAFT"
    UNDER_REVIEW = "UNDER_REVIEW"
    PUBLISHED = "PUBLISHED"
    EVAL_QUESTIONS_INDIVIDUAL = "EVAL_QUESTIONS_INDIVIDUAL"
    EVAL_QUESTIONS_CONSENSUS = "EVAL_QUESTIONS_CONSENSUS"
    EVAL_C = "EVAL_C"
    PROCESSING = "PROCESSING"
    AWARDED = "AWARDED"
    CANCELED = "CANCELED"
    SUSPENDED = "SUSPENDED"


class CWUProposalStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    EVALUATED = "EVALUATED"
    AWARDED = "AWARDED"
    NOT_AWARDED = "NOT_AWARDED"
    DISQUALIFIED = "DISQUALIFIED"
    WITHDRAWN = "WITHDRAWN"


class SWUProposalStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW_QUESTIONS = "UNDER_REVIEW_QUESTIONS"
    EVALUATED_QUESTIONS = "EVALUATED_QUESTIONS"
    UNDER_REVIEW_CODE_CHALLENGE = "UNDER_REVIEW_CODE_CHALLENGE"
    EVALUATED_CODE_CHALLENGE = "EVALUATED_CODE_CHALLENGE"
    UNDER_REVIEW_TEAM_SCENARIO = "UNDER_REVIEW_TEAM_SCENARIO"
    EVALUATED_TEAM_SCENARIO = "EVALUATED_TEAM_SCENARIO"
    AWARDED = "AWARDED"
    NOT_AWARDED = "NOT_AWARDED"
    DISQUALIFIED = "DISQUALIFIED"
    WITHDRAWN = "WITHDRAWN"


class TWUProposalStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW_QUESTIONS = "UNDER_REVIEW_QUESTIONS"
    EVALUATED_QUESTIONS = "EVALUATED_QUESTIONS"
    UNDER_REVIEW_CHALLENGE = "UNDER_REVIEW_CHALLENGE"
    EVALUATED_CHALLENGE = "EVALUATED_CHALLENGE"
    AWARDED = "AWARDED"
    NOT_AWARDED = "NOT_AWARDED"
    DISQUALIFIED = "DISQUALIFIED"
    WITHDRAWN = "WITHDRAWN"


class UserType(StrEnum):
    ADMIN = "ADMIN"
    GOV = "GOV"
    VENDOR = "VENDOR"


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE_USER = "INACTIVE_USER"
    INACTIVE_ADMIN = "INACTIVE_ADMIN"


OpportunityStatus = CWUOpportunityStatus | SWUOpportunityStatus | TWUOpportunityStatus
ProposalStatus = CWUProposalStatus | SWUProposalStatus | TWUProposalStatus

# Statuses from which nothing more happens to an opportunity's proposals or content.
TERMINAL_STATUSES = frozenset({"AWARDED", "CANCELED", "SUSPENDED"})
# Statuses before the deadline: the marketplace refuses (401) to list proposals then.
PRE_EVALUATION_STATUSES = frozenset({"DRAFT", "UNDER_REVIEW", "PUBLISHED"})
