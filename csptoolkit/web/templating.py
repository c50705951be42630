"""The Jinja environment of the pages, made cheaper where Jinja's and the GOV.UK macros' generality costs every page.

Two things, both measured with bench/ (see the README's speed table):

- Template globals are one plain dict instead of Jinja's ChainMap (see PageEnvironment).
- The GOV.UK Frontend macros are pure: their HTML depends on their parameters and nothing else (no request, no
  locale: every text in them is passed in, already translated). A page calls them dozens of times with the same
  parameters as the last time it was shown (the header, the task list, the radios of a question, a table of
  scores), and each call runs a large template. `MacroCache` keeps the HTML of each distinct call, keyed by the
  parameters themselves (with their types, so that markup and plain text, 1 and 1.0 and True never share an
  entry), and bounded by size. Nothing can be stale: a different input is a different key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from typing import Any

from flask import Flask, render_template
from flask.templating import Environment
from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup

# The GOV.UK components the pages use, by macro name: templates call them as globals, through the cache.
COMPONENTS = {
    "govukBackLink": "back-link", "govukButton": "button", "govukDetails": "details",
    "govukErrorSummary": "error-summary", "govukInsetText": "inset-text",
    "govukNotificationBanner": "notification-banner", "govukPagination": "pagination", "govukPanel": "panel",
    "govukPhaseBanner": "phase-banner",
    "govukServiceNavigation": "service-navigation", "govukSummaryList": "summary-list", "govukTable": "table",
    "govukTag": "tag", "govukTaskList": "task-list", "govukWarningText": "warning-text",
}


class PageEnvironment(Environment):
    """Template globals as one plain dict instead of Jinja's ChainMap over the environment's globals.

    Every `{% from "...macro.html" import ... %}` (the GOV.UK components import each other) compares the page's
    global names with the imported template's; over a ChainMap that is a Python loop per name, and it took half
    the time of the sign-in page. Jinja already asks that globals not change once a template is loaded, and ours
    are all set while the app is built, so a snapshot is the same thing, faster.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class Toolkit(Flask):
    jinja_environment = PageEnvironment


class Uncacheable(TypeError):
    """A parameter that is not plain data (an object, a callable): that call is made without the cache."""


def _key(value: Any) -> Any:
    """A hashable image of macro parameters that keeps every distinction the HTML depends on."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return (kind, value)
    if kind is dict:
        return (dict, tuple((k, _key(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (list, tuple(_key(v) for v in value))
    if isinstance(value, Markup):
        return (Markup, str(value))
    if isinstance(value, str):  # a lazy or other str subclass is escaped like plain text
        return (str, str(value))
    if hasattr(value, "__html__"):
        return (Markup, str(value.__html__()))
    if type(value).__name__ == "LazyString":  # flask_babel's lazy_gettext: text in the current language
        return (str, str(value))
    raise Uncacheable(kind.__name__)


_BLANK_LINES = re.compile(r"\s*\n\s*")


def squeezed(html: Markup) -> Markup:
    """The macro's HTML without its blank lines and indentation (a third of a big table's bytes).

    A run of white space that holds a line break becomes one line break: the same to every browser, since HTML
    reads any such run as one space, except inside <pre> and <textarea>, which are left as they are.
    """
    if "<textarea" in html or "<pre" in html:
        return html
    return Markup(_BLANK_LINES.sub("\n", str(html)))


class MacroCache:
    """The HTML of pure macro calls, by their parameters, up to `limit` characters in all (then it starts again)."""

    def __init__(self, limit: int = 16_000_000) -> None:
        self.limit = limit
        self.entries: dict[Any, Markup] = {}
        self.size = 0

    def call(self, name: str, render: Callable[[], Markup], params: Any) -> Markup:
        try:
            key = (name, _key(params))
        except Uncacheable:
            return render()
        html = self.entries.get(key)
        if html is None:
            html = squeezed(render())
            if self.size + len(html) > self.limit:
                self.entries.clear()
                self.size = 0
            self.entries[key] = html
            self.size += len(html)
        return html

    def keyed(self, key: Any, render: Callable[[], Markup]) -> Markup:
        """The HTML of a fragment whose inputs the caller names in `key` (hashable, and naming everything the
        HTML depends on): for a big table, naming its inputs costs far less than reading its parameters."""
        html = self.entries.get(("fragment", key))
        if html is None:
            html = squeezed(render())
            if self.size + len(html) > self.limit:
                self.entries.clear()
                self.size = 0
            self.entries[("fragment", key)] = html
            self.size += len(html)
        return html

    def macro(self, name: str, macro: Callable[..., Markup]) -> Callable[..., Markup]:
        def call(params: Any = None, *args: Any, **kwargs: Any) -> Markup:
            if args or kwargs:  # a call block or extra arguments: not the pure one-dict form
                return macro(params, *args, **kwargs)
            return self.call(name, lambda: macro(params), params)

        call.__name__ = name
        return call


def install_macro_cache(app: Flask) -> MacroCache:
    """The GOV.UK components as cached template globals, and the GOV.UK WTForms widgets through the same cache."""
    cache = MacroCache()
    env = app.jinja_env
    for name, component in COMPONENTS.items():
        template = env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html")
        app.extensions.setdefault("govuk_macros", {})[name] = getattr(template.module, name)
        env.globals[name] = cache.macro(name, getattr(template.module, name))
    app.extensions["macro_cache"] = cache
    return cache


class CachedWidget:
    """Mixed into the GOV.UK WTForms widgets: a widget's HTML depends only on the params it maps the field to."""

    def render(self, params):  # noqa: D102 (GovFormBase.render, cached)
        from flask import current_app

        cache: MacroCache = current_app.extensions["macro_cache"]
        return cache.call(self.template, lambda: Markup(render_template(self.template, params=params)), params)


