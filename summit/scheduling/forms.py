from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from summit.core.forms import REQUIRED, MultiCheckboxField
from summit.scheduling.enums import ROOM_FEATURE_LABELS, SLOT_KIND_LABELS


def feature_choices():
    return [SelectChoice(code, label) for code, label in ROOM_FEATURE_LABELS.items()]


class RoomForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    building = StringField(_l("Building"), validators=[Optional(), Length(max=120)])
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=40)])
    capacity = IntegerField(
        _l("Seats"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100_000)]
    )
    features = MultiCheckboxField(_l("What the room offers"), choices=feature_choices())
    notes = TextAreaField(_l("Notes for staff"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Order in lists"), default=0, validators=[Optional()])
    is_active = BooleanField(_l("In use for this summit"), default=True)


class SlotForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired(REQUIRED)])
    start = TimeField(_l("Starts"), validators=[InputRequired(REQUIRED)])
    end = TimeField(_l("Ends"), validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in SLOT_KIND_LABELS.items()]
    )
    label_en = StringField(_l("Label in English (optional)"), validators=[Length(max=120)])
    label_es = StringField(_l("Label in Spanish (optional)"), validators=[Length(max=120)])


class RevisionForm(FlaskForm):
    """Any change to one placement says which revision of it the page showed."""

    revision = IntegerField(validators=[InputRequired(REQUIRED)])


class MoveForm(RevisionForm):
    cell = SelectField(_l("Move to"), validate_choice=False, validators=[Optional()])
    accept_warnings = HiddenField(default="")


class DetailsForm(RevisionForm):
    audience = IntegerField(
        _l("Expected audience (leave empty to estimate)"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    needs = MultiCheckboxField(_l("The room must offer"), choices=feature_choices())


class SettingsForm(FlaskForm):
    weight_miss = IntegerField(
        _l("Attendees who starred two sessions at the same time"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=1000)],
    )
    weight_topic = IntegerField(
        _l("Two sessions of one topic at the same time"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=1000)],
    )
    weight_room = IntegerField(
        _l("Each extra room a track uses"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=1000)],
    )
    weight_language = IntegerField(
        _l("Two Spanish or bilingual sessions at the same time"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=1000)],
    )
    weight_moves = IntegerField(
        _l("Each session moved from the draft (when re-solving)"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=1000)],
    )
    time_limit = IntegerField(
        _l("Time limit (seconds)"), validators=[InputRequired(REQUIRED), NumberRange(1, 300)]
    )
    seed = IntegerField(_l("Seed"), validators=[InputRequired(REQUIRED), NumberRange(0, 10**9)])


class SolveForm(FlaskForm):
    keep_draft = HiddenField(default="1")


class ReleaseForm(FlaskForm):
    note_en = TextAreaField(_l("Note in English (optional)"), validators=[Length(max=2000)])
    note_es = TextAreaField(_l("Note in Spanish (optional)"), validators=[Length(max=2000)])


class AvailabilityForm(FlaskForm):
    slots = MultiCheckboxField(_l("Times I cannot present"), choices=[])
