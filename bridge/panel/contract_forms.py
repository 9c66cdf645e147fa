"""The forms of the contract pages: what each step asks for, checked in the reader's language.

What the forms cannot know (who may take a step, whether the milestones add up, whether an
invoice's dates are plausible) the contracts domain decides, and the page says it as well.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from bridge.panel.forms import LocalizedDecimalField

MILESTONE_ROWS = 4


class MilestoneRow(Form):  # type: ignore[misc]
    name_en = StringField(_l("Name in English"), [Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), [Optional(), Length(max=200)])
    value = LocalizedDecimalField(_l("Value before taxes"), [Optional()], places=2)

    def is_blank(self) -> bool:
        return (
            not (self.name_en.data or "").strip()
            and not (self.name_fr.data or "").strip()
            and (self.value.data is None)
        )


class IssueForm(FlaskForm):  # type: ignore[misc]
    business_number = StringField(
        _l("Supplier's business number"),
        description=_l("9 digits, with its program account if known (123456789RT0001)."),
        validators=[Optional(), Length(max=20)],
    )
    milestones = FieldList(FormField(MilestoneRow), min_entries=MILESTONE_ROWS)


class SignatureForm(FlaskForm):  # type: ignore[misc]
    signed_on = DateField(
        _l("Signed by the supplier on"),
        validators=[InputRequired(_l("Enter the date the supplier signed."))],
    )


class DeliveryForm(FlaskForm):  # type: ignore[misc]
    milestone = SelectField(_l("Milestone"), coerce=int)
    url = StringField(
        _l("Merged pull request or commit"),
        description=_l("Its address, https://…"),
        validators=[DataRequired(_l("Give the address of the delivered work.")), Length(max=500)],
    )
    invoice_number = StringField(
        _l("Invoice number"),
        validators=[DataRequired(_l("Enter the supplier's invoice number.")), Length(max=60)],
    )
    invoice_date = DateField(
        _l("Invoice date"), validators=[InputRequired(_l("Enter the invoice's date."))]
    )
    invoice_received_on = DateField(
        _l("Invoice received on"),
        validators=[InputRequired(_l("Enter the day the invoice was received."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    attachments = StringField(
        _l("Attachments"),
        description=_l("Their file names, separated by commas."),
        validators=[Optional(), Length(max=1000)],
    )


class WorkDecisionForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(_l("Reason (to refuse)"), validators=[Optional(), Length(max=2000)])


class PaymentForm(FlaskForm):  # type: ignore[misc]
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the payment date."))])
    reference = StringField(_l("Payment reference"), validators=[Optional(), Length(max=60)])


class PaymentImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(
        _l("Confirmation file (CSV)"),
        description=_l("The financial system's file: one row per payment, with the columns below."),
        validators=[FileRequired(_l("Choose the file to import."))],
    )
