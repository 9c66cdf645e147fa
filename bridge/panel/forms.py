"""The panel's forms: validation with messages in the reader's language, CSRF on every one."""

from __future__ import annotations

from typing import Any

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from bridge.accounts.models import Role
from bridge.accounts.service import MIN_PASSWORD_LENGTH
from bridge.panel.i18n import lazy_count, locale_code


def at_most(limit: int) -> LazyString:
    """The message of a field that takes at most ``limit`` characters."""
    return lazy_count(
        "Use at most %(count)s character.", "Use at most %(count)s characters.", limit
    )


class SignInForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.OPERATOR: _l("Operator"),
    Role.APPROVER: _l("Approver"),
    Role.PROCUREMENT: _l("Procurement"),
    Role.OWNER: _l("Business owner"),
    Role.CERTIFIER: _l("Certifier (FAA s.34)"),
    Role.FINANCE: _l("Finance (FAA s.33)"),
    Role.TRANSLATOR: _l("Translator"),
    Role.VIEWER: _l("Viewer"),
}


class UserForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
        ],
    )
    display_name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    password = PasswordField(
        _l("Password"),
        description=lazy_count(
            "At least %(count)s character. Leave empty for sign-in through the department only.",
            "At least %(count)s characters. Leave empty for sign-in through the department only.",
            MIN_PASSWORD_LENGTH,
        ),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=lazy_count(
                    "Use at least %(count)s character.",
                    "Use at least %(count)s characters.",
                    MIN_PASSWORD_LENGTH,
                ),
            ),
        ],
    )
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
    )
    departments = MultiCheckboxField(
        _l("Departments (approvers; procurement staff, to limit them)"), coerce=int, choices=[]
    )
    active = BooleanField(_l("Account active"), default=True)

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def validate_departments(self, field: MultiCheckboxField) -> None:
        chosen = set(self.roles.data or [])
        if Role.APPROVER.value in chosen and not field.data:
            raise ValidationError(_l("An approver needs at least one department."))
        delegated = {Role.OWNER.value, Role.CERTIFIER.value, Role.FINANCE.value}
        if chosen & delegated and not field.data:
            raise ValidationError(
                _l("Business owners, certifiers and finance act for named departments: choose one.")
            )


