from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.core.api import API_SECURITY, WRITE_ERRORS, documents_errors, paginate, require_login
from summit.core.errors import DomainError, NotFound
from summit.core.i18n import select_locale
from summit.extensions import db
from summit.proposals import notifications, policies, services
from summit.proposals.models import Proposal
from summit.proposals.queries import (
    ProposalFilters,
    get_format,
    list_my_proposals,
    list_questions,
    ordered_proposals_query,
)
from summit.proposals.schemas import (
    ProposalInputSchema,
    ProposalListSchema,
    ProposalQuerySchema,
    ProposalSchema,
    SubmitSchema,
)
from summit.summits.queries import get_track
from summit.summits.services import find_summit

blp = Blueprint("proposals_api", __name__, description="Proposals (call for proposals)")

CONTENT_KEYS = (
    "title", "abstract", "outcomes", "audience_roles", "grade_bands", "language", "av_needs",
    "accessibility_needs", "room_setup", "lead_role",
)  # fmt: skip


def _find(code: str, policy=policies.can_view_proposal) -> Proposal:
    from sqlalchemy import select

    user = require_login()
    proposal = db.session.scalar(select(Proposal).where(Proposal.code == (code or "").upper()))
    if proposal is None or not policy(user, proposal):
        raise NotFound("proposal_not_found", _("There is no proposal with that code."))
    return proposal


def _input(summit, body: dict, current: Proposal | None = None) -> tuple[dict, dict]:
    data = {key: getattr(current, key) for key in CONTENT_KEYS} if current else {}
    data.update({k: v for k, v in body.items() if k in CONTENT_KEYS})
    errors = {}
    if "format" in body:
        data["format"] = get_format(summit, body["format"]) if body["format"] else None
        if body["format"] and data["format"] is None:
            errors["format"] = [_("Unknown format.")]
    else:
        data["format"] = current.format if current else None
    if "track" in body:
        data["track"] = get_track(summit, body["track"]) if body["track"] else None
        if body["track"] and data["track"] is None:
            errors["track"] = [_("Unknown topic.")]
    else:
        data["track"] = current.track if current else None
    if "secondary_tracks" in body:
        data["secondary_tracks"] = [get_track(summit, c) for c in body["secondary_tracks"]]
        if None in data["secondary_tracks"]:
            errors["secondary_tracks"] = [_("Unknown topic.")]
    else:
        data["secondary_tracks"] = list(current.secondary_tracks) if current else []
    if errors:
        raise DomainError(
            "invalid", _("Some of what you sent is not valid."), fields=errors, status=422
        )
    return data, body.get("answers") or {}


@blp.route("/summits/<slug>/proposals", methods=["GET"])
@blp.arguments(ProposalQuerySchema, location="query")
@blp.response(200, ProposalListSchema)
@documents_errors(blp, 401, 404)
@blp.doc(security=API_SECURITY)
def list_summit_proposals(args: dict, slug: str):
    """Staff: every submitted proposal, filtered, newest first. Others: their own proposals."""
    user = require_login()
    summit = find_summit(slug)
    page = {"limit": args.pop("limit"), "cursor": args.pop("cursor")}
    if not policies.can_manage_proposals(user, summit):
        return paginate(list_my_proposals(summit, user), page)
    return paginate(ordered_proposals_query(summit, ProposalFilters(**args)), page)


@blp.route("/summits/<slug>/proposals", methods=["POST"])
@blp.arguments(ProposalInputSchema)
@blp.response(201, ProposalSchema)
@documents_errors(blp, 401, 403, 404, 409, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def create(body: dict, slug: str):
    """Start a proposal (a draft) as its lead presenter."""
    user = require_login()
    summit = find_summit(slug)
    services.ensure_call(summit)  # the default formats exist before a format code is looked up
    data, answers = _input(summit, body)
    proposal = services.create_proposal(
        summit,
        actor=user,
        data=data,
        questions=list_questions(summit, active_only=True),
        answers=answers,
    )
    db.session.commit()
    return proposal


@blp.route("/proposals/<code>", methods=["GET"])
@blp.response(200, ProposalSchema)
@documents_errors(blp, 401, 404)
@blp.doc(security=API_SECURITY)
def read(code: str):
    """One proposal you present or, for staff, any proposal of your summit."""
    return _find(code)


@blp.route("/proposals/<code>", methods=["PATCH"])
@blp.arguments(ProposalInputSchema)
@blp.response(200, ProposalSchema)
@documents_errors(blp, 401, 403, 404, 409, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def update(body: dict, code: str):
    """Change your proposal (while it is a draft, or submitted and the call is open)."""
    proposal = _find(code, policies.can_edit_proposal)
    data, answers = _input(proposal.summit, body, proposal)
    services.update_proposal(
        proposal,
        actor=require_login(),
        data=data,
        questions=list_questions(proposal.summit, active_only=True),
        answers=answers,
    )
    db.session.commit()
    return proposal


@blp.route("/proposals/<code>/submit", methods=["POST"])
@blp.arguments(SubmitSchema)
@blp.response(200, ProposalSchema)
@documents_errors(blp, 401, 403, 404, 409, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def submit(body: dict, code: str):
    """Submit your draft (an access code is needed while the call is closed)."""
    proposal = _find(code, policies.can_edit_proposal)
    services.submit_proposal(
        proposal,
        actor=require_login(),
        questions=list_questions(proposal.summit, active_only=True),
        access_code=body.get("access_code", ""),
    )
    notifications.send_receipt(proposal)
    notifications.send_consent_requests(proposal, locale=select_locale())
    db.session.commit()
    return proposal
