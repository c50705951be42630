"""Signing in and out (sessions kept on the server, attempts throttled), the language switcher, and keeping a save
whose sign-in or form had expired."""

from __future__ import annotations

import hmac
import ipaddress
import math
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import services
from ..services import accounts, throttling
from . import safe_next
from .forms import ConfirmForm, SignInForm

bp = Blueprint("auth", __name__)

PENDING_SAVE_KEY = "pending_save"
SESSION_ID_KEY = "sign_in"  # the id of this browser's row in user_sessions
BROWSER_KEY = "browser"  # random per sign-in: what a standard's form-owner token is bound to
DEVICE_COOKIE = "csptoolkit_device"
DEVICE_COOKIE_DAYS = 180


# ----------------------------------------------------------------------------------------------------------
# Throttling


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXIES proxies); an IPv6 client is its /64, which one site holds."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def _known_device(account: str) -> str | None:
    """The id of this browser when it has signed in to this account before (a signed cookie it was given then)."""
    try:
        value = _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""),
                                           max_age=DEVICE_COOKIE_DAYS * 24 * 3600)
    except BadSignature:
        return None
    if isinstance(value, list) and len(value) == 2 and value[0] == account:
        return str(value[1])
    return None


def _count_sign_in_attempt(email: str) -> int | None:
    """Throttle this attempt (services/throttling.sign_in_wait decides); the seconds to wait, or None."""
    account = throttling.account_key(email)
    return throttling.sign_in_wait(account, client_address(), _known_device(account))


def _too_many_attempts(seconds: int):
    minutes = math.ceil(seconds / 60)
    response = make_response(render_template(
        "error.html", code=429, title=_("You have tried to sign in too many times"),
        message=_("Wait %(time)s, then try again.",
                  time=format_timedelta(timedelta(minutes=minutes), add_direction=False))), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


# ----------------------------------------------------------------------------------------------------------
# Signing in and out


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("assess.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form)
    wait = _count_sign_in_attempt(form.email.data)
    if wait is not None:
        return _too_many_attempts(wait)
    signed_in = accounts.sign_in(  # ends whatever sign-in this browser had before
        services.session(), form.email.data, form.password.data,
        timedelta(seconds=current_app.config["SIGN_IN_MAX_AGE"]), replaces=session.get(SESSION_ID_KEY),
        locale=session.get("locale"))
    if signed_in is None:  # one message for every failure
        form.email.errors.append(_("Enter a correct email address and password"))
        return render_template("auth/sign_in.html", form=form)
    return _signed_in(signed_in)


def _signed_in(signed_in: accounts.SignedIn):
    config = current_app.config
    user = signed_in.user
    pending = session.get(PENDING_SAVE_KEY)
    session.clear()  # a new session on sign-in: nothing from before it can be fixed on the user
    if pending:
        session[PENDING_SAVE_KEY] = pending
    session[SESSION_ID_KEY] = signed_in.session_id
    session[BROWSER_KEY] = secrets.token_urlsafe(16)
    session.permanent = True
    login_user(user)
    account = throttling.account_key(user.email)
    throttling.signed_in(account, client_address(), _known_device(account))
    response = redirect(safe_next(request.args.get("next"), url_for("assess.home")))
    device = _known_device(account) or secrets.token_urlsafe(16)
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps([account, device]),
                        max_age=DEVICE_COOKIE_DAYS * 24 * 3600, path=url_for("auth.sign_in"),
                        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Strict")
    return response


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    locale = current_user.locale
    accounts.sign_out(services.session(), session.get(SESSION_ID_KEY))  # a copy of the cookie is worth nothing now
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
        accounts.set_language(services.session(), current_user, code)
    return redirect(safe_next(request.args.get("next"), url_for("assess.home")))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a POST which arrived without the session cookie never sets one.

    Browsers send the (SameSite=Lax) cookie with same-site posts, so a post without it is cross-site or from a
    browser that has no session; either way its answer must not replace a session the browser may hold, which
    would sign the person out or plant something in it.
    """

    def save_session(self, app: Flask, session, response) -> None:
        if request.method == "POST" and self.get_cookie_name(app) not in request.cookies:
            return
        super().save_session(app, session, response)


# ----------------------------------------------------------------------------------------------------------
# A standard's form, kept through an expired sign-in


def _owner_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="standard-form-owner")


def owner_token(assessment_id: int) -> str:
    """The hidden `owner` field of a standard's form: this person, this assessment and this browser's sign-in,
    signed and timed, so that a save arriving after the sign-in ended can be kept for this person only."""
    browser = session.get(BROWSER_KEY)
    if browser is None:
        browser = session[BROWSER_KEY] = secrets.token_urlsafe(16)
    return _owner_serializer().dumps([current_user.id, assessment_id, browser])


def _owner(token: str) -> list | None:
    try:
        value = _owner_serializer().loads(token or "", max_age=current_app.config["SIGN_IN_MAX_AGE"])
    except BadSignature:  # forged, altered or expired (SignatureExpired is a BadSignature)
        return None
    return value if isinstance(value, list) and len(value) == 3 else None


def _same(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and hmac.compare_digest(a, b)


def owns_pending_save(pending: dict, user_id: int, assessment_id: int) -> bool:
    """A kept save may be saved for this person on this assessment: its owner token is still valid and names them,
    the assessment and the browser session the save was kept in."""
    owner = _owner((pending.get("form") or {}).get("owner", ""))
    return owner is not None and owner[:2] == [user_id, assessment_id] and _same(owner[2], pending.get("browser"))


def keep_for_after_sign_in():
    """Keep a save that arrived without a live sign-in (or with an expired form); the standard's page saves it once
    the person is back.

    Kept only when the post carries a valid owner token issued to this same browser's session. Anything else (a
    forged or cross-site post, which arrives without this browser's cookie or token) is dropped and the session left
    as it was, so it can neither replace the person's session nor put answers in front of them. The signed session
    cookie holds a standard's answers and notes (a few KB); files cannot be kept, and the page says so.
    """
    owner = _owner(request.form.get("owner", ""))
    browser = session.get(BROWSER_KEY)
    if owner is None or not _same(owner[2], browser):
        if current_user.is_authenticated:
            return render_template("error.html", code=400, title=_("Your page had expired"),
                                   message=_("Go back, reload the page and try again.")), 400
        return redirect(url_for("auth.sign_in", next=request.path))
    session[PENDING_SAVE_KEY] = {
        "path": request.path,
        "form": {k: v for k, v in request.form.items(multi=False) if k != "csrf_token"},
        "had_files": any(f.filename for f in request.files.values()),
        "browser": browser,
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
