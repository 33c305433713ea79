from marshmallow import Schema, fields, validate

from summit.core.api_schema import PageQuerySchema


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


# --- staff ------------------------------------------------------------------------


class ReviewerSchema(Schema):
    name = fields.String()
    email = fields.String()


class StaffReviewSchema(MyReviewSchema):
    proposal = fields.Function(lambda r: r.proposal.code)
    reviewer = fields.Nested(ReviewerSchema)
    submitted_at = fields.AwareDateTime()


class StaffReviewListSchema(Schema):
    items = fields.List(fields.Nested(StaffReviewSchema))
    next = fields.String(allow_none=True)


class AssignmentSchema(Schema):
    proposal = fields.Function(lambda a: a.proposal.code)
    reviewer = fields.Nested(ReviewerSchema)
    is_manual = fields.Boolean()
    created_at = fields.AwareDateTime()


class AssignmentListSchema(Schema):
    items = fields.List(fields.Nested(AssignmentSchema))
    next = fields.String(allow_none=True)


class ReviewQuerySchema(PageQuerySchema):
    proposal = fields.String(
        load_default="",
        validate=validate.Length(max=12),
        metadata={"description": "Only this proposal's (its code)"},
    )
    reviewer = fields.String(
        load_default="",
        validate=validate.Length(max=254),
        metadata={"description": "Only this reviewer's (their email)"},
    )


class ProposalScoreSchema(Schema):
    """One proposal's aggregate: weighted totals 0–100, normalised per reviewer."""

    proposal = fields.Function(lambda s: s["proposal"].code)
    title = fields.Function(lambda s: s["proposal"].title)
    state = fields.Function(lambda s: s["proposal"].state)
    track = fields.Function(lambda s: s["proposal"].track.code if s["proposal"].track else None)
    count = fields.Integer()
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    spread = fields.Float(allow_none=True)
    normalised = fields.Float(allow_none=True)
    disagreement = fields.Boolean()
    pending_decision = fields.String(allow_none=True)


class ProposalScoreListSchema(Schema):
    items = fields.List(fields.Nested(ProposalScoreSchema))
    next = fields.String(allow_none=True)


class ScoreQuerySchema(PageQuerySchema):
    track = fields.String(
        load_default="", validate=validate.Length(max=40), metadata={"description": "A track code"}
    )
