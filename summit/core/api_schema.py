"""The API's documented error shape and list paging, so the OpenAPI document matches
what we send."""

import base64
import binascii

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest import Api

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for people"}
    )
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={
            "description": "Messages per invalid field; nested fields are dotted "
            "(`scans.0.checkpoint`)"
        },
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode("ascii").rstrip("=")


class Cursor(ma.fields.String):
    """An opaque position in a list: clients pass back what ``next`` gave them."""

    default_error_messages = {"invalid": _l("This is not a cursor this list gave out.")}

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 40:
            raise self.make_error("invalid")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise self.make_error("invalid") from None
        if not raw.startswith("o") or not raw[1:].isdigit() or len(raw) > 12:
            raise self.make_error("invalid")
        return int(raw[1:])


class PageQuerySchema(ma.Schema):
    """``limit`` and ``cursor`` of every list; the answer's ``next`` links the next page."""

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page (at most {MAX_LIMIT})"},
    )
    cursor = Cursor(
        load_default=None,
        metadata={"description": "Opaque; from the `next` link of the page before"},
    )


class SummitApi(Api):
    """flask-smorest's Api, documenting ``{"error": {"code", "message", "fields"}}``.

    No catch-all ``default`` response: each operation lists the statuses it can send."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None