def cached_widget(widget_class: type[GovFormBase]) -> type[GovFormBase]:
    """A GOV.UK widget class whose rendering goes through the macro cache."""
    return type(widget_class.__name__, (CachedWidget, widget_class), {})


_SENTINEL = 987_654_321_987_654  # an id no route would otherwise show, replaced by each row's own


def id_url(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """The address of `endpoint` for any row id, built once: a list of 178 assessments asks for 178 addresses,
    and building each through url_for costs more than the rest of its row."""
    from flask import url_for

    pattern = url_for(endpoint, **{name: _SENTINEL}, **values)
    marker = str(_SENTINEL)
    return lambda row_id: pattern.replace(marker, str(int(row_id)))


def macro(name: str) -> Callable[..., Markup]:
    """A GOV.UK component as Python calls it (through the same cache as the templates)."""
    from flask import current_app

    return current_app.jinja_env.globals[name]


def fragment(key: Any, component: str, params: Callable[[], Any]) -> Markup:
    """A GOV.UK component's HTML kept under `key`, which must name everything `params()` is built from."""
    from flask import current_app

    cache: MacroCache = current_app.extensions["macro_cache"]
    raw = current_app.extensions["govuk_macros"][component]
    return cache.keyed((component, key), lambda: raw(params()))


def kept(key: Any, render: Callable[[], Markup]) -> Markup:
    """HTML kept under `key`, which must name everything `render()` makes it from (a chart of the whole register)."""
    from flask import current_app

    return current_app.extensions["macro_cache"].keyed(("kept", key), render)


def pagination(page: int, pages: int, endpoint: str, label: str, anchor: str | None = None,
               **values: Any) -> dict | None:
    """govukPagination parameters for page `page` of `pages` of a list at `endpoint`, keeping the request's other
    query parameters (its filters); None when the list fits on one page."""
    from flask import request, url_for
    from flask_babel import gettext as _

    if pages <= 1:
        return None
    args = {k: v for k, v in request.args.items() if k != "page"} | values

    def href(number: int) -> str:
        return url_for(endpoint, **args, page=number, _anchor=anchor)

    result: dict = {"items": [{"number": n, "href": href(n), "current": n == page,
                               "visuallyHiddenText": _("Page %(number)d", number=n)} for n in range(1, pages + 1)],
                    "landmarkLabel": label}
    if page > 1:
        result["previous"] = {"href": href(page - 1), "labelText": _("Previous")}
    if page < pages:
        result["next"] = {"href": href(page + 1), "labelText": _("Next")}
    return result
