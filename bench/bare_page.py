"""The baseline for bench/benchmark_page.py: a bare Flask app whose one page renders a 5 KB Jinja template."""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

# Static text padded to 5 KB, with a few substitutions and a loop, so Jinja does a little real work; it is a
# named template (compiled once and cached), as the toolkit's own templates are.
_ROW = "<tr><td>{{ loop.index }}</td><td>{{ row.name }}</td><td>{{ '%.1f' | format(row.score) }}</td></tr>\n"
_PARAGRAPH = ("<p>The commissioning self-assessment compares an authority with its statistical neighbours, its "
              "region and the nation, on every standard and domain of the framework.</p>\n")
TEMPLATE = ("<!doctype html><html lang=\"en\"><head><title>{{ title }}</title></head><body>\n<h1>{{ title }}</h1>\n"
            + _PARAGRAPH * 29
            + "<table>{% for row in rows %}" + _ROW + "{% endfor %}</table>\n</body></html>\n")
ROWS = [{"name": f"Authority {number}", "score": number / 7} for number in range(12)]


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": TEMPLATE})

    @app.route("/")
    def page() -> str:
        return render_template("page.html", title="Bare page", rows=ROWS)

    return app


app = create_app()
