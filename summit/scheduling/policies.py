"""Who may change scheduling data."""

from summit.proposals.policies import can_edit_proposal, can_respond_as_presenter
from summit.summits.policies import can_manage_summit


def can_edit_availability(user, proposal, presenter) -> bool:
    """The lead and staff set anyone's times; a co-presenter sets their own."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can_edit_proposal(user, proposal) or can_manage_summit(user, proposal.summit):
        return True
    return can_respond_as_presenter(user, proposal) and presenter.user_id == user.id
