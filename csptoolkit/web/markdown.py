"""Markdown from standards files rendered safely: no HTML from the file reaches the page unescaped."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False: raw HTML in the source is shown as text; nh3 then allows only the tags Markdown itself makes.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "code", "pre", "blockquote", "h3", "h4", "br", "table",
         "thead", "tbody", "tr", "th", "td"}
# After sanitising, "<ul>" and the like can only be tags (text "<" is escaped), so a plain replace is safe.
_GOVUK_CLASSES = (
    ("<ul>", '<ul class="govuk-list govuk-list--bullet">'),
    ("<ol>", '<ol class="govuk-list govuk-list--number">'),
    ("<p>", '<p class="govuk-body">'),
    ("<a href=", '<a class="govuk-link" href='),
)


@lru_cache(maxsize=2048)  # guidance comes from the standards files: the same few hundred texts on every page
def render_markdown(text: str) -> Markup:
    html = nh3.clean(_parser.render(text or ""), tags=_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    for plain, styled in _GOVUK_CLASSES:
        html = html.replace(plain, styled)
    return Markup(html)
