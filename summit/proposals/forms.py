from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from summit.accounts.enums import AGE_BAND_LABELS, PRESENTER_ROLE_LABELS
from summit.core.forms import REQUIRED, MultiCheckboxField
from summit.proposals.enums import (
    AV_NEEDS_LABELS,
    GRADE_BAND_LABELS,
    QUESTION_KIND_LABELS,
    ROOM_SETUP_LABELS,
    SESSION_LANGUAGE_LABELS,
    STATE_LABELS,
    QuestionKind,
)


def _pairs(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(k), v) for k, v in labels.items()]


class ProposalFormBase(FlaskForm):
    title = StringField(
        _l("Title of your session"),
        validators=[Length(max=300)],
        description=_l("Short and clear. Say what people will learn or do."),
    )
    abstract = TextAreaField(
        _l("What is your session about?"),
        validators=[Length(max=20000)],
        description=_l(
            "Describe what happens in the session and why it matters for community "
            "schools. You can use **bold**, lists and links."
        ),
        render_kw={"rows": 8},
    )
    outcomes = TextAreaField(
        _l("What will participants take away?"),
        validators=[Length(max=10000)],
        description=_l("Two or three things participants will know or be able to do afterwards."),
        render_kw={"rows": 5},
    )
    format = RadioField(_l("Session format"), validators=[Optional()], validate_choice=False)
    track = SelectField(
        _l("Main topic"),
        validators=[Optional()],
        validate_choice=False,
        description=_l(
            "Choose the part of the Community Schools Framework your session fits best."
        ),
    )
    secondary_tracks = MultiCheckboxField(
        _l("Other topics it touches (optional, up to three)"), validate_choice=False
    )
    audience_roles = MultiCheckboxField(
        _l("Who is the session for?"), choices=_pairs(PRESENTER_ROLE_LABELS)
    )
    grade_bands = MultiCheckboxField(_l("Grade levels"), choices=_pairs(GRADE_BAND_LABELS))
    language = RadioField(
        _l("Language of the session"),
        choices=_pairs(SESSION_LANGUAGE_LABELS),
        default="en",
        validate_choice=False,
    )
    lead_role = SelectField(
        _l("Which best describes you, the lead presenter?"),
        choices=[SelectChoice("", _l("Choose one")), *_pairs(PRESENTER_ROLE_LABELS)],
        validate_choice=False,
    )
    av_needs = MultiCheckboxField(
        _l("What will you need in the room?"), choices=_pairs(AV_NEEDS_LABELS)
    )
    room_setup = SelectField(
        _l("How should the room be set up?"),
        choices=_pairs(ROOM_SETUP_LABELS),
        validate_choice=False,
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs of the presenters (optional)"),
        validators=[Length(max=2000)],
        description=_l("For example step-free access, seating, sign language or captions."),
        render_kw={"rows": 3},
    )
    access_code = StringField(
        _l("Access code (only if the summit team gave you one)"),
        validators=[Optional(), Length(max=24)],
    )


def proposal_form_class(questions, locale: str):
    """A form class with one field per custom question of the summit."""

    class ProposalForm(ProposalFormBase):
        pass

    for question in questions:
        kind = QuestionKind(question.kind)
        label = question.prompt(locale)
        help_text = question.help(locale)
        options = [
            SelectChoice(o["value"], o.get(locale) or o["en"]) for o in question.options or []
        ]
        if kind is QuestionKind.SHORT_TEXT:
            field = StringField(label, validators=[Length(max=300)], description=help_text)
        elif kind is QuestionKind.LONG_TEXT:
            field = TextAreaField(
                label, validators=[Length(max=5000)], description=help_text, render_kw={"rows": 4}
            )
        elif kind is QuestionKind.SINGLE_CHOICE:
            field = RadioField(
                label,
                choices=options,
                validators=[Optional()],
                description=help_text,
                validate_choice=False,
            )
        elif kind is QuestionKind.MULTI_CHOICE:
            field = MultiCheckboxField(label, choices=options, description=help_text)
        else:
            field = RadioField(
                label,
                choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                validators=[Optional()],
                description=help_text,
                validate_choice=False,
            )
        setattr(ProposalForm, f"q_{question.public_id}", field)
    return ProposalForm


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Their email"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
    )
    name = StringField(_l("Their name (optional)"), validators=[Optional(), Length(max=120)])


