"""Presenters' side of scheduling: the times they cannot present."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from summit.accounts.forms import EmptyForm
from summit.core.errors import DomainError
from summit.extensions import db
from summit.proposals.queries import get_proposal
from summit.scheduling import queries, services
from summit.scheduling.enums import SlotKind
from summit.scheduling.policies import can_edit_availability
from summit.summits.routes import summit_view

bp = Blueprint("scheduling", __name__)


@bp.route("/<slug>/proposals/<code>/availability", methods=["GET", "POST"])
@login_required
@summit_view()
def availability(summit, code: str):
    proposal = get_proposal(summit, code)
    if proposal is None:
        abort(404)
    presenters = [
        p for p in proposal.active_presenters if can_edit_availability(current_user, proposal, p)
    ]
    if not presenters:
        abort(404 if not proposal.presenters else 403)
    if proposal.state not in services.SCHEDULED_STATES:
        abort(404)
    slots = [s for s in queries.list_slots(summit) if s.kind != SlotKind.BREAK]
    form = EmptyForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        ticked = {p.id: request.form.getlist(f"slots-{p.public_id}") for p in presenters}
        try:
            for presenter in presenters:
                services.set_unavailability(presenter, ticked[presenter.id], actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            # Shown again with the boxes as ticked, so nothing typed is lost.
            ids = {s.code: s.id for s in slots}
            unavailable = {
                key: {ids[c] for c in codes if c in ids} for key, codes in ticked.items()
            }
            status = 422
        else:
            db.session.commit()
            flash(_("Thank you. We will not schedule the session at those times."), "success")
            return redirect(url_for("proposals.detail", slug=summit.slug, code=proposal.code))
    else:
        unavailable = {p.id: queries.list_unavailable_slot_ids(p) for p in presenters}
    return render_template(
        "scheduling/availability.html",
        summit=summit,
        proposal=proposal,
        presenters=presenters,
        slots=slots,
        unavailable=unavailable,
        form=form,
    ), status
