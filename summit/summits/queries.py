from sqlalchemy import bindparam, select

from summit.accounts.models import User
from summit.extensions import db
from summit.summits.models import CountyRegion, Summit, SummitRole, Track

# Built once: every page under a summit's address runs it, and a kept statement has its
# SQLAlchemy cache key memoised instead of worked out on each request.
_BY_SLUG = select(Summit).where(Summit.slug == bindparam("slug"))


def get_summit_by_slug(slug: str) -> Summit | None:
    return db.session.scalar(_BY_SLUG, {"slug": slug})


def get_current_summit() -> Summit | None:
    current = db.session.scalar(select(Summit).where(Summit.is_current.is_(True)))
    if current is not None:
        return current
    return db.session.scalar(select(Summit).order_by(Summit.starts_on.desc()).limit(1))


def list_summits() -> list[Summit]:
    return list(db.session.scalars(select(Summit).order_by(Summit.starts_on.desc())))


def list_roles(summit: Summit) -> list[SummitRole]:
    return list(
        db.session.scalars(
            select(SummitRole)
            .join(User, User.id == SummitRole.user_id)
            .where(SummitRole.summit_id == summit.id)
            .order_by(User.name, SummitRole.role)
        )
    )


def roles_of(user, summit: Summit) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(SummitRole.role).where(
                SummitRole.summit_id == summit.id, SummitRole.user_id == user.id
            )
        )
    )


def lead_region(user, summit: Summit) -> str | None:
    """The region a region lead's grant names here (None: not a region lead)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(SummitRole.region).where(
            SummitRole.summit_id == summit.id,
            SummitRole.user_id == user.id,
            SummitRole.role == "region_lead",
        )
    )


def list_tracks(summit: Summit, *, active_only: bool = False) -> list[Track]:
    query = select(Track).where(Track.summit_id == summit.id)
    if active_only:
        query = query.where(Track.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Track.position, Track.id)))


def get_track(summit: Summit, code: str) -> Track | None:
    return db.session.scalar(select(Track).where(Track.summit_id == summit.id, Track.code == code))


def regions_by_county(summit: Summit) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(CountyRegion.county, CountyRegion.region).where(
                CountyRegion.summit_id == summit.id
            )
        ).all()
    )


def counties_in_region(summit: Summit, region: str) -> list[str]:
    return list(
        db.session.scalars(
            select(CountyRegion.county).where(
                CountyRegion.summit_id == summit.id, CountyRegion.region == region
            )
        )
    )


def list_regions(summit: Summit) -> list[str]:
    """The summit's regions (R-TACs) that have at least one county, sorted."""
    return list(
        db.session.scalars(
            select(CountyRegion.region)
            .where(CountyRegion.summit_id == summit.id)
            .distinct()
            .order_by(CountyRegion.region)
        )
    )
