"""The web interface: one blueprint per user journey, GOV.UK Frontend pages, English and Welsh."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, g, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from .. import services
from ..domain.identifiers import MAX_ID
from ..domain.text import localise
from ..extensions import csrf, login_manager
from .markdown import render_markdown
from .templating import install_macro_cache

SERVICE_NAME = _l("Commissioning self-assessment toolkit")


def select_locale() -> str:
    """The signed-in user's choice, else the session's, else the browser's preference (decided once a request)."""
    if "locale" in g:
        return g.locale
    languages = ("en", "cy")
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


def csp_nonce() -> str:
    """A fresh nonce per request: the only inline scripts that run are the two the base template writes."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: a `next` parameter never sends people elsewhere."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: only a number that can name a row matches, so a huge one is a 404, not a 500."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_filters(app: Flask) -> None:
    """Template filters: standards text in the page's language, safe Markdown, scores and percentages."""

    from . import text as wording

    @app.template_filter("t")
    def translate_text(text: dict | None) -> Markup:
        """Standards text in the page's language; English marked lang="en" when there is no translation."""
        return wording.localised(text)

    # Dates and cycle names read the same on every page (en-GB order; Welsh in Welsh).
    app.add_template_filter(wording.long_date, "date")
    app.add_template_filter(wording.long_datetime, "datetime")
    app.add_template_filter(wording.cycle_name, "cycle_name")
    app.add_template_global(wording.level_name, "level_name")
    app.jinja_env.globals.update(wording.TEMPLATE_GLOBALS)

    @app.template_filter("t_plain")
    def translate_plain(text: dict | None) -> str:
        return localise(text or {}, str(get_locale()))[0]

    @app.template_filter("markdown")
    def markdown_filter(text: dict | None) -> Markup:
        value, language = localise(text or {}, str(get_locale()))
        html = render_markdown(value)
        if language != str(get_locale()):
            return Markup('<div lang="{}">{}</div>').format(language, html)
        return html

    # Rounded half-up first (Babel alone would round half to even): pages, exports and the API agree.
    app.add_template_filter(wording.score, "score")
    app.add_template_filter(wording.percent, "percent")


def init_web(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        PackageLoader("csptoolkit"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
            "reports": PackageLoader("csptoolkit.reports"),  # the PDFs' print templates: reports/print/...
        }),
    ])
    app.jinja_env.add_extension("jinja2.ext.i18n")
    WTFormsHelpers(app)
    install_macro_cache(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The user of this browser's sign-in: its row in user_sessions (one primary-key read) must be live."""
        from datetime import timedelta

        from flask import current_app  # not `app`: the login manager is shared by every app made in the process

        from ..services.accounts import session_user
        from .auth import SESSION_ID_KEY

        return session_user(services.session(), session.get(SESSION_ID_KEY), user_id,
                            timedelta(seconds=current_app.config["SIGN_IN_IDLE_TIMEOUT"]))

    register_filters(app)

    @app.context_processor
    def globals_for_templates() -> dict:
        # Dates go through the `date` and `datetime` filters (one format, en-GB order, Welsh in Welsh).
        return {"service_name": SERVICE_NAME, "current_locale": str(get_locale()), "cspNonce": csp_nonce()}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
        if app.config["ENV"] == "production":  # production is served over HTTPS only: browsers must never use HTTP
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    app.url_map.converters["int"] = RowIdConverter
    from . import admin, api, assess, auth, benchmark, calibration, champion, report_downloads, responses, review

    app.register_blueprint(auth.bp)
    app.register_blueprint(assess.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(benchmark.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(champion.bp)
    app.register_blueprint(responses.bp)
    app.register_blueprint(calibration.bp)
    app.register_blueprint(report_downloads.bp)
    from . import downloads, learning  # learning matches and sharing opt-ins; an assessment's spreadsheets

    app.register_blueprint(learning.bp)
    app.register_blueprint(downloads.bp)
    from . import whatif  # what-if targets on the plan

    app.register_blueprint(whatif.bp)
    from . import exports  # batch exports of every authority's reports (programme admins)

    app.register_blueprint(exports.bp)
    from . import plan  # improvement plans: the plan, targets, actions, spreadsheets

    app.register_blueprint(plan.bp)
    csrf.exempt(api.bp)  # bearer tokens only: no cookie, so no cross-site request to forge

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return auth.handle_expired_form(error)

    titles = {403: _l("You cannot see this page"), 404: _l("Page not found"), 405: _l("Page not found"),
              413: _l("The files are too large"), 400: _l("Something was wrong with that request")}
    for code, title in titles.items():
        app.register_error_handler(code, lambda error, title=title: (render_template(
            "error.html", code=error.code, title=title), error.code))

    @app.before_request
    def remember_request_start() -> None:
        g.locale = select_locale()
