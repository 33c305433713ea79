"""Registrations for staff: attendees with the list's filters, one attendee, ticket types.

Staff only (the summit's staff policy): attendees include minors and their guardians."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.core.api import API_SECURITY, documents_errors, paginate, require_login
from summit.core.api_schema import PageQuerySchema
from summit.core.errors import Forbidden, NotFound
from summit.registration import queries
from summit.registration.schemas import (
    AttendeeListSchema,
    AttendeeQuerySchema,
    AttendeeSchema,
    TicketTypeListSchema,
)
from summit.summits.policies import can_manage_summit
from summit.summits.services import find_summit

blp = Blueprint("registration_api", __name__, description="Registrations (staff)")

STAFF_ERRORS = (401, 403, 404)


def _staff_summit(slug: str):
    user = require_login()
    summit = find_summit(slug)
    if not can_manage_summit(user, summit):
        raise Forbidden("not_staff", _("Only staff of this summit can see registrations."))
    return summit


def _page(args: dict) -> dict:
    return {"limit": args.pop("limit"), "cursor": args.pop("cursor")}


@blp.route("/summits/<slug>/attendees", methods=["GET"])
@blp.arguments(AttendeeQuerySchema, location="query")
@blp.response(200, AttendeeListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_attendees(args: dict, slug: str):
    """Staff: every registered person (one per ticket), newest household first, with the
    registrations list's filters."""
    summit = _staff_summit(slug)
    page = _page(args)
    filters = queries.RegistrationFilters(**args)
    return paginate(queries.ordered_attendees_query(summit, filters), page)


@blp.route("/summits/<slug>/attendees/<code>", methods=["GET"])
@blp.response(200, AttendeeSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def get_attendee(slug: str, code: str):
    """Staff: one person by their ticket code, with their household's booking."""
    summit = _staff_summit(slug)
    attendee = queries.get_attendee(summit, code)
    if attendee is None:
        raise NotFound("attendee_not_found", _("There is no attendee with that code."))
    return attendee


@blp.route("/summits/<slug>/ticket-types", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, TicketTypeListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_ticket_types(args: dict, slug: str):
    """Staff: the summit's ticket types with seats taken."""
    summit = _staff_summit(slug)
    return paginate(queries.list_ticket_types(summit), _page(args))
