from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from summit.core.forms import REQUIRED, MultiCheckboxField


def review_form_class(criteria, flags, locale: str):
    """One radio group per criterion (arrow keys move, Tab goes to the next group)."""

    class ReviewForm(FlaskForm):
        flags_ = MultiCheckboxField(
            _l("Notes that do not change the score"),
            choices=[SelectChoice(f.code, f.name(locale)) for f in flags],
        )
        comment_committee = TextAreaField(
            _l("Comment to the committee"),
            validators=[Length(max=5000)],
            description=_l("Only staff and, after they submit, other reviewers read this."),
            render_kw={"rows": 4},
        )
        comment_presenters = TextAreaField(
            _l("Comment to the presenters (optional)"),
            validators=[Length(max=5000)],
            description=_l("Be kind and specific: presenters may read this with the decision."),
            render_kw={"rows": 3},
        )
        abstain = BooleanField(_l("I abstain from scoring this proposal"))

    for criterion in criteria:
        choices = [
            SelectChoice(str(v), str(v))
            for v in range(criterion.scale_min, criterion.scale_max + 1)
        ]
        field = RadioField(
            criterion.name(locale),
            choices=choices,
            validators=[Optional()],
            validate_choice=False,
            description=criterion.guidance(locale),
        )
        setattr(ReviewForm, f"score_{criterion.code}", field)
    return ReviewForm


class ConflictForm(FlaskForm):
    reason = StringField(
        _l("Why (optional, only staff see it)"), validators=[Optional(), Length(max=300)]
    )


class ExpertiseForm(FlaskForm):
    tracks = MultiCheckboxField(_l("Topics you know well"))


class ReviewSettingsForm(FlaskForm):
    reviews_per_proposal = IntegerField(
        _l("Reviews per proposal"), validators=[DataRequired(REQUIRED), NumberRange(1, 10)]
    )
    is_blind = BooleanField(_l("Blind review: hide presenters' names, organizations and emails"))
    show_reviews_after_submit = BooleanField(
        _l("Reviewers see other reviews after submitting their own")
    )
    share_comments_with_presenters = BooleanField(
        _l("Send reviewers' comments to presenters with the decision")
    )
    min_reviews_to_normalise = IntegerField(
        _l("Reviews a reviewer needs before their scores are normalized"),
        validators=[DataRequired(REQUIRED), NumberRange(1, 100)],
    )


class CriterionForm(FlaskForm):
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    name_es = StringField(
        _l("Name (Spanish)"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    guidance_en = TextAreaField(_l("Guidance (English)"), validators=[Length(max=2000)])
    guidance_es = TextAreaField(_l("Guidance (Spanish)"), validators=[Length(max=2000)])
    scale_min = IntegerField(
        _l("Lowest score"), validators=[Optional(), NumberRange(0, 10)], default=1
    )
    scale_max = IntegerField(
        _l("Highest score"), validators=[DataRequired(REQUIRED), NumberRange(1, 10)], default=4
    )
    weight = FloatField(
        _l("Weight"), validators=[DataRequired(REQUIRED), NumberRange(0.1, 10)], default=1.0
    )
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 999)], default=0)
    is_active = BooleanField(_l("Used for scoring"), default=True)


class NewCriterionForm(CriterionForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message=_l("Lowercase letters, digits, hyphens.")),
        ],
    )


class AssignForm(FlaskForm):
    reviewer = SelectField(_l("Reviewer"), validate_choice=False)


class StaffConflictForm(FlaskForm):
    reviewer = SelectField(_l("Reviewer with a conflict"), validate_choice=False)
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class BlindTextForm(FlaskForm):
    title = StringField(_l("Title shown to reviewers"), validators=[Optional(), Length(max=300)])
    abstract = TextAreaField(
        _l("Description shown to reviewers"),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 6},
    )
    outcomes = TextAreaField(
        _l("Take-aways shown to reviewers"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 3},
    )


class CapacityForm(FlaskForm):
    slots = IntegerField(
        _l("Sessions this topic can hold"), validators=[DataRequired(REQUIRED), NumberRange(0, 500)]
    )
