from marshmallow import Schema, fields, validate


class BlindProposalSchema(Schema):
    """What a reviewer may know of a proposal: never presenters' names, emails or schools."""

    code = fields.String()
    title = fields.String()
    abstract = fields.String()
    outcomes = fields.String()
    format = fields.String(allow_none=True)
    track = fields.String(allow_none=True)
    language = fields.String()
    lead_role = fields.String(allow_none=True)


class MyReviewSchema(Schema):
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    flags = fields.List(fields.String())
    comment_committee = fields.String()
    comment_presenters = fields.String()
    is_abstained = fields.Boolean()
    updated_at = fields.AwareDateTime()


class QueueItemSchema(Schema):
    proposal = fields.Nested(BlindProposalSchema)
    review = fields.Nested(MyReviewSchema, allow_none=True)


class QueueSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema))
    next = fields.String(allow_none=True)


class ReviewInputSchema(Schema):
    class Meta:
        unknown = "raise"

    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.Integer(allow_none=True),
        load_default=dict,
    )
    flags = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    comment_committee = fields.String(load_default="", validate=validate.Length(max=5000))
    comment_presenters = fields.String(load_default="", validate=validate.Length(max=5000))
    abstain = fields.Boolean(load_default=False)
