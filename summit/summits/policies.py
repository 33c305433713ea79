"""Who may do what in a summit. Site admins may do everything."""

from summit.summits.enums import CHECK_IN_ROLES, Role
from summit.summits.queries import roles_of


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_manage_summit(user, summit) -> bool:
    return _is_admin(user) or Role.STAFF in roles_of(user, summit)


def can_review(user, summit) -> bool:
    return _is_admin(user) or bool({Role.STAFF, Role.REVIEWER} & roles_of(user, summit))


def can_check_in(user, summit) -> bool:
    return may_check_in(user, holds_role=bool(CHECK_IN_ROLES & roles_of(user, summit)))


def may_check_in(user, *, holds_role: bool) -> bool:
    """``can_check_in`` when the caller already knows whether one of ``CHECK_IN_ROLES``
    is held (the scan endpoint reads it with the checkpoint in one statement)."""
    return _is_admin(user) or holds_role


def can_create_summit(user) -> bool:
    return _is_admin(user)
