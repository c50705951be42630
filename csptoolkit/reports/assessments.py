"""Lists of assessments as GOV.UK tables: plain rows built once, for the pages (and any export) to render."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def linked(href: str, text: str, below: str | None = None) -> Markup:
    """A link, with a smaller line under it (the second column of a table that must fit a 375 px screen)."""
    html = f'<a class="govuk-link" href="{escape(href)}">{escape(text)}</a>'
    if below:
        html += f'<br><span class="govuk-body-s">{escape(below)}</span>'
    return Markup(html)


def assessments_table(assessments: Iterable[Any], caption: str, headings: tuple[str, str],
                      link: Callable[[int], str], state_html: Callable[[str], Markup],
                      below_name: Callable[[Any], str | None] = lambda a: None,
                      below_state: Callable[[Any], str | None] = lambda a: None) -> dict:
    """The parameters of govukTable for a list of assessments: the authority (linked) and the state's tag.

    `link` gives an assessment's address from its id, `state_html` the tag of a state, and `below_*` what a cell
    shows under its main text (the cycle, the date it was submitted), if anything.
    """
    rows = []
    tags: dict[str, Markup] = {}  # a list has a few states: each tag is made once
    for assessment in assessments:
        state = tags.get(assessment.state) or tags.setdefault(assessment.state, state_html(assessment.state))
        if (note := below_state(assessment)) is not None:
            state += Markup(f'<br><span class="govuk-body-s">{escape(note)}</span>')
        rows.append([{"html": linked(link(assessment.id), assessment.organisation.name, below_name(assessment))},
                     {"html": state}])
    return {"caption": caption, "captionClasses": "govuk-visually-hidden",
            "head": [{"text": headings[0]}, {"text": headings[1]}], "rows": rows}


def task_lists(tasks: list[dict], standard_url: Callable[[str], str] | None, text: Callable[[Any], Markup],
               words: Mapping[str, str]) -> list[tuple[Any, dict]]:
    """Each domain with the parameters of its govukTaskList: a standard's title (linked where `standard_url`
    gives its address), how many of its questions are answered, and its status.

    `words` names the statuses ("completed", "in_progress", "not_started") and the answered-count pattern
    ("answered", with %(answered)d and %(asked)d), already in the reader's language.
    """
    statuses = {
        "completed": {"text": words["completed"]},
        "in_progress": {"tag": {"text": words["in_progress"], "classes": "govuk-tag--light-blue"}},
        "not_started": {"tag": {"text": words["not_started"], "classes": "govuk-tag--blue"}},
    }
    lists = []
    for number, group in enumerate(tasks, start=1):
        items = [{"title": {"html": Markup("{} {}").format(item["standard"].id, text(item["standard"].title))},
                  "href": standard_url(item["standard"].id) if standard_url else None,
                  "hint": {"text": words["answered"] % {"answered": item["answered"], "asked": item["asked"]}},
                  "status": statuses[item["status"]]} for item in group["standards"]]
        lists.append((group["domain"], {"idPrefix": f"domain-{number}", "items": items}))
    return lists
