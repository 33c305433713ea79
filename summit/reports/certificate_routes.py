"""Certificate pages: an attendee's download from their tickets link, the public check
of a printed certificate id, and the staff's page to email every certificate."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from summit.accounts.forms import EmptyForm
from summit.core.clock import now
from summit.core.errors import DomainError, NotFound
from summit.extensions import db, limiter
from summit.registration import services as registration
from summit.registration.enums import BookingState
from summit.reports import certificates
from summit.summits.policies import can_manage_summit
from summit.summits.routes import summit_view

bp = Blueprint("certificates", __name__)
staff_view = summit_view(can_manage_summit)


@bp.get("/<slug>/tickets/<token>/<code>/certificate.pdf")
@summit_view()
@limiter.limit("20 per minute")  # each PDF costs real CPU to lay out
def download(summit, token: str, code: str):
    """One person's certificate, in their language, once the summit is over."""
    booking = registration.find_by_manage_link(summit, token)
    if booking is None:
        abort(404)
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None or booking.state != BookingState.CONFIRMED:
        raise NotFound("no_ticket", _("There is no active ticket with this code here."))
    at = now()
    certificates.ensure_available(summit, at)
    person = certificates.certificate_for(summit, attendee)
    if not person.lines.is_eligible:
        raise NotFound(
            "no_certificate",
            _(
                "No session was recorded for %(name)s, so there is no certificate. "
                "If you were at a session, tell the summit team.",
                name=attendee.name,
            ),
        )
    certificate = certificates.issue_certificate(summit, person, at=at)
    pdf = certificates.certificate_pdf(summit, person, certificate)
    db.session.commit()  # the certificate's id is kept from its first download
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{certificates.filename(certificate)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<slug>/certificates/<code>")
@summit_view()
@limiter.limit("30 per minute")
def verify(summit, code: str):
    """Anyone holding a certificate can check that its id is genuine."""
    certificate = certificates.get_certificate(summit, code.strip().upper()[:16])
    if certificate is None:
        raise NotFound(
            "unknown_certificate",
            _("We have no certificate with this id. Check the id printed on the certificate."),
        )
    return render_template(
        "reports/certificate_verify.html",
        summit=summit,
        certificate=certificate,
        attendee=certificate.attendee,
        hours=certificates.hours,
    )


def _staff_page(summit, *, error: str = "", status: int = 200):
    at = now()
    ready = certificates.is_available(summit, at)
    return render_template(
        "reports/certificates.html",
        summit=summit,
        form=EmptyForm(),
        is_available=ready,
        not_ready=certificates.not_ready_message(summit),
        plan=certificates.plan_send(summit) if ready else None,
        batch=certificates.SEND_BATCH,
        error=error,
    ), status


@bp.get("/<slug>/staff/certificates")
@staff_view
def staff(summit):
    return _staff_page(summit)


@bp.post("/<slug>/staff/certificates/send")
@staff_view
def send(summit):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = certificates.send_certificates(summit, actor=current_user, at=now())
    except DomainError as error:
        db.session.rollback()
        return _staff_page(summit, error=error.message, status=error.status)
    db.session.commit()
    message = ngettext(
        "Queued %(num)d certificate email.", "Queued %(num)d certificate emails.", result.queued
    )
    if result.remaining:
        message += " " + ngettext(
            "%(num)d more to send: press the button again.",
            "%(num)d more to send: press the button again.",
            result.remaining,
        )
    flash(message, "success")
    return redirect(url_for("certificates.staff", slug=summit.slug))
