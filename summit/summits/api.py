from flask_smorest import Blueprint

from summit.core.api import documents_errors, paginate
from summit.core.api_schema import PageQuerySchema
from summit.summits.queries import list_summits, list_tracks
from summit.summits.schemas import SummitDetailSchema, SummitListSchema, TrackListSchema
from summit.summits.services import find_summit

blp = Blueprint("summits_api", __name__, url_prefix="/summits", description="Summits and tracks")


@blp.route("", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, SummitListSchema)
@documents_errors(blp)
def get_summits(page: dict):
    """Every summit, newest first."""
    return paginate(list_summits(), page)


@blp.route("/<slug>", methods=["GET"])
@blp.response(200, SummitDetailSchema)
@documents_errors(blp, 404)
def get_summit(slug: str):
    """One summit with its tracks."""
    return find_summit(slug)


@blp.route("/<slug>/tracks", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, TrackListSchema)
@documents_errors(blp, 404)
def get_tracks(page: dict, slug: str):
    """The summit's tracks (framework topics) in programme order."""
    return paginate(list_tracks(find_summit(slug)), page)
