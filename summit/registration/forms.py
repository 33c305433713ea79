from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from summit.core.forms import REQUIRED


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
