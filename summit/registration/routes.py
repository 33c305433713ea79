"""Attendees' pages: register (alone or as a household), confirm, tickets, cancel, claim."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from summit.accounts.forms import EmptyForm
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db, limiter
from summit.registration import notifications, services
from summit.registration.enums import BOOKING_STATE_LABELS, BookingState
from summit.registration.forms import MAX_PEOPLE, RegistrationForm
from summit.summits.routes import summit_view

bp = Blueprint("registration", __name__)

PERSON_FIELDS = (
    "name", "email", "organisation", "role_type", "county", "preferred_language", "age_band",
    "guardian_name", "guardian_email", "accommodations", "wants_interpretation",
    "dietary_needs", "media_consent",
)  # fmt: skip


@bp.app_context_processor
def registration_labels() -> dict:
    return {"booking_labels": BOOKING_STATE_LABELS}


def _choose_types(form, summit, locale: str):
    types = services.on_sale_types(summit, access_code=form.access_code.data or "")
    choices = [SelectChoice(str(t.id), t.name(locale)) for t in types]
    for entry in form.people:
        entry.form.ticket_type.choices = choices
    return {str(t.id): t for t in types}


@bp.route("/<slug>/register", methods=["GET", "POST"])
@summit_view()
@limiter.limit("30 per hour", methods=["POST"])
def register(summit):
    locale = select_locale()
    form = RegistrationForm()
    if request.method == "POST" and request.form.get("action") == "add":
        if len(form.people) < MAX_PEOPLE:
            form.people.append_entry()
        types = _choose_types(form, summit, locale)
        return render_template(
            "registration/register.html", summit=summit, form=form, has_types=bool(types)
        )
    types = _choose_types(form, summit, locale)
    if form.validate_on_submit():
        people = [
            {name: getattr(entry.form, name).data for name in PERSON_FIELDS}
            | {"ticket_type": types.get(entry.form.ticket_type.data or "")}
            for entry in form.people
        ]
        try:
            booking, secret = services.register(
                summit,
                contact_name=form.contact_name.data,
                contact_email=form.contact_email.data,
                people=people,
                locale=locale,
                access_code=form.access_code.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            _show_errors(form, error)
            return render_template(
                "registration/register.html", summit=summit, form=form, has_types=bool(types)
            ), 422
        else:
            notifications.send_confirm_link(booking, secret, summit)
            db.session.commit()
            return render_template(
                "registration/check_email.html", summit=summit, email=booking.contact_email
            )
    return render_template(
        "registration/register.html", summit=summit, form=form, has_types=bool(types)
    ), status_for(form)


def _show_errors(form, error: DomainError) -> None:
    """Field errors named "<person index>.<field>" go to that person's block."""
    for key, messages in error.fields.items():
        index, _sep, name = key.partition(".")
        if name and index.isdigit() and int(index) < len(form.people):
            field = getattr(form.people[int(index)].form, name, None)
            if field is not None:
                field.errors = [*field.errors, *messages]
    apply_errors(form, error)
    flash(error.message, "danger")


@bp.get("/<slug>/register/confirm/<token>")
@summit_view()
def confirm(summit, token: str):
    try:
        booking = services.confirm_booking(token)
    except DomainError as error:
        db.session.rollback()
        return render_template("accounts/link_problem.html", message=error.message), 404
    secret = services.issue_manage_link(booking)
    notifications.send_tickets_link(booking, secret, summit)
    db.session.commit()
    return redirect(url_for("registration.tickets", slug=summit.slug, token=secret))


def _booking(summit, token: str):
    booking = services.find_by_manage_link(summit, token)
    if booking is None:
        abort(404)
    return booking


@bp.get("/<slug>/tickets/<token>")
@summit_view()
def tickets(summit, token: str):
    booking = _booking(summit, token)
    return render_template(
        "registration/tickets.html",
        summit=summit,
        booking=booking,
        token=token,
        form=EmptyForm(),
    )


@bp.get("/<slug>/tickets/<token>/<code>.svg")
@summit_view()
def qr(summit, token: str, code: str):
    booking = _booking(summit, token)
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None or booking.state != BookingState.CONFIRMED:
        abort(404)
    image = qrcode.make(
        services.ticket_token(summit, attendee),
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=12,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    db.session.commit()  # the summit's key may have just been created
    return Response(
        buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@bp.post("/<slug>/tickets/<token>/cancel/<code>")
@summit_view()
def cancel(summit, token: str, code: str):
    booking = _booking(summit, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None:
        abort(404)
    offered = services.cancel_attendee(attendee)
    for other in offered:
        notifications.send_offer(other, services.issue_offer_link(other), summit)
    db.session.commit()
    flash(_("The ticket of %(name)s is cancelled.", name=attendee.name), "info")
    return redirect(url_for("registration.tickets", slug=summit.slug, token=token))


@bp.route("/<slug>/register/claim/<token>", methods=["GET", "POST"])
@summit_view()
def claim(summit, token: str):
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            booking = services.claim_offer(token)
        except DomainError as error:
            db.session.rollback()
            return render_template("accounts/link_problem.html", message=error.message), (
                error.status
            )
        secret = services.issue_manage_link(booking)
        notifications.send_tickets_link(booking, secret, summit)
        db.session.commit()
        return redirect(url_for("registration.tickets", slug=summit.slug, token=secret))
    return render_template("registration/claim.html", summit=summit, form=form)
