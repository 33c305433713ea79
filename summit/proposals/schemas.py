from marshmallow import Schema, fields, validate

from summit.core.api_schema import PageQuerySchema
from summit.proposals.enums import SessionLanguage


class PresenterSchema(Schema):
    name = fields.String()
    is_lead = fields.Boolean()
    role_type = fields.String(allow_none=True)
    invite_status = fields.String()
    consent_status = fields.String()


class ProposalSchema(Schema):
    code = fields.String()
    summit = fields.Function(lambda p: p.summit.slug)
    state = fields.String()
    title = fields.String()
    abstract = fields.String()
    outcomes = fields.String()
    format = fields.Function(lambda p: p.format.code if p.format else None)
    track = fields.Function(lambda p: p.track.code if p.track else None)
    secondary_tracks = fields.Function(lambda p: [t.code for t in p.secondary_tracks])
    audience_roles = fields.List(fields.String())
    grade_bands = fields.List(fields.String())
    language = fields.String()
    av_needs = fields.List(fields.String())
    accessibility_needs = fields.String()
    room_setup = fields.String()
    lead_role = fields.String(allow_none=True)
    answers = fields.Function(lambda p: {a.question.public_id: a.value.get("v") for a in p.answers})
    presenters = fields.List(fields.Nested(PresenterSchema))
    submitted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class ProposalListSchema(Schema):
    items = fields.List(fields.Nested(ProposalSchema))
    next = fields.String(allow_none=True)


class ProposalInputSchema(Schema):
    class Meta:
        unknown = "raise"

    title = fields.String(validate=validate.Length(max=300))
    abstract = fields.String(validate=validate.Length(max=20000))
    outcomes = fields.String(validate=validate.Length(max=10000))
    format = fields.String(allow_none=True, validate=validate.Length(max=40))
    track = fields.String(allow_none=True, validate=validate.Length(max=40))
    secondary_tracks = fields.List(
        fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=3)
    )
    audience_roles = fields.List(fields.String(validate=validate.Length(max=40)))
    grade_bands = fields.List(fields.String(validate=validate.Length(max=40)))
    language = fields.String(validate=validate.OneOf([lang.value for lang in SessionLanguage]))
    av_needs = fields.List(fields.String(validate=validate.Length(max=40)))
    accessibility_needs = fields.String(validate=validate.Length(max=2000))
    room_setup = fields.String(validate=validate.Length(max=16))
    lead_role = fields.String(allow_none=True, validate=validate.Length(max=32))
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=12)), values=fields.Raw())


class SubmitSchema(Schema):
    class Meta:
        unknown = "raise"

    access_code = fields.String(load_default="", validate=validate.Length(max=24))


class ProposalQuerySchema(PageQuerySchema):
    state = fields.String(load_default="")
    track = fields.String(load_default="")
    format = fields.String(load_default="")
    lead_role = fields.String(load_default="")
    county = fields.String(load_default="")
    language = fields.String(load_default="")
    has_minors = fields.Boolean(load_default=False)
    q = fields.String(load_default="", validate=validate.Length(max=100))
