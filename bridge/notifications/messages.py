"""What the bridge tells people, in both official languages in one message.

GC Notify templates carry English and French together, and so does every message here: the
subject and body are composed in each language from the catalogs (outside any request, so
through ``bridge.catalogs``), and joined when the message is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from bridge.catalogs import LANGUAGES, translations

BABEL_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def N_(text: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark ``text`` for the catalogs; it is translated when a message is composed."""
    return text


@dataclass(frozen=True)
class Bilingual:
    """A value that differs by language: a step's name, a department, a date."""

    en: str
    fr: str

    def text(self, language: str) -> str:
        return self.fr if language == "fr" else self.en

    @classmethod
    def message(cls, message_id: str, **params: Any) -> Bilingual:
        """A catalog message in both languages, e.g. ``Bilingual.message(N_("Review it."))``."""
        return cls(*(_translate(message_id, language, params) for language in LANGUAGES))

    @classmethod
    def money(cls, amount: Decimal) -> Bilingual:
        return cls(
            *(format_currency(amount, "CAD", locale=BABEL_LOCALES[lang]) for lang in LANGUAGES)
        )

    @classmethod
    def day(cls, value: date) -> Bilingual:
        return cls(*(format_date(value, "long", locale=BABEL_LOCALES[lang]) for lang in LANGUAGES))


Param = str | Bilingual

