"""Guidance Markdown from standards files: formatted, but no HTML from the file reaches the page."""

from csptoolkit.web.markdown import render_markdown


def test_markdown_becomes_govuk_markup() -> None:
    html = render_markdown("Good looks like:\n\n- a *signed* agreement\n- [minutes](https://example.org/m)")
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<em>signed</em>" in html
    assert '<a class="govuk-link" href="https://example.org/m" rel="noopener noreferrer">minutes</a>' in html


def test_html_in_the_file_is_shown_as_text_never_run() -> None:
    html = render_markdown('<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))')
    assert "<script" not in html and "<img" not in html and "href=\"javascript" not in html
    assert "&lt;script&gt;" in html


def test_a_paragraph_has_the_body_class() -> None:
    assert render_markdown("Plain text.") == '<p class="govuk-body">Plain text.</p>\n'
