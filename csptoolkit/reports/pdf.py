"""The one WeasyPrint call: print HTML (built by reports/) to a tagged A4 PDF, fetching nothing but static files.

- A restrictive URL fetcher: `data:` URIs, and `file:` URLs of files inside the application's static folder;
  anything else (another file, http, https, ftp) is refused and stops the render, so a print template can never
  read /etc/passwd or call out to the network, whatever text ends up in it.
- PDF/UA-1: tagged (a structure tree from the HTML), the language from `<html lang>`, the title from `<title>`
  shown as the window title (DisplayDocTitle), and every font embedded as a subset of the glyphs used (WeasyPrint
  subsets with HarfBuzz: Debian's libharfbuzz-subset0).
- The print stylesheet and the font configuration are parsed once per process and kept: parsing them is a fixed
  cost of every PDF (a batch makes hundreds). Nothing else is kept between renders, so a worker's memory stays
  flat across a batch. The "Page X of Y" wording is one small stylesheet per language, kept the same way.
- Python's cyclic garbage collector is paused while WeasyPrint lays a document out (as Mercurial's `nogc` does
  while it builds large structures). Layout makes hundreds of thousands of objects that live until the end of the
  render, and each collection the collector starts meanwhile walks them and the whole application heap besides
  (the standards, the cycle's kept scores): up to a sixth of a render's time in a process holding the demo data. What
  a render drops is nearly all freed at once by reference counting, so the pause does not raise its peak memory
  (the nation report: 300 MB paused, 299 MB not); the rest is collected as usual once the render ends. Threads
  rendering at once share one pause, and a collector the caller had turned off stays off.

Needs no application or request context: it takes HTML and returns bytes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_FOLDER = (Path(__file__).resolve().parent.parent / "static").resolve()
PRINT_CSS = Path(__file__).resolve().parent / "print.css"
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    """A print document asked for something other than a static file or a data: URI."""


class StaticOnlyFetcher(URLFetcher):
    """Fetches `data:` URIs and files under one folder; refuses everything else (and so stops the render)."""

    def __init__(self, root: Path = STATIC_FOLDER) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURL(f"refused {url!r}: print documents fetch only static files")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused {url!r}: not a local file")
        path = Path(url2pathname(unquote(parts.path))).resolve()  # resolved: no way out through .. or a link
        if not path.is_file() or not path.is_relative_to(self.root):
            raise RefusedURL(f"refused {url!r}: only files in the static folder may be fetched")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


class _Kept:
    """The font configuration and the parsed print stylesheet, made once per process (on first use)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fonts: FontConfiguration | None = None
        self.stylesheet: CSS | None = None

    def get(self) -> tuple[FontConfiguration, CSS]:
        with self.lock:
            if self.fonts is None or self.stylesheet is None:
                self.fonts = FontConfiguration()
                self.stylesheet = CSS(filename=str(PRINT_CSS), base_url=STATIC_FOLDER.as_uri() + "/",
                                      url_fetcher=StaticOnlyFetcher(), font_config=self.fonts)
            return self.fonts, self.stylesheet


_KEPT = _Kept()


class _Pause:
    """The collector paused while any thread renders, and given back as it was when the last render ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rendering = 0
        self.was_enabled = False

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            if self.rendering == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.rendering += 1
        try:
            yield
        finally:
            with self.lock:
                self.rendering -= 1
                if self.rendering == 0 and self.was_enabled:
                    gc.enable()


_PAUSE = _Pause()


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_numbers_rule(before: str, between: str, after: str) -> str:
    """"Page X of Y" in the document's language, at the foot of every page: the words around the two numbers."""
    content = f"{_css_string(before)} counter(page) {_css_string(between)} counter(pages) {_css_string(after)}"
    return f"@page {{ @bottom-right {{ content: {content}; }} }}"


@lru_cache(maxsize=8)  # one per language (and wording): a few entries at most
def page_numbers_css(before: str, between: str, after: str) -> CSS:
    fonts, _ = _KEPT.get()
    return CSS(string=page_numbers_rule(before, between, after), font_config=fonts, url_fetcher=StaticOnlyFetcher())


def render(html: str, page_numbers: tuple[str, str, str] = ("Page ", " of ", "")) -> bytes:
    """A PDF/UA-1 document from print HTML (which names its language and title); `page_numbers` is the wording
    around the page number and the page count, in the document's language."""
    fonts, stylesheet = _KEPT.get()
    numbers = page_numbers_css(*page_numbers)
    with _PAUSE.held():
        document = HTML(string=html, base_url=STATIC_FOLDER.as_uri() + "/", url_fetcher=StaticOnlyFetcher())
        return document.write_pdf(stylesheets=[stylesheet, numbers], font_config=fonts, pdf_variant=PDF_VARIANT)
