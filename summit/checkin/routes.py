"""The door scanner: a page that checks people in by camera or typed code, keeps
working offline, and its service worker; plus the undo of the last check-in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from summit.checkin import queries, services
from summit.checkin.api import answer
from summit.checkin.enums import (
    CHECKPOINT_KIND_LABELS,
    FLAG_LABELS,
    RESULT_ADVICE,
    RESULT_COLOURS,
    RESULT_LABELS,
    CheckpointKind,
    ScanResult,
)
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.i18n import select_locale
from summit.core.security import CSP
from summit.core.templating import local_date
from summit.extensions import db
from summit.registration import queries as registration_queries
from summit.registration.models import Attendee
from summit.registration.services import ticket_token
from summit.summits.policies import can_check_in
from summit.summits.queries import get_summit_by_slug
from summit.summits.routes import summit_view

bp = Blueprint("checkin", __name__)
door_view = summit_view(can_check_in)

# The decoder is WebAssembly: only this page may compile it.
SCANNER_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", 1)


def _checkpoint_label(checkpoint) -> str:
    if checkpoint.kind == CheckpointKind.ENTRANCE and checkpoint.day:
        return _("Entrance, %(day)s", day=local_date(checkpoint.day, "full"))
    return checkpoint.name


def _default_checkpoint(summit, checkpoints) -> str | None:
    today = now().astimezone(ZoneInfo(summit.timezone)).date()
    entrances = [c for c in checkpoints if c.kind == CheckpointKind.ENTRANCE]
    for checkpoint in entrances:
        if checkpoint.day == today:
            return checkpoint.code
    first = (entrances or checkpoints)[:1]
    return first[0].code if first else None


def _scanner_config(summit, checkpoints) -> dict:
    """What the scanner script needs, in the reader's language (no inline script)."""
    locale = select_locale()
    return {
        "summit": summit.slug,
        "timezone": summit.timezone,
        "locale": locale,
        "urls": {
            "scan": f"/api/v1/summits/{summit.slug}/checkins",
            "batch": f"/api/v1/summits/{summit.slug}/checkins/batch",
            "roster": f"/api/v1/summits/{summit.slug}/checkin/roster",
            "revocations": f"/api/v1/summits/{summit.slug}/checkin/revocations",
            "undo": url_for("checkin.undo", slug=summit.slug),
            "code": url_for("checkin.check_in_code", slug=summit.slug),
            "worker": url_for("checkin.service_worker", slug=summit.slug),
            "scope": url_for("checkin.scanner", slug=summit.slug),
            "wasm": url_for("static", filename="vendor/barcode-detector/zxing_reader.wasm"),
            "login": url_for("accounts.login"),
        },
        "checkpoints": {c.code: _checkpoint_label(c) for c in checkpoints},
        "ticket_types": {
            t.code: t.name(locale) for t in registration_queries.list_ticket_types(summit)
        },
        "results": {
            r.value: {
                "label": str(RESULT_LABELS[r]),
                "advice": str(RESULT_ADVICE[r]),
                "colour": RESULT_COLOURS[r],
            }
            for r in ScanResult
        },
        "flags": {code: str(label) for code, label in FLAG_LABELS.items()},
        "text": {
            "unknown_offline": _("Cannot confirm offline"),
            "unknown_offline_advice": _(
                "This ticket is not in the list on this phone. Look them up by name at the desk."
            ),
            "first_check_in": _("Checked in at %(time)s at %(checkpoint)s by %(name)s."),
            "this_device": _("this phone"),
            "someone": _("another staff member"),
            "queued": _("Saved on this phone; it will be sent when the connection returns."),
            "over_capacity": _("The room is over capacity."),
            "undone": _("The last check-in was undone."),
            "undo_failed": _("The last check-in could not be undone."),
            "undo_offline": _("Undo needs a connection for a check-in already sent."),
            "nothing_to_undo": _("There is no check-in to undo."),
            "camera_failed": _("The camera could not be started. Type the ticket code instead."),
            "camera_on": _("Camera on: hold the ticket's QR code in the frame."),
            "camera_off": _("Camera off."),
            "unsent_at_logout": _(
                "Some scans have not been sent yet and will be lost if you log out now. "
                "Log out anyway?"
            ),
            "roster_updated": _("Ticket list on this phone: %(count)s people."),
            "signed_out": _("You are logged out. Log in again to scan."),
        },
    }


