"""Registrations as staff read them through the API."""

from marshmallow import Schema, fields, validate

from summit.accounts.enums import CALIFORNIA_COUNTIES, PresenterRole
from summit.core.api_schema import PageQuerySchema
from summit.registration.enums import NEED_LABELS, BookingState


class BookingSchema(Schema):
    code = fields.String()
    state = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    locale = fields.String()
    is_comp = fields.Boolean()
    created_at = fields.AwareDateTime()
    confirmed_at = fields.AwareDateTime(allow_none=True)
    waitlisted_at = fields.AwareDateTime(allow_none=True)
    offer_expires_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)


class AttendeeSchema(Schema):
    """One person (ticket). Staff only: minors' data and guardians are in here."""

    code = fields.String()
    state = fields.Function(
        lambda a: "cancelled" if a.cancelled_at else a.booking.state,
        metadata={"description": "The household's state, or cancelled for this person"},
    )
    ticket_type = fields.Function(lambda a: a.ticket_type.code)
    ticket_version = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    organisation = fields.String()
    role_type = fields.String(allow_none=True)
    county = fields.String(allow_none=True)
    preferred_language = fields.String()
    age_band = fields.String(allow_none=True)
    is_minor = fields.Boolean()
    guardian_name = fields.String(allow_none=True)
    guardian_email = fields.String(allow_none=True)
    accommodations = fields.List(fields.String())
    wants_interpretation = fields.Boolean()
    dietary_needs = fields.String()
    media_consent = fields.Boolean()
    cancelled_at = fields.AwareDateTime(allow_none=True)
    booking = fields.Nested(BookingSchema)


class AttendeeListSchema(Schema):
    items = fields.List(fields.Nested(AttendeeSchema))
    next = fields.String(allow_none=True)


class AttendeeQuerySchema(PageQuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    state = fields.String(load_default="", validate=validate.OneOf(["", *BookingState]))
    ticket_type = fields.String(load_default="", validate=validate.Length(max=40))
    county = fields.String(load_default="", validate=validate.OneOf(["", *CALIFORNIA_COUNTIES]))
    region = fields.String(load_default="", validate=validate.Length(max=80))
    role_type = fields.String(load_default="", validate=validate.OneOf(["", *PresenterRole]))
    need = fields.String(load_default="", validate=validate.OneOf(["", *NEED_LABELS]))
    minors = fields.Boolean(load_default=False, metadata={"description": "Only people under 18"})


class TicketTypeSchema(Schema):
    code = fields.String()
    name_en = fields.String()
    name_es = fields.String()
    capacity = fields.Integer()
    taken = fields.Integer()
    requires_approval = fields.Boolean()
    has_access_code = fields.Function(lambda t: bool(t.access_code))
    sales_opens_at = fields.AwareDateTime(allow_none=True)
    sales_closes_at = fields.AwareDateTime(allow_none=True)
    days = fields.List(fields.String())
    is_active = fields.Boolean()


class TicketTypeListSchema(Schema):
    items = fields.List(fields.Nested(TicketTypeSchema))
    next = fields.String(allow_none=True)
