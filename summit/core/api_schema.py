"""The API's documented error shape, so the OpenAPI document matches what we send."""

import marshmallow as ma
from flask_smorest import Api


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "Stable machine-readable code"})
    message = ma.fields.String(metadata={"description": "What went wrong, for people"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per invalid field"},
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema)


class SummitApi(Api):
    """flask-smorest's Api, documenting ``{"error": {"code", "message", "fields"}}``."""

    ERROR_SCHEMA = ErrorSchema
