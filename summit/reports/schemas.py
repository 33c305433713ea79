"""API (de)serialisation of report tables."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from summit.core.api_schema import PageQuerySchema


class ReportQuerySchema(PageQuerySchema):
    day = fields.String(load_default="", validate=validate.Length(max=10))
    region = fields.String(load_default="", validate=validate.Length(max=80))
    topic = fields.String(load_default="", validate=validate.Length(max=40))


class ReportInfoSchema(Schema):
    name = fields.String(required=True, metadata={"description": "Stable table name"})
    dashboard = fields.String(required=True, metadata={"description": "programme or participation"})
    url = fields.String(required=True)


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportInfoSchema))
    next = fields.String(allow_none=True)


class ReportColumnSchema(Schema):
    key = fields.String(required=True, metadata={"description": "Stable column name"})
    label = fields.String(required=True, metadata={"description": "In the caller's language"})
    kind = fields.String(
        required=True, metadata={"description": "key, label, text, number or percent"}
    )


CELL = fields.Raw(allow_none=True, metadata={"description": "A number, a text or null"})


class ReportTableSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    filters = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    region = fields.String(
        allow_none=True, metadata={"description": "The one region a region lead sees"}
    )
    columns = fields.List(fields.Nested(ReportColumnSchema), required=True)
    items = fields.List(fields.Dict(keys=fields.String(), values=CELL), required=True)
    total = fields.Dict(keys=fields.String(), values=CELL, allow_none=True)
    next = fields.String(allow_none=True)
