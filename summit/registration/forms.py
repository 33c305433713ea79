from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from summit.accounts.enums import AGE_BAND_LABELS, LANGUAGE_LABELS, PRESENTER_ROLE_LABELS
from summit.accounts.forms import county_choices
from summit.core.forms import REQUIRED, MultiCheckboxField
from summit.registration.enums import ACCOMMODATION_LABELS

MAX_PEOPLE = 8


def _pairs(labels: dict, blank=None) -> list[SelectChoice]:
    items = [SelectChoice(str(k), v) for k, v in labels.items()]
    return ([SelectChoice("", blank)] if blank else []) + items


class PersonForm(Form):
    """One person of a registration (no CSRF of its own: it lives inside the main form)."""

    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("Email (optional for children)"),
        validators=[Optional(), Email(_l("Enter a valid email.")), Length(max=254)],
    )
    ticket_type = SelectField(_l("Ticket"), validate_choice=False)
    organisation = StringField(
        _l("School, district or organization"), validators=[Optional(), Length(max=200)]
    )
    role_type = SelectField(
        _l("Which best describes this person?"),
        choices=_pairs(PRESENTER_ROLE_LABELS, _l("Prefer not to say")),
        validate_choice=False,
    )
    county = SelectField(_l("County"), choices=county_choices(), validate_choice=False)
    preferred_language = SelectField(
        _l("Preferred language"), choices=_pairs(LANGUAGE_LABELS), validate_choice=False
    )
    age_band = SelectField(
        _l("Age"), choices=_pairs(AGE_BAND_LABELS), default="adult", validate_choice=False
    )
    guardian_name = StringField(
        _l("Parent or guardian's name (under 18)"), validators=[Optional(), Length(max=120)]
    )
    guardian_email = EmailField(
        _l("Parent or guardian's email (under 18)"),
        validators=[Optional(), Email(_l("Enter a valid email.")), Length(max=254)],
    )
    accommodations = MultiCheckboxField(
        _l("Accessibility accommodations"), choices=_pairs(ACCOMMODATION_LABELS)
    )
    wants_interpretation = BooleanField(_l("Spanish interpretation"))
    dietary_needs = StringField(_l("Dietary needs"), validators=[Optional(), Length(max=500)])
    media_consent = BooleanField(_l("Photos and video of this person may be shared"))


class RegistrationForm(FlaskForm):
    contact_name = StringField(
        _l("Your name"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    contact_email = EmailField(
        _l("Your email"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
        description=_l("We send the confirmation link and the tickets here."),
    )
    access_code = StringField(
        _l("Access code (only if you were given one)"), validators=[Optional(), Length(max=24)]
    )
    people = FieldList(FormField(PersonForm), min_entries=1, max_entries=MAX_PEOPLE)


class TicketTypeForm(FlaskForm):
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    name_es = StringField(
        _l("Name (Spanish)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    audience_en = TextAreaField(_l("Who it is for (English)"), validators=[Length(max=2000)])
    audience_es = TextAreaField(_l("Who it is for (Spanish)"), validators=[Length(max=2000)])
    capacity = IntegerField(
        _l("Seats"), validators=[DataRequired(REQUIRED), NumberRange(1, 100000)]
    )
    sales_opens_at = DateTimeLocalField(
        _l("On sale from (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    sales_closes_at = DateTimeLocalField(
        _l("On sale until (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    requires_approval = BooleanField(_l("Staff approve each registration"))
    access_code = StringField(
        _l("Access code (optional)"),
        validators=[Optional(), Length(max=24)],
        description=_l("When set, only people with the code can choose this ticket type."),
    )
    days = MultiCheckboxField(
        _l("Days it admits"),
        description=_l("Leave all unticked for a ticket to every day of the summit."),
        validate_choice=False,
    )
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 999)], default=0)
    is_active = BooleanField(_l("Offered"), default=True)


class NewTicketTypeForm(TicketTypeForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Lowercase letters, digits, hyphens.")),
        ],
    )


class StaffPersonForm(FlaskForm, PersonForm):
    """Staff edit a person, or add one with a complimentary ticket (any ticket type)."""


class CompForm(StaffPersonForm):
    notify = BooleanField(_l("Email the ticket now"), default=True)


class NeedsForm(FlaskForm):
    """What an attendee may change themselves from their tickets page."""

    accommodations = PersonForm.accommodations
    wants_interpretation = PersonForm.wants_interpretation
    dietary_needs = PersonForm.dietary_needs
    media_consent = PersonForm.media_consent


class ResendForm(FlaskForm):
    email = EmailField(
        _l("Email you registered with"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
    )
