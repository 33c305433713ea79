"""Site-wide pages: the front door, language switch, health, API docs, mail outbox."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, text

from summit.core.auth import admin_required, is_safe_next
from summit.core.i18n import LANG_COOKIE, normalise_language
from summit.core.outbox import OutboxMessage
from summit.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    from summit.summits.queries import get_current_summit

    summit = get_current_summit()
    if summit is None:
        return render_template("core/welcome.html")
    return redirect(url_for("summits.home", slug=summit.slug))


@bp.post("/lang")
def set_language():
    language = normalise_language(request.form.get("lang"))
    if language is None:
        abort(400, description=_("Choose English or Español."))
    target = request.form.get("next")
    response = make_response(redirect(target if is_safe_next(target) else url_for("core.index")))
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=60 * 60 * 24 * 365,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    if current_user.is_authenticated and current_user.preferred_language != language:
        from summit.accounts.services import set_language as save_language

        save_language(current_user, language)
        db.session.commit()
    return response


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means "not healthy"
        db.session.rollback()
        reason = type(error).__name__
        return jsonify({"status": "error", "database": "unavailable", "reason": reason}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/api/v1/docs")
def api_docs():
    return render_template("core/api_docs.html")


@bp.get("/admin/outbox")
@admin_required
def outbox():
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    return render_template("core/outbox.html", messages=messages, summit=None)
