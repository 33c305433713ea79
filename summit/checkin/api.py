"""The check-in API for scanners: one scan, a batch from an offline device, the
checkpoints, the roster and the revocation list (both with ETags)."""

from __future__ import annotations

import base64

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.orm.attributes import set_committed_value

from summit.agenda.calendar import etag_for
from summit.checkin import queries, services
from summit.checkin.enums import RESULT_ADVICE, RESULT_COLOURS, RESULT_LABELS
from summit.core.api import API_SECURITY, WRITE_ERRORS, documents_errors, require_login
from summit.core.api_schema import ErrorSchema
from summit.core.auth import forget_bearer_token, revalidates_bearer_token
from summit.core.errors import DomainError, Forbidden, NotFound
from summit.core.transactions import outside_a_transaction
from summit.extensions import db, limiter
from summit.registration.services import ensure_summit_key
from summit.summits.policies import can_check_in, may_check_in
from summit.summits.services import find_summit

from .schemas import (
    BatchInputSchema,
    BatchResultSchema,
    CheckpointListSchema,
    RevocationSchema,
    RosterSchema,
    ScanInputSchema,
    ScanResultSchema,
)

blp = Blueprint("checkin_api", __name__, description="Check-in at the door")
SCAN_INPUT = ScanInputSchema()  # one instance: a schema class is instantiated per request


def _scan_limit() -> str:
    return current_app.config["SCAN_RATE_LIMIT"]


def _scanner_key() -> str:
    """Count scans per signed-in scanner: the door phones of a venue often share one
    public address behind its Wi-Fi."""
    from flask_limiter.util import get_remote_address
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _not_door_staff() -> Forbidden:
    return Forbidden("not_door_staff", _("Only door staff of this summit can check people in."))


def _door(slug: str):
    user = require_login()
    summit = find_summit(slug)
    if not can_check_in(user, summit):
        raise _not_door_staff()
    return user, summit


def answer(outcome: services.ScanOutcome) -> dict:
    """A scan's outcome as the scanner shows it (also used by the scanner page)."""
    attendee, first = outcome.attendee, outcome.first
    show_person = attendee is not None and outcome.result.value in (
        "checked_in",
        "already_checked_in",
    )
    return {
        "scan_id": outcome.scan.scan_id,
        "result": outcome.result.value,
        "message": str(RESULT_LABELS[outcome.result]),
        "advice": str(RESULT_ADVICE[outcome.result]),
        "colour": RESULT_COLOURS[outcome.result],
        "replayed": outcome.replayed,
        "over_capacity": outcome.over_capacity,
        "clock_skewed": outcome.scan.is_clock_skewed,
        "registration": {
            "code": attendee.code,
            "name": attendee.name,
            "ticket_type": attendee.ticket_type,
            "flags": attendee.flags,
            "household": attendee.household,
        }
        if show_person
        else None,
        "first_check_in": {
            "at": first.scanned_at if not first.is_clock_skewed else first.received_at,
            "checkpoint": first.checkpoint,
            "device": first.device,
            "by": first.staff,
        }
        if first is not None
        else None,
    }


def _record(summit, user, body: dict, checkpoint) -> dict:
    outcome = services.record_scan(
        summit,
        token=body["token"],
        checkpoint=checkpoint,
        scan_id=body["scan_id"],
        actor=user,
        scanned_at=body.get("scanned_at"),
        device=body.get("device", ""),
        was_offline=body.get("offline", False),
    )
    return answer(outcome)