@bp.get("/<slug>/door")
@door_view
def scanner(summit):
    services.ensure_entrances(summit)
    db.session.commit()
    checkpoints = queries.list_checkpoints(summit)
    entrances = [c for c in checkpoints if c.kind == CheckpointKind.ENTRANCE]
    sessions = [c for c in checkpoints if c.kind == CheckpointKind.SESSION]
    response = current_app.make_response(
        render_template(
            "checkin/scan.html",
            summit=summit,
            entrances=entrances,
            sessions=sessions,
            label=_checkpoint_label,
            kind_labels=CHECKPOINT_KIND_LABELS,
            default_checkpoint=_default_checkpoint(summit, checkpoints),
            config=_scanner_config(summit, checkpoints),
        )
    )
    response.headers["Content-Security-Policy"] = SCANNER_CSP
    return response


@bp.get("/<slug>/door/sw.js")
def service_worker(slug: str):
    """The scanner's service worker, served under the page so its scope covers it."""
    if get_summit_by_slug(slug) is None:
        abort(404)
    response = send_file(
        current_app.static_folder + "/js/door/sw.js",
        mimetype="text/javascript",
        max_age=0,
    )
    response.headers["Service-Worker-Allowed"] = f"/{slug}/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/<slug>/door/code")
@door_view
def check_in_code(summit):
    """Check in by the code printed under the QR (JSON, the fields of a scan with
    ``code`` in place of ``token``); a repeated ``scan_id`` returns the first answer."""
    body = request.get_json(silent=True) or {}
    code = str(body.get("code") or "").strip().upper()[:32]
    attendee = _attendee(summit, code) if code else None
    try:
        outcome = services.record_scan(
            summit,
            token=ticket_token(summit, attendee) if attendee else "",
            checkpoint=queries.get_checkpoint(summit, str(body.get("checkpoint") or "")),
            scan_id=str(body.get("scan_id") or ""),
            actor=current_user,
            scanned_at=_parse_time(body.get("scanned_at")),
            device=str(body.get("device") or "typed code"),
            was_offline=bool(body.get("offline")),
        )
    except DomainError as error:
        db.session.rollback()
        return _error(400, error.code, error.message, error.fields)
    db.session.commit()
    return jsonify(answer(outcome))


def _attendee(summit, code: str):
    return db.session.scalar(
        select(Attendee).where(Attendee.summit_id == summit.id, Attendee.code == code)
    )


def _parse_time(value):
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _error(status: int, code: str, message: str, fields: dict | None = None):
    return jsonify({"error": {"code": code, "message": message, "fields": fields or {}}}), status


@bp.post("/<slug>/door/undo")
@door_view
def undo(summit):
    """Annul a check-in made at this door (JSON ``{"scan_id": …}``, CSRF in X-CSRFToken)."""
    body = request.get_json(silent=True) or {}
    scan_id = body.get("scan_id")
    if not isinstance(scan_id, str) or not scan_id.strip():
        return _error(400, "invalid", _("A scan id is required."))
    scan = services.get_scan(summit, scan_id.strip()[: services.MAX_SCAN_ID_LENGTH])
    if scan is None:
        return _error(404, "scan_not_found", _("There is no such scan."))
    try:
        annulment = services.undo(summit, scan, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _error(409, error.code, error.message)
    db.session.commit()
    result = ScanResult.ANNULLED
    return jsonify(
        {
            "scan_id": annulment.scan_id,
            "undone": scan.scan_id,
            "code": scan.attendee.code if scan.attendee else None,
            "result": result.value,
            "message": str(RESULT_LABELS[result]),
            "advice": str(RESULT_ADVICE[result]),
            "colour": RESULT_COLOURS[result],
        }
    )
