from flask_smorest import Blueprint

from summit.summits.queries import list_summits, list_tracks
from summit.summits.schemas import SummitDetailSchema, SummitListSchema, TrackListSchema
from summit.summits.services import find_summit

blp = Blueprint("summits_api", __name__, url_prefix="/summits", description="Summits and tracks")


@blp.route("", methods=["GET"])
@blp.response(200, SummitListSchema)
def get_summits():
    """Every summit, newest first."""
    return {"items": list_summits(), "next": None}


@blp.route("/<slug>", methods=["GET"])
@blp.response(200, SummitDetailSchema)
def get_summit(slug: str):
    """One summit with its tracks."""
    return find_summit(slug)


@blp.route("/<slug>/tracks", methods=["GET"])
@blp.response(200, TrackListSchema)
def get_tracks(slug: str):
    """The summit's tracks (framework topics) in programme order."""
    return {"items": list_tracks(find_summit(slug)), "next": None}
