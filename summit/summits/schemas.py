from flask_babel import get_locale
from marshmallow import Schema, fields


def _locale() -> str:
    return str(get_locale() or "en")


class TrackSchema(Schema):
    code = fields.String()
    kind = fields.String()
    name = fields.Function(lambda t: t.name(_locale()))
    name_en = fields.String()
    name_es = fields.String()
    description_en = fields.String()
    description_es = fields.String()
    colour = fields.String()
    position = fields.Integer()
    is_active = fields.Boolean()


class SummitSchema(Schema):
    slug = fields.String()
    name = fields.Function(lambda s: s.display_name(_locale()))
    venue = fields.String()
    timezone = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    cfp_opens_at = fields.AwareDateTime(allow_none=True)
    cfp_closes_at = fields.AwareDateTime(allow_none=True)
    review_deadline_at = fields.AwareDateTime(allow_none=True)
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    is_current = fields.Boolean()


class SummitDetailSchema(SummitSchema):
    tracks = fields.List(fields.Nested(TrackSchema))


class SummitListSchema(Schema):
    items = fields.List(fields.Nested(SummitSchema))
    next = fields.String(allow_none=True)


class TrackListSchema(Schema):
    items = fields.List(fields.Nested(TrackSchema))
    next = fields.String(allow_none=True)
