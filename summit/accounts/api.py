from flask_smorest import Blueprint

from summit.accounts import services
from summit.accounts.schemas import ProfileUpdateSchema, UserSchema
from summit.core.api import API_SECURITY, WRITE_ERRORS, documents_errors, require_login
from summit.extensions import db

blp = Blueprint("accounts_api", __name__, url_prefix="/me", description="Your own account")


@blp.route("", methods=["GET"])
@blp.response(200, UserSchema)
@documents_errors(blp, 401)
@blp.doc(security=API_SECURITY)
def get_me():
    """The account making the request."""
    return require_login()


@blp.route("", methods=["PATCH"])
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, UserSchema)
@documents_errors(blp, 401, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def update_me(changes: dict):
    """Update your profile."""
    user = require_login()
    services.update_profile(user, **changes)
    db.session.commit()
    return user
