"""The panel's forms: validation with messages in the reader's language, CSRF on every one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from bridge.accounts.models import Role
from bridge.accounts.service import MIN_PASSWORD_LENGTH


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
        description=_l(
            "At least %(count)d characters. Leave empty for sign-in through the department only.",
            count=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
    )
    departments = MultiCheckboxField(_l("Departments (for approvers)"), coerce=int, choices=[])
    active = BooleanField(_l("Account active"), default=True)

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def validate_departments(self, field: MultiCheckboxField) -> None:
        if Role.APPROVER.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("An approver needs at least one department."))