class AddPresenterForm(FlaskForm):
    name = StringField(_l("Presenter's name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    role_type = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Choose one")), *_pairs(PRESENTER_ROLE_LABELS)],
        validate_choice=False,
    )
    age_band = SelectField(_l("Age"), choices=_pairs(AGE_BAND_LABELS), default="13_17")
    guardian_name = StringField(
        _l("Parent or guardian's name"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    guardian_email = EmailField(
        _l("Parent or guardian's email"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
        description=_l("We write to this address about the session and ask for consent."),
    )


class GuardianForm(FlaskForm):
    guardian_name = StringField(
        _l("Parent or guardian's name"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    guardian_email = EmailField(
        _l("Parent or guardian's email"),
        validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email.")), Length(max=254)],
    )


class ConsentForm(FlaskForm):
    decision = RadioField(
        _l("Do you give consent?"),
        choices=[
            SelectChoice("yes", _l("Yes, they may present")),
            SelectChoice("no", _l("No, they may not present")),
        ],
        validators=[DataRequired(_l("Please choose yes or no."))],
    )
    media_release = BooleanField(
        _l("Photos and video of them taken at the summit may be shared by the organizers")
    )
    signed_name = StringField(
        _l("Your full name, as a signature"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )


class CallSettingsForm(FlaskForm):
    intro_en = TextAreaField(
        _l("Call text (English)"), validators=[Length(max=20000)], render_kw={"rows": 8}
    )
    intro_es = TextAreaField(
        _l("Call text (Spanish)"), validators=[Length(max=20000)], render_kw={"rows": 8}
    )
    max_copresenters = IntegerField(
        _l("Most co-presenters per proposal"),
        validators=[DataRequired(REQUIRED), NumberRange(0, 20)],
    )
    title_max_chars = IntegerField(
        _l("Longest title (characters)"), validators=[DataRequired(REQUIRED), NumberRange(20, 300)]
    )
    abstract_max_words = IntegerField(
        _l("Longest description (words)"),
        validators=[DataRequired(REQUIRED), NumberRange(20, 2000)],
    )
    outcomes_max_words = IntegerField(
        _l("Longest take-aways (words)"), validators=[DataRequired(REQUIRED), NumberRange(10, 1000)]
    )


CODE_VALIDATOR = Regexp(
    r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Lowercase letters, digits, hyphens.")
)


class FormatForm(FlaskForm):
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    name_es = StringField(
        _l("Name (Spanish)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=2000)])
    description_es = TextAreaField(_l("Description (Spanish)"), validators=[Length(max=2000)])
    duration_minutes = IntegerField(
        _l("Length in minutes"), validators=[DataRequired(REQUIRED), NumberRange(10, 480)]
    )
    closes_at = DateTimeLocalField(
        _l("Own deadline (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Leave empty to use the call's closing time."),
    )
    seat_limit = IntegerField(
        _l("Seats to reserve (optional)"),
        validators=[Optional(), NumberRange(1, 5000)],
        description=_l(
            "For hands-on workshops: attendees reserve a seat on their agenda, up to this "
            "many and never more than the room holds. Leave empty to let people come freely."
        ),
    )
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 999)], default=0)
    is_active = BooleanField(_l("Offered in the call"), default=True)


class NewFormatForm(FormatForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), CODE_VALIDATOR])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of answer"), choices=_pairs(QUESTION_KIND_LABELS))
    prompt_en = StringField(
        _l("Question (English)"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    prompt_es = StringField(
        _l("Question (Spanish)"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    help_en = StringField(_l("Help text (English)"), validators=[Optional(), Length(max=500)])
    help_es = StringField(_l("Help text (Spanish)"), validators=[Optional(), Length(max=500)])
    options = TextAreaField(
        _l("Options, one per line: English | Spanish"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Only for choice questions."),
    )
    is_required = BooleanField(_l("An answer is required to submit"))
    format = SelectField(_l("Only for this format"), validate_choice=False)
    track = SelectField(_l("Only for this topic"), validate_choice=False)
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 999)], default=0)
    is_active = BooleanField(_l("Shown on the form"), default=True)


class AccessCodeForm(FlaskForm):
    note = StringField(_l("Who is it for?"), validators=[Optional(), Length(max=200)])
    expires_at = DateTimeLocalField(
        _l("Expires (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    max_uses = IntegerField(
        _l("How many proposals may use it (optional)"),
        validators=[Optional(), NumberRange(1, 1000)],
    )
    format = SelectField(_l("Only for this format"), validate_choice=False)
    track = SelectField(_l("Only for this topic"), validate_choice=False)


class StateForm(FlaskForm):
    state = SelectField(_l("New status"), choices=_pairs(STATE_LABELS))
    note = StringField(
        _l("Note for the history (optional)"), validators=[Optional(), Length(max=400)]
    )


class DuplicateForm(FlaskForm):
    of_code = StringField(
        _l("Code of the original proposal"), validators=[DataRequired(REQUIRED), Length(max=12)]
    )
    merge = BooleanField(_l("Also move its presenters to the original and withdraw this one"))


class GroupEmailForm(FlaskForm):
    subject_en = StringField(
        _l("Subject (English)"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    body_en = TextAreaField(
        _l("Message (English)"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        render_kw={"rows": 8},
    )
    subject_es = StringField(
        _l("Subject (Spanish, optional)"), validators=[Optional(), Length(max=200)]
    )
    body_es = TextAreaField(
        _l("Message (Spanish, optional)"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 8},
    )
    include_copresenters = BooleanField(_l("Also write to co-presenters"))
