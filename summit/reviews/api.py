from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.core.api import API_SECURITY, require_login
from summit.core.errors import DomainError, Forbidden, NotFound
from summit.extensions import db
from summit.proposals.queries import get_proposal
from summit.reviews import services
from summit.reviews.policies import can_review_in
from summit.reviews.queries import reviewer_queue, reviewer_texts
from summit.reviews.schemas import MyReviewSchema, QueueSchema, ReviewInputSchema
from summit.summits.services import find_summit

blp = Blueprint("reviews_api", __name__, description="Reviewing (blind)")


def _blind(proposal, text: dict) -> dict:
    return {
        "code": proposal.code,
        **text,
        "format": proposal.format.code if proposal.format else None,
        "track": proposal.track.code if proposal.track else None,
        "language": proposal.language,
        "lead_role": proposal.lead_role,
    }


def _reviewer_summit(slug: str):
    user = require_login()
    summit = find_summit(slug)
    if not can_review_in(user, summit):
        raise Forbidden("not_reviewer", _("You are not a reviewer of this summit."))
    return user, summit


@blp.route("/summits/<slug>/review/queue", methods=["GET"])
@blp.response(200, QueueSchema)
@blp.doc(security=API_SECURITY)
def queue(slug: str):
    """Your assigned proposals (blind), unreviewed first, with your own reviews."""
    user, summit = _reviewer_summit(slug)
    settings = services.ensure_review_setup(summit)
    queued = reviewer_queue(summit, user)
    texts = reviewer_texts([p for p, _review in queued], is_blind=settings.is_blind)
    items = [{"proposal": _blind(p, texts[p.id]), "review": review} for p, review in queued]
    return {"items": items, "next": None}


@blp.route("/summits/<slug>/review/<code>", methods=["PUT"])
@blp.arguments(ReviewInputSchema)
@blp.response(200, MyReviewSchema)
@blp.doc(security=API_SECURITY)
def put_review(body: dict, slug: str, code: str):
    """Write or replace your review of an assigned proposal."""
    user, summit = _reviewer_summit(slug)
    proposal = get_proposal(summit, code)
    if proposal is None:
        raise NotFound("proposal_not_found", _("There is no proposal with that code."))
    try:
        review = services.submit_review(
            proposal,
            reviewer=user,
            scores=body["scores"],
            flags=body["flags"],
            comment_committee=body["comment_committee"],
            comment_presenters=body["comment_presenters"],
            abstain=body["abstain"],
        )
    except DomainError as error:
        if error.code in {"conflicted", "not_assigned", "not_in_review"}:
            # Never confirm that a proposal the reviewer may not see exists.
            raise NotFound("proposal_not_found", _("There is no proposal with that code."))
        raise
    db.session.commit()
    return review