# kind → (subject, body). Placeholders are filled per language.
MESSAGES: dict[str, tuple[str, str]] = {
    "step_awaiting": (
        N_("Approval needed: %(title)s"),
        N_(
            "The step “%(step)s” of %(department)s awaits your decision on the opportunity "
            "“%(title)s”."
        ),
    ),
    "reminder": (
        N_("Reminder, approval waiting: %(title)s"),
        N_(
            "The step “%(step)s” of the opportunity “%(title)s” has waited for a decision "
            "since %(since)s."
        ),
    ),
    "changes_requested": (
        N_("Changes requested: %(title)s"),
        N_(
            "%(decider)s asked for changes at the step “%(step)s” of your opportunity "
            "“%(title)s”: %(comment)s\n\nEdit the opportunity on the marketplace; its approval "
            "then starts again."
        ),
    ),
    "approved": (
        N_("Approved: %(title)s"),
        N_(
            "Every step of the approval of your opportunity “%(title)s” is approved:\n\n"
            "%(steps)s\n\nAn administrator publishes it on the marketplace; you will be told "
            "when it is published."
        ),
    ),
    "ready_to_publish": (
        N_("Ready to publish: %(title)s"),
        N_(
            "Every step of the approval of “%(title)s” (%(department)s) is approved. Publish it "
            "from the panel."
        ),
    ),
    "published": (
        N_("Published: %(title)s"),
        N_(
            "The opportunity “%(title)s” is published on the marketplace, in both languages. "
            "Its approval:\n\n%(steps)s"
        ),
    ),
    "publish_failed": (
        N_("Publication failed: %(title)s"),
        N_("The bridge could not publish “%(title)s”: %(error)s It tries again at the next sync."),
    ),
    "unapproved_publication": (
        N_("Published without approval: %(title)s"),
        N_(
            "The opportunity “%(title)s” (%(department)s) was published on the marketplace "
            "without a completed departmental approval of its content. %(how)s %(action)s"
        ),
    ),
    "unapproved_publication_department": (
        N_("Published without approval: %(title)s"),
        N_(
            "The opportunity “%(title)s” (%(department)s) was published on the marketplace "
            "without a completed departmental approval of its content. %(how)s %(action)s"
            "\n\nWhat you can do: read what was published on the alert's page. If it may stay "
            "public, tell the bridge's administrators, who close the alert. If it must not, ask "
            "its author or a marketplace administrator to cancel it on the marketplace, or ask "
            "the bridge's administrators to have it canceled."
        ),
    ),
    "contract_issued": (
        N_("Contract %(number)s: %(title)s"),
        N_(
            "Your contract %(number)s with %(department)s for “%(title)s” is issued: %(total)s, "
            "GST/HST included. Its text follows. Sign it and send the signed copy to the "
            "department.\n\n%(text)s\n\nFingerprint of the issued PDF (SHA-256): %(sha256)s"
        ),
    ),
    "acceptance_requested": (
        N_("Acceptance requested: contract %(number)s"),
        N_(
            "%(requester)s asks for the acceptance of the work delivered for milestone "
            "“%(milestone)s” of contract %(number)s (“%(title)s”): %(url)s\n\nInvoice "
            "%(invoice)s, received on %(received)s. Certify it under section 34 of the Financial "
            "Administration Act, or refuse it with a reason, in the panel."
        ),
    ),
    "work_accepted": (
        N_("Work accepted: contract %(number)s"),
        N_(
            "The work delivered for milestone “%(milestone)s” of contract %(number)s "
            "(“%(title)s”) is accepted under section 34. Payment requisition %(requisition)s "
            "(%(total)s) is due to be paid by %(due)s."
        ),
    ),
    "supplier_work_accepted": (
        N_("Your work is accepted: contract %(number)s"),
        N_(
            "%(department)s accepted the work you delivered for milestone “%(milestone)s” of "
            "contract %(number)s (“%(title)s”). Your invoice %(invoice)s (%(total)s) is due to "
            "be paid by %(due)s."
        ),
    ),
    "supplier_paid": (
        N_("Payment made: contract %(number)s"),
        N_(
            "%(department)s paid your invoice %(invoice)s (%(total)s) for contract %(number)s "
            "(“%(title)s”) on %(paid)s."
        ),
    ),
    "work_refused": (
        N_("Work refused: contract %(number)s"),
        N_(
            "The work delivered for milestone “%(milestone)s” of contract %(number)s "
            "(“%(title)s”) is not accepted: %(reason)s"
        ),
    ),
    "acceptance_waiting": (
        N_("Reminder, acceptance waiting: contract %(number)s"),
        N_(
            "The work delivered for milestone “%(milestone)s” of contract %(number)s "
            "(“%(title)s”) has waited for a section 34 decision since %(since)s. If it is "
            "accepted now, its payment is due by %(due)s."
        ),
    ),
    "payment_due": (
        N_("Payment due by %(due)s: %(requisition)s"),
        N_(
            "Payment requisition %(requisition)s (%(total)s, contract %(number)s, “%(title)s”) "
            "is due to be paid by %(due)s. Confirm the payment in the panel once it is made."
        ),
    ),
    "closing_without_proposal": (
        N_("No proposal yet: %(title)s"),
        N_(
            "The opportunity “%(title)s” (%(department)s) closes on %(deadline)s and the "
            "marketplace counts no proposal for it yet. Share it with people who could answer, "
            "or extend its deadline on the marketplace."
        ),
    ),
    "award_without_contract": (
        N_("No contract yet: %(title)s"),
        N_(
            "The opportunity “%(title)s” (%(department)s) was awarded on %(since)s, "
            "%(days)s working days ago, and no contract is issued yet. Issue it from the panel."
        ),
    ),
    "awards_exported": (
        N_("Award records for reporting: %(number)s"),
        N_(
            "Award records ready for the GC's reporting (batch %(batch)s): %(number)s."
            "\n\n%(awards)s"
        ),
    ),
    "outcomes_exported": (
        N_("Outcome figures for open data: %(number)s"),
        N_(
            "The aggregate outcome figures of the last fiscal quarter, ready to publish as open "
            "data (batch %(batch)s): no opportunity and no supplier is named, and provinces or "
            "regions with fewer than three awards are suppressed. Each line gives a quarter and "
            "its number of figures.\n\n%(awards)s"
        ),
    ),
    "requisitions_exported": (
        N_("Payment requisitions: %(number)s"),
        N_(
            "Payment requisitions certified under section 34 (batch %(batch)s): %(number)s."
            "\n\n%(awards)s"
        ),
    ),
}


def _translate(message_id: str, language: str, params: Mapping[str, Any]) -> str:
    text = translations(language).gettext(message_id)
    values = {
        name: value.text(language) if isinstance(value, Bilingual) else value
        for name, value in params.items()
    }
    return text % values if values else text


def compose(kind: str, params: Mapping[str, Param]) -> dict[str, str]:
    """``subject_en``, ``subject_fr``, ``body_en``, ``body_fr`` of a message of ``kind``."""
    subject, body = MESSAGES[kind]
    fields: dict[str, str] = {}
    for language in LANGUAGES:
        fields[f"subject_{language}"] = _translate(subject, language, params)
        fields[f"body_{language}"] = _translate(body, language, params)
    return fields


def assemble(fields: Mapping[str, str], link: str | None) -> tuple[str, str]:
    """The subject and body as sent: English first, then French, as GC bilingual mail does."""
    subject = f"{fields['subject_en']} / {fields['subject_fr']}"
    parts = []
    for language, notice in (("en", "(La version française suit.)"), ("fr", "")):
        text = fields[f"body_{language}"]
        parts.append("\n\n".join(part for part in (notice, text, link or "") if part))
    return subject, "\n\n---\n\n".join(parts)
