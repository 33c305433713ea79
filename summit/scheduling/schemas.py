"""The released schedule as the API shows it: public, so presenters are only what the
programme pages show (first names of presenters under 18, no emails, no ids)."""

from marshmallow import Schema, fields, validate

from summit.core.api_schema import PageQuerySchema
from summit.scheduling.programme import MAX_QUERY_LENGTH


class NamedSchema(Schema):
    code = fields.String()
    name_en = fields.String()
    name_es = fields.String()


class RoomSchema(Schema):
    code = fields.String(allow_none=True, metadata={"description": "None: since deleted"})
    name = fields.String()
    building = fields.String()
    floor = fields.String()
    capacity = fields.Integer(allow_none=True)
    features = fields.List(fields.String())


class PublicPresenterSchema(Schema):
    public_id = fields.String()
    name = fields.String()
    role_type = fields.String(allow_none=True)


class SessionSchema(Schema):
    code = fields.String()
    title = fields.String()
    abstract = fields.String()
    outcomes = fields.String()
    language = fields.String()
    format = fields.Nested(NamedSchema, allow_none=True)
    track = fields.Nested(NamedSchema, allow_none=True)
    secondary_tracks = fields.Function(lambda s: [t.code for t in s.secondary_tracks])
    audience_roles = fields.List(fields.String())
    grade_bands = fields.List(fields.String())
    interpretation = fields.Boolean(attribute="has_interpretation")
    access_features = fields.List(fields.String())
    presenters = fields.List(fields.Nested(PublicPresenterSchema))
    day = fields.Date()
    kind = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    room = fields.Nested(RoomSchema)
    cancelled = fields.Boolean(attribute="is_cancelled")
    sequence = fields.Integer()
    changed_at = fields.AwareDateTime()


class VersionSchema(Schema):
    number = fields.Integer()
    released_at = fields.AwareDateTime()
    note_en = fields.String()
    note_es = fields.String()


class ScheduleSchema(Schema):
    summit = fields.String()
    timezone = fields.String()
    version = fields.Nested(VersionSchema)
    items = fields.List(fields.Nested(SessionSchema))
    next = fields.String(allow_none=True)


class ScheduleQuerySchema(PageQuerySchema):
    day = fields.String(load_default="", validate=validate.Length(max=10))
    track = fields.String(load_default="", validate=validate.Length(max=40))
    format = fields.String(load_default="", validate=validate.Length(max=40))
    audience = fields.String(load_default="", validate=validate.Length(max=40))
    language = fields.String(load_default="", validate=validate.Length(max=16))
    access = fields.String(load_default="", validate=validate.Length(max=40))
    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_LENGTH))


class RoomListSchema(Schema):
    items = fields.List(fields.Nested(RoomSchema))
    next = fields.String(allow_none=True)


class PlacedSchema(Schema):
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    room = fields.String()


class ChangeSchema(Schema):
    code = fields.String()
    title = fields.String()
    kind = fields.String()
    before = fields.Nested(PlacedSchema, allow_none=True)
    after = fields.Nested(PlacedSchema, allow_none=True)


class VersionWithChangesSchema(VersionSchema):
    changes = fields.List(fields.Nested(ChangeSchema))


class VersionListSchema(Schema):
    items = fields.List(fields.Nested(VersionWithChangesSchema))
    next = fields.String(allow_none=True)