class LocalizedDecimalField(DecimalField):  # type: ignore[misc]
    """A number typed the reader's way: "10 000,00" in French, "10,000.00" in English.

    A text input, not ``type=number``: browsers show a French "10000,00" in a number input as
    empty and turn a typed "0,75" into "075". ``inputmode=decimal`` still brings up the
    phone's numeric keyboard.
    """

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["render_kw"] = {
            "inputmode": "decimal",
            "autocomplete": "off",
            **(kwargs.get("render_kw") or {}),
        }
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw = "".join(valuelist[0].split()).replace("\u202f", "").replace("\u00a0", "")
        try:
            self.data = parse_decimal(raw, locale=locale_code(), strict=False)
        except NumberFormatError:
            raise ValueError(gettext("Enter a number.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return str(format_decimal(self.data, format="#,##0.00##", locale=locale_code()))


class _LocalizedRange(NumberRange):  # type: ignore[misc]
    """``NumberRange`` whose message shows its bounds the reader's way (10 000,00 in French)."""

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        if (
            data is not None
            and (self.min is None or data >= self.min)
            and (self.max is None or data <= self.max)
        ):
            return
        low, high = (
            None if bound is None else format_decimal(bound, locale=locale_code())
            for bound in (self.min, self.max)
        )
        if low is not None and high is not None:
            message = gettext("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        elif low is not None:
            message = gettext("Enter a number greater than %(low)s.", low=low)
        else:
            message = gettext("Enter a number up to %(high)s.", high=high)
        raise ValidationError(message)


def _number_range(low: float | None, high: float | None) -> NumberRange:
    return _LocalizedRange(min=low, max=high)


class RuleSettingsForm(FlaskForm):  # type: ignore[misc]
    cap_amount = LocalizedDecimalField(
        _l("Value cap (CAD)"),
        description=_l("Exactly at the cap passes; one cent over blocks."),
        places=2,
        validators=[DataRequired(_l("Enter the cap.")), _number_range(0.01, 99999999.99)],
    )
    amounts_include_taxes = BooleanField(_l("Posted amounts include taxes"))
    tax_rate_percent = LocalizedDecimalField(
        _l("Tax rate (%)"),
        description=_l("Added to posted amounts before the check when they exclude taxes."),
        validators=[InputRequired(_l("Enter the tax rate.")), _number_range(0, 99.99)],
    )
    code_with_us_eligible = BooleanField(_l("Code With Us may be used for micro-procurement"))
    sprint_with_us_eligible = BooleanField(_l("Sprint With Us may be used for micro-procurement"))
    team_with_us_eligible = BooleanField(_l("Team With Us may be used for micro-procurement"))
    award_window_days = IntegerField(
        _l("Awards to one supplier: window (days)"),
        validators=[InputRequired(_l("Enter a number of days.")), _number_range(1, 1825)],
    )
    posting_window_days = IntegerField(
        _l("Near-identical postings: window (days)"),
        validators=[InputRequired(_l("Enter a number of days.")), _number_range(1, 365)],
    )
    similarity_threshold = LocalizedDecimalField(
        _l("Near-identical postings: similarity (0 to 1)"),
        validators=[InputRequired(_l("Enter the similarity.")), _number_range(0.01, 1)],
    )
    length_ratio_low = LocalizedDecimalField(
        _l("Shortest plausible translation (times the source)"),
        validators=[InputRequired(_l("Enter a ratio.")), _number_range(0.01, 10)],
    )
    length_ratio_high = LocalizedDecimalField(
        _l("Longest plausible translation (times the source)"),
        validators=[InputRequired(_l("Enter a ratio.")), _number_range(0.01, 10)],
    )

    def validate_length_ratio_high(self, field: LocalizedDecimalField) -> None:
        low = self.length_ratio_low.data
        if low is not None and field.data is not None and field.data <= low:
            raise ValidationError(_l("Must be greater than the shortest plausible translation."))


class TranslationImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(
        _l("Translated file (XLIFF 2.0 or CSV)"),
        validators=[FileRequired(_l("Choose a file to import."))],
    )


class DepartmentForm(FlaskForm):  # type: ignore[misc]
    acronym = StringField(
        _l("Acronym"),
        validators=[
            DataRequired(_l("Enter the acronym.")),
            Length(max=20, message=at_most(20)),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and hyphens only.")),
        ],
    )
    name_en = StringField(
        _l("Name in English"), validators=[DataRequired(_l("Enter the name in English."))]
    )
    name_fr = StringField(
        _l("Name in French"), validators=[DataRequired(_l("Enter the name in French."))]
    )
    email_domains = TextAreaField(
        _l("Staff e-mail domains"),
        description=_l("One per line, for example tbs-sct.gc.ca."),
    )

    def domains(self) -> list[str]:
        return [
            line.strip().lower()
            for line in (self.email_domains.data or "").splitlines()
            if line.strip()
        ]

    def validate_email_domains(self, field: TextAreaField) -> None:
        from bridge.departments.service import DOMAIN

        wrong = [domain for domain in self.domains() if not DOMAIN.match(domain)]
        if wrong:
            raise ValidationError(_l("Not an e-mail domain: %(domains)s", domains=", ".join(wrong)))


class AssignDepartmentForm(FlaskForm):  # type: ignore[misc]
    department = SelectField(_l("Department"), coerce=int, choices=[], validate_choice=False)

    def validate_department(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a department."))


class DecisionForm(FlaskForm):  # type: ignore[misc]
    comment = TextAreaField(
        _l("Comment"),
        description=_l("Required when you ask for changes: say what should change."),
        validators=[Length(max=5000, message=at_most(5000))],
    )
    approve = SubmitField(_l("Approve this step"))
    request_changes = SubmitField(_l("Request changes"))


class ChainStepForm(Form):  # type: ignore[misc]
    """One step of a chain (a sub-form: the chain form carries the CSRF token)."""

    step_id = HiddenField()
    position = IntegerField(
        _l("Order"), validators=[InputRequired(_l("Give the step's place.")), _number_range(1, 50)]
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(_l("Enter the step's name in English.")), Length(max=200)],
    )
    name_fr = StringField(
        _l("Name in French"),
        validators=[DataRequired(_l("Enter the step's name in French.")), Length(max=200)],
    )
    min_amount = LocalizedDecimalField(
        _l("Only above this value (optional)"),
        places=2,
        validators=[Optional(), _number_range(0, None)],
    )
    approvers = MultiCheckboxField(
        _l("Decided by (none ticked: any approver of the department)"), coerce=int, choices=[]
    )
    remove = BooleanField(_l("Remove this step"))


class NewStepForm(Form):  # type: ignore[misc]
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    min_amount = LocalizedDecimalField(
        _l("Only above this value (optional)"),
        places=2,
        validators=[Optional(), _number_range(0, None)],
    )

    def validate(self, extra_validators: object = None) -> bool:
        """Both names or neither (``Optional`` stops a field's own validators when empty)."""
        valid: bool = super().validate(extra_validators)
        if bool(self.name_en.data) == bool(self.name_fr.data):
            return valid
        missing = self.name_fr if self.name_en.data else self.name_en
        missing.errors = [*missing.errors, gettext("A new step needs its name in both languages.")]
        return False


class ChainForm(FlaskForm):  # type: ignore[misc]
    steps = FieldList(FormField(ChainStepForm))
    new_step = FormField(NewStepForm)


class AmendmentForm(FlaskForm):  # type: ignore[misc]
    change = LocalizedDecimalField(
        _l("Change of value (negative to reduce)"),
        places=2,
        validators=[InputRequired(_l("Enter the change of value."))],
    )
    effective_on = DateField(
        _l("Effective on"), validators=[InputRequired(_l("Enter the date it takes effect."))]
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Say why the value changes.")), Length(max=2000)]
    )


class TerminationForm(FlaskForm):  # type: ignore[misc]
    terminated_on = DateField(
        _l("Terminated on"), validators=[InputRequired(_l("Enter the date of termination."))]
    )


class ReportForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a download through GET changes nothing

    period = StringField(
        _l("Period"),
        description=_l(
            "A fiscal quarter (2026-2027-Q3) for the individual report, or a year (2026) for the "
            "aggregate."
        ),
        validators=[
            DataRequired(_l("Enter a period.")),
            Regexp(
                r"^(\d{4}-\d{4}-Q[1-4]|\d{4})$",
                message=_l("Enter a quarter like 2026-2027-Q3 or a year."),
            ),
        ],
    )
    # Choices are the departments, set by the view; each files its own report on the portal.
    department = SelectField(_l("Department"), validate_choice=True)
    format = SelectField(
        _l("Format"), choices=[SelectChoice("csv", "CSV"), SelectChoice("json", "JSON")]
    )
