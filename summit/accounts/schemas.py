from marshmallow import Schema, fields, validate

from summit.accounts.enums import CALIFORNIA_COUNTIES, AgeBand, PresenterRole


class UserSchema(Schema):
    email = fields.Email(dump_only=True)
    name = fields.String()
    pronouns = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    presenter_role = fields.String(allow_none=True)
    county = fields.String(allow_none=True)
    age_band = fields.String(allow_none=True)
    preferred_language = fields.String()
    is_admin = fields.Boolean(dump_only=True)
    email_verified = fields.Boolean(attribute="is_verified", dump_only=True)


class ProfileUpdateSchema(Schema):
    class Meta:
        unknown = "raise"

    name = fields.String(validate=validate.Length(min=1, max=120))
    pronouns = fields.String(allow_none=True, validate=validate.Length(max=40))
    organisation = fields.String(allow_none=True, validate=validate.Length(max=200))
    presenter_role = fields.String(
        allow_none=True, validate=validate.OneOf([r.value for r in PresenterRole])
    )
    county = fields.String(allow_none=True, validate=validate.OneOf(CALIFORNIA_COUNTIES))
    age_band = fields.String(allow_none=True, validate=validate.OneOf([a.value for a in AgeBand]))
    preferred_language = fields.String(validate=validate.OneOf(["en", "es"]))
