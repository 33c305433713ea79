from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from summit.core.forms import REQUIRED
from summit.summits.enums import ROLE_LABELS, TRACK_KIND_LABELS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PHASE_FIELDS = (
    "cfp_opens_at",
    "cfp_closes_at",
    "review_deadline_at",
    "registration_opens_at",
    "registration_closes_at",
)


def _dt(label):
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMAT,
        validators=[Optional()],
        render_kw={"step": 60},
    )


class SummitSettingsForm(FlaskForm):
    name = StringField(_l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=160)])
    name_es = StringField(_l("Name (Spanish)"), validators=[Optional(), Length(max=160)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(REQUIRED), Length(max=64)],
        description=_l("An IANA time zone such as America/Los_Angeles. Times below use it."),
    )
    starts_on = DateField(_l("First day"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(REQUIRED)])
    cfp_opens_at = _dt(_l("Call for proposals opens"))
    cfp_closes_at = _dt(_l("Call for proposals closes"))
    review_deadline_at = _dt(_l("Review deadline"))
    registration_opens_at = _dt(_l("Registration opens"))
    registration_closes_at = _dt(_l("Registration closes"))


class NewSummitForm(SummitSettingsForm):
    slug = StringField(
        _l("Web address"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Lowercase letters, digits, hyphens.")),
        ],
        description=_l("Appears in links, for example 2028."),
    )
    make_current = BooleanField(_l("Make this the current summit"))


class GrantRoleForm(FlaskForm):
    email = EmailField(
        _l("Email of the person"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
        description=_l("They need an account first."),
    )
    role = SelectField(
        _l("Role"), choices=[SelectChoice(str(k), v) for k, v in ROLE_LABELS.items()]
    )
    # Choices are the summit's regions, set by the view; only a region lead needs one.
    region = SelectField(
        _l("Region (for a region lead)"),
        choices=[],
        validate_choice=False,
        description=_l("A region lead sees the reports of this region only."),
    )


class TrackForm(FlaskForm):
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=160)]
    )
    name_es = StringField(
        _l("Name (Spanish)"), validators=[DataRequired(REQUIRED), Length(max=160)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=2000)]
    )
    description_es = TextAreaField(
        _l("Description (Spanish)"), validators=[Optional(), Length(max=2000)]
    )
    colour = StringField(
        _l("Color"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^#[0-9A-Fa-f]{6}$", message=_l("Use a colour like #1F5F8B.")),
        ],
        render_kw={"type": "color"},
        description=_l("Choose a dark colour: white text is written on it."),
    )
    position = IntegerField(
        _l("Order"), validators=[Optional(), NumberRange(min=0, max=999)], default=0
    )
    is_active = BooleanField(_l("Open for proposals and on the program"), default=True)


class NewTrackForm(TrackForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Lowercase letters, digits, hyphens.")),
        ],
    )
    kind = SelectField(
        _l("Type"), choices=[SelectChoice(str(k), v) for k, v in TRACK_KIND_LABELS.items()]
    )
