"""Who may see and change a proposal."""

from summit.proposals.enums import InviteStatus
from summit.summits.policies import can_manage_summit


def _on_team(user, proposal) -> bool:
    return any(
        p.user_id == user.id
        and p.invite_status in (InviteStatus.ACCEPTED.value, InviteStatus.NONE.value)
        for p in proposal.presenters
    )


def can_view_proposal(user, proposal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        proposal.owner_id == user.id
        or _on_team(user, proposal)
        or can_manage_summit(user, proposal.summit)
    )


def can_edit_proposal(user, proposal) -> bool:
    """The lead edits, invites and submits; co-presenters can read."""
    return getattr(user, "is_authenticated", False) and proposal.owner_id == user.id


def can_respond_as_presenter(user, proposal) -> bool:
    """Confirming or declining an accepted session: the lead or an accepted co-presenter."""
    return getattr(user, "is_authenticated", False) and (
        proposal.owner_id == user.id or _on_team(user, proposal)
    )


def can_manage_proposals(user, summit) -> bool:
    return can_manage_summit(user, summit)