@blp.route("/summits/<slug>/checkins", methods=["POST"])
@revalidates_bearer_token
@limiter.limit(_scan_limit, key_func=_scanner_key)
@blp.arguments(SCAN_INPUT)
@blp.response(200, ScanResultSchema)
@blp.alt_response(403, schema=ErrorSchema, description="Not door staff of this summit")
@documents_errors(blp, 401, 404, 429, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def check_in(body: dict, slug: str):
    """Record one scan. A repeated ``scan_id`` returns the original answer."""
    user = require_login()
    outside_a_transaction()
    ticket = services.read_ticket(body["token"])
    token_hash = g.get("bearer_token_hash")
    scan = {
        "scan_id": body["scan_id"],
        "actor": user,
        "scanned_at": body.get("scanned_at"),
        "device": body.get("device", ""),
        "was_offline": body.get("offline", False),
    }
    quick = services.scan_in_one_statement(
        slug, body["checkpoint"], ticket, token_hash=token_hash, **scan
    )
    door, outcome = quick or (None, None)
    if quick is None:
        door = services.read_door(
            slug, body["checkpoint"], ticket, scanner_id=user.id, token_hash=token_hash
        )
    if outcome is None:
        if door is None:
            raise NotFound("summit_not_found", _("There is no summit at this address."))
        if not door.scanner_valid:  # revoked or deactivated since the identity was cached
            forget_bearer_token(token_hash)
            abort(401)
        if user.is_admin != door.scanner_is_admin:  # the account as it is now
            set_committed_value(user, "is_admin", door.scanner_is_admin)
        if not may_check_in(user, holds_role=door.holds_role):
            raise _not_door_staff()
        outcome = services.record_reading(door, ticket, **scan)
        services.remember_door(slug, body["checkpoint"], user.id, door)
    db.session.commit()
    return answer(outcome)


@blp.route("/summits/<slug>/checkins/batch", methods=["POST"])
@limiter.limit(_scan_limit, key_func=_scanner_key)
@blp.arguments(BatchInputSchema)
@blp.response(200, BatchResultSchema)
@documents_errors(blp, 401, 403, 404, 429, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def check_in_batch(body: dict, slug: str):
    """Upload scans made offline, in order. Safe to send again: scan ids are idempotent.

    Each scan is judged on its own; a scan with a bad field gets ``invalid`` back
    with a message, and the rest are still recorded."""
    user, summit = _door(slug)
    items = []
    for scan in body["scans"]:
        savepoint = db.session.begin_nested()
        try:
            checkpoint = queries.get_checkpoint(summit, scan["checkpoint"])
            items.append(_record(summit, user, scan, checkpoint))
        except DomainError as error:
            savepoint.rollback()
            items.append(
                {"scan_id": scan["scan_id"], "result": "invalid", "message": error.message,
                 "advice": "", "colour": "red", "replayed": False, "over_capacity": False,
                 "clock_skewed": False, "registration": None, "first_check_in": None}
            )  # fmt: skip
        else:
            savepoint.commit()
    db.session.commit()
    return {"items": items, "next": None}


@blp.route("/summits/<slug>/checkpoints", methods=["GET"])
@blp.response(200, CheckpointListSchema)
@documents_errors(blp, 401, 403, 404)
@blp.doc(security=API_SECURITY)
def checkpoints(slug: str):
    """Where this summit counts people: the entrance per day and session rooms."""
    _user, summit = _door(slug)
    services.ensure_entrances(summit)
    db.session.commit()
    return {"items": queries.list_checkpoints(summit), "next": None}


def _cached(payload: dict):
    """Answer with an ETag; 304 when the scanner already has this version."""
    from flask import jsonify

    response = jsonify(payload)
    etag = etag_for(response.get_data())
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    if etag in request.headers.get("If-None-Match", ""):
        response.status_code = 304
        response.set_data(b"")
    return response


@blp.route("/summits/<slug>/checkin/roster", methods=["GET"])
@blp.response(200, RosterSchema)
@blp.alt_response(304, description="Not modified since the ETag sent")
@documents_errors(blp, 401, 403, 404)
@blp.doc(security=API_SECURITY)
def roster(slug: str):
    """Confirmed tickets with the minimum a door needs offline, and the public key."""
    _user, summit = _door(slug)
    key = ensure_summit_key(summit)
    db.session.commit()
    return _cached(
        {
            "summit": summit.slug,
            "public_key": base64.b64encode(key.public_key).decode("ascii"),
            "items": services.roster(summit),
            "next": None,
        }
    )


@blp.route("/summits/<slug>/checkin/revocations", methods=["GET"])
@blp.response(200, RevocationSchema)
@blp.alt_response(304, description="Not modified since the ETag sent")
@documents_errors(blp, 401, 403, 404)
@blp.doc(security=API_SECURITY)
def revocations(slug: str):
    """Tickets that must not enter: older versions of reissued tickets, cancelled and
    unconfirmed registrations."""
    _user, summit = _door(slug)
    return _cached(services.revocations(summit))
