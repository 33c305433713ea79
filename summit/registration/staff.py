"""Staff pages for registration: ticket types (more pages follow with the public flow)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from summit.core.clock import from_local_input, to_local_input
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.extensions import db
from summit.registration import services
from summit.registration.forms import NewTicketTypeForm, TicketTypeForm
from summit.registration.models import TicketType
from summit.summits.policies import can_manage_summit
from summit.summits.routes import summit_view

bp = Blueprint("registration_staff", __name__)
staff_view = summit_view(can_manage_summit)


def _ticket_types(summit) -> list[TicketType]:
    return list(
        db.session.scalars(
            select(TicketType)
            .where(TicketType.summit_id == summit.id)
            .order_by(TicketType.position, TicketType.id)
        )
    )


@bp.get("/<slug>/staff/tickets")
@staff_view
def ticket_types(summit):
    return render_template(
        "registration_staff/ticket_types.html", summit=summit, ticket_types=_ticket_types(summit)
    )


@bp.route("/<slug>/staff/tickets/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/tickets/<code>", methods=["GET", "POST"])
@staff_view
def ticket_type_form(summit, code: str | None = None):
    ticket_type = None
    if code:
        ticket_type = next((t for t in _ticket_types(summit) if t.code == code), None)
        if ticket_type is None:
            abort(404)
    form = (TicketTypeForm if ticket_type else NewTicketTypeForm)(obj=ticket_type)
    if request.method == "GET" and ticket_type is not None:
        for name in ("sales_opens_at", "sales_closes_at"):
            getattr(form, name).data = to_local_input(getattr(ticket_type, name), summit.timezone)
    if form.validate_on_submit():
        values = {
            "name_en": form.name_en.data.strip(),
            "name_es": form.name_es.data.strip(),
            "audience_en": (form.audience_en.data or "").strip(),
            "audience_es": (form.audience_es.data or "").strip(),
            "capacity": form.capacity.data,
            "sales_opens_at": from_local_input(form.sales_opens_at.data, summit.timezone),
            "sales_closes_at": from_local_input(form.sales_closes_at.data, summit.timezone),
            "requires_approval": bool(form.requires_approval.data),
            "access_code": (form.access_code.data or "").strip().upper() or None,
            "position": form.position.data or 0,
            "is_active": bool(form.is_active.data),
        }
        try:
            services.save_ticket_type(
                summit,
                actor=current_user,
                ticket_type=ticket_type,
                code=None if ticket_type else form.code.data,
                **values,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Ticket type saved."), "success")
            return redirect(url_for("registration_staff.ticket_types", slug=summit.slug))
    return render_template(
        "registration_staff/ticket_type_form.html",
        summit=summit,
        form=form,
        ticket_type=ticket_type,
    ), status_for(form)
