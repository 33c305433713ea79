from marshmallow import Schema, fields, validate


class ScanInputSchema(Schema):
    class Meta:
        unknown = "raise"

    token = fields.String(required=True, validate=validate.Length(max=4000))
    checkpoint = fields.String(required=True, validate=validate.Length(min=1, max=12))
    scan_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    scanned_at = fields.AwareDateTime(load_default=None)
    device = fields.String(load_default="", validate=validate.Length(max=80))
    offline = fields.Boolean(load_default=False)


class BatchInputSchema(Schema):
    class Meta:
        unknown = "raise"

    scans = fields.List(
        fields.Nested(ScanInputSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class RegistrationSchema(Schema):
    code = fields.String()
    name = fields.String()
    ticket_type = fields.String()
    flags = fields.List(fields.String())
    household = fields.String()


class FirstCheckInSchema(Schema):
    at = fields.AwareDateTime()
    checkpoint = fields.String()
    device = fields.String()
    by = fields.String(allow_none=True)


class ScanResultSchema(Schema):
    scan_id = fields.String()
    result = fields.String()
    message = fields.String()
    advice = fields.String()
    colour = fields.String()
    replayed = fields.Boolean()
    over_capacity = fields.Boolean()
    clock_skewed = fields.Boolean()
    registration = fields.Nested(RegistrationSchema, allow_none=True)
    first_check_in = fields.Nested(FirstCheckInSchema, allow_none=True)


class BatchResultSchema(Schema):
    items = fields.List(fields.Nested(ScanResultSchema))
    next = fields.String(allow_none=True)


class CheckpointSchema(Schema):
    code = fields.String()
    kind = fields.String()
    name = fields.String()
    day = fields.Date(allow_none=True)
    capacity = fields.Integer(allow_none=True)


class CheckpointListSchema(Schema):
    items = fields.List(fields.Nested(CheckpointSchema))
    next = fields.String(allow_none=True)


class RosterEntrySchema(Schema):
    code = fields.String()
    version = fields.Integer()
    name = fields.String()
    ticket_type = fields.String()
    flags = fields.List(fields.String())
    household = fields.String()


class RosterSchema(Schema):
    summit = fields.String()
    public_key = fields.String(metadata={"description": "Ed25519 public key, base64"})
    items = fields.List(fields.Nested(RosterEntrySchema))
    next = fields.String(allow_none=True)


class RevocationSchema(Schema):
    current_versions = fields.Dict(keys=fields.String(), values=fields.Integer())
    cancelled = fields.List(fields.String())
    not_confirmed = fields.List(fields.String())
