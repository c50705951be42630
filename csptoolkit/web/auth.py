"""Signing in and out, the language switcher, and keeping a save whose session or form had expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from ..extensions import db
from ..services import accounts
from . import safe_next
from .forms import ConfirmForm, SignInForm

bp = Blueprint("auth", __name__)

MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
PENDING_SAVE_KEY = "pending_save"


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("assess.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.find_user(db.session, form.email.data)
        now = datetime.now(UTC)
        if user is not None and user.locked_until and _aware(user.locked_until) > now:
            form.email.errors.append(_("You have entered the wrong password too many times. Wait %(m)d minutes "
                                       "and try again.", m=LOCK_MINUTES))
        elif user is not None and user.active and accounts.password_matches(user, form.password.data):
            user.failed_logins = 0
            user.locked_until = None
            db.session.commit()
            pending = session.get(PENDING_SAVE_KEY)
            locale = session.get("locale")
            session.clear()  # a new session on sign-in: nothing from before it can be fixed on the user
            if pending:
                session[PENDING_SAVE_KEY] = pending
            if locale and not user.locale:
                user.locale = locale
                db.session.commit()
            session.permanent = True
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("assess.home")))
        else:
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILED_SIGN_INS:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                db.session.commit()
            form.email.errors.append(_("Enter a correct email address and password"))
    return render_template("auth/sign_in.html", form=form)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    locale = current_user.locale
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/language/<code>")
def language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("assess.home")))


def keep_for_after_sign_in():
    """Keep a save that arrived without a session; the standard's page saves it once the person is back.

    The signed session cookie holds a standard's answers and notes (a few KB); files cannot be kept, and the page
    says so.
    """
    session[PENDING_SAVE_KEY] = {
        "path": request.path,
        "form": {k: v for k, v in request.form.items(multi=False) if k != "csrf_token"},
        "had_files": any(f.filename for f in request.files.values()),
    }
    if not current_user.is_authenticated:
        flash(_("Your session had expired. Sign in again and we will save your answers."), "info")
        return redirect(url_for("auth.sign_in", next=request.path))
    return redirect(request.path)


def handle_expired_form(error: CSRFError):
    """A save whose form or session expired: keep what was posted, ask to sign in (or save) again."""
    if request.method == "POST" and request.endpoint == "assess.standard":
        return keep_for_after_sign_in()
    return render_template("error.html", code=400, title=_("Your page had expired"),
                           message=_("Go back, reload the page and try again.")), 400
