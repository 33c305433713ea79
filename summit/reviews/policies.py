from summit.summits.enums import Role
from summit.summits.queries import roles_of


def can_review_in(user, summit) -> bool:
    """Reviewing is for people with the reviewer role (staff review only if also reviewers)."""
    return getattr(user, "is_authenticated", False) and Role.REVIEWER in roles_of(user, summit)
