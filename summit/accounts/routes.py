from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from summit.accounts import notifications, services
from summit.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    ForgotForm,
    LoginForm,
    ProfileForm,
    ResetForm,
    SignupForm,
    TokenForm,
)
from summit.accounts.queries import list_api_tokens
from summit.core.auth import is_safe_next
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")
AFTER_VERIFY = "after_verify"

PROFILE_FORM_FIELDS = services.PROFILE_FIELDS


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignupForm()
    if request.method == "GET":
        form.preferred_language.data = select_locale()
        target = request.args.get("next")
        if is_safe_next(target):  # e.g. an invitation: come back to it after confirming
            session[AFTER_VERIFY] = target
    if form.validate_on_submit():
        try:
            user, token = services.sign_up(
                email=form.email.data,
                password=form.password.data,
                **{name: getattr(form, name).data for name in PROFILE_FORM_FIELDS},
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            notifications.send_verification(user, token.secret)
            db.session.commit()
            return render_template("accounts/check_email.html", email=user.email)
    return render_template("accounts/signup.html", form=form), status_for(form)


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        user = services.verify_email(token)
    except DomainError as error:
        db.session.rollback()
        return render_template("accounts/link_problem.html", message=error.message), 400
    db.session.commit()
    login_user(user)
    flash(_("Thank you, your email is confirmed. Welcome!"), "success")
    target = session.pop(AFTER_VERIFY, None)
    return redirect(target if is_safe_next(target) else url_for("accounts.profile"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            if error.code == "email_unverified":
                user, issued = services.renew_verification(form.email.data)
                notifications.send_verification(user, issued.secret)
                db.session.commit()
            flash(error.message, "danger")
            return render_template("accounts/login.html", form=form), 401
        db.session.commit()
        login_user(user, remember=form.remember.data)
        target = form.next.data
        return redirect(target if is_safe_next(target) else url_for("core.index"))
    return render_template("accounts/login.html", form=form), status_for(form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.pop("agendas", None)  # an agenda opened from an emailed link, too
        flash(_("You are logged out on every device."), "info")
    return redirect(url_for("core.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        issued = services.request_password_reset(form.email.data)
        if issued is not None:
            user, token = issued
            notifications.send_password_reset(user, token.secret)
            db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/forgot.html", form=form), status_for(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    if request.method == "GET":
        try:
            services.check_reset_link(token)
        except DomainError as error:
            return render_template("accounts/link_problem.html", message=error.message), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            if error.code == "weak_password":
                apply_errors(form, error)
                return render_template("accounts/reset.html", form=form), 422
            return render_template("accounts/link_problem.html", message=error.message), 400
        notifications.send_password_changed(user)
        db.session.commit()
        logout_user()
        flash(_("Your password is changed. Please log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), status_for(form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        for name in PROFILE_FORM_FIELDS:
            getattr(form, name).data = getattr(current_user, name) or ""
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, **{name: getattr(form, name).data for name in PROFILE_FORM_FIELDS}
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        password_form=ChangePasswordForm(),
        logout_form=EmptyForm(),
    ), status_for(form)


@bp.post("/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            notifications.send_password_changed(current_user)
            db.session.commit()
            # The session key rotated, so log back in on this device only.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=current_user)
    return render_template(
        "accounts/profile.html",
        form=profile_form,
        password_form=form,
        logout_form=EmptyForm(),
    ), 422


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            issued = services.create_api_token(current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            new_secret = issued.secret
            form = TokenForm(formdata=None)
    return render_template(
        "accounts/tokens.html",
        form=form,
        tokens=list_api_tokens(current_user),
        new_secret=new_secret,
        revoke_form=EmptyForm(),
    ), status_for(form)


@bp.post("/tokens/<public_id>/revoke")
@login_required
def revoke_token(public_id: str):
    form = EmptyForm()
    if form.validate_on_submit():
        token = services.revoke_api_token(current_user, public_id)
        db.session.commit()
        flash(_("Token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("accounts.tokens"))
