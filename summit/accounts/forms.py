from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from summit.accounts.enums import (
    AGE_BAND_LABELS,
    CALIFORNIA_COUNTIES,
    LANGUAGE_LABELS,
    PRESENTER_ROLE_LABELS,
)
from summit.accounts.passwords import MIN_LENGTH
from summit.core.forms import REQUIRED

EMAIL_MSG = _l("Enter an email address like name@example.org.")


def _choices(labels: dict, blank=True):
    items = [SelectChoice(str(key), label) for key, label in labels.items()]
    return ([SelectChoice("", _l("Prefer not to say"))] if blank else []) + items


def county_choices():
    return [SelectChoice("", _l("Prefer not to say"))] + [
        SelectChoice(c, c) for c in CALIFORNIA_COUNTIES
    ]


class ProfileFieldsMixin:
    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    pronouns = StringField(
        _l("Pronouns"),
        validators=[Optional(), Length(max=40)],
        description=_l("Optional, for example she/her, he/him, they/them, ella."),
    )
    organisation = StringField(
        _l("School, district or organization"),
        validators=[Optional(), Length(max=200)],
    )
    presenter_role = SelectField(
        _l("Which best describes you?"), choices=_choices(PRESENTER_ROLE_LABELS)
    )
    county = SelectField(_l("County"), choices=county_choices())
    age_band = SelectField(
        _l("Age"),
        choices=_choices(AGE_BAND_LABELS),
        description=_l(
            "We ask so we can arrange consent for young presenters. We never ask for a birth date."
        ),
    )
    preferred_language = SelectField(
        _l("Preferred language"), choices=_choices(LANGUAGE_LABELS, blank=False)
    )


class SignupForm(ProfileFieldsMixin, FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_MSG), Length(max=254)],
        description=_l("We send a link to this address to confirm it."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=200, message=_l("Use at least %(min)d characters.")),
        ],
        description=_l(
            "At least %(n)d characters. A short sentence is easy to remember.", n=MIN_LENGTH
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(REQUIRED), Email(EMAIL_MSG), Length(max=254)]
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
    )


class ProfileForm(ProfileFieldsMixin, FlaskForm):
    pass


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(REQUIRED), Length(max=80)],
        description=_l("For example: reporting spreadsheet."),
    )


class EmptyForm(FlaskForm):
    """CSRF only: for buttons that post (log out, revoke)."""
