"""An assessment's answers by domain and standard, with what each counts for: built once, as the parameters of
GOV.UK summary lists, for the check-answers page (and, in step 4, the plan's appendix)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..domain import scoring
from ..domain import standards as rules


@dataclass
class StandardSection:
    standard: rules.Standard
    score: scoring.Score
    answers: dict  # govukSummaryList parameters


@dataclass
class DomainSection:
    domain: rules.Domain
    score: scoring.Score
    standards: list[StandardSection]


def sections(framework: rules.Framework, result: scoring.Result, rows: Mapping[str, Any],
             evidence: Mapping[str, bool], *, text: Callable[[Any], Markup],
             answer: Callable[[rules.Criterion, Any], Markup], change_url: Callable[[str, str], str] | None
             ) -> list[DomainSection]:
    """Every visible criterion's answer, standard by standard, with its value, weight and evidence.

    `text` words standards text in the reader's language, `answer` a criterion's answer; `change_url(standard,
    criterion)` is where to change it (None when the assessment cannot be changed).
    """
    counts = _("counts %(value)d of %(max)d, weight %(weight)s")
    provided = escape(_("Evidence provided"))
    change = _("Change")
    domains = []
    for domain in framework.domains:
        standards = []
        for standard in domain.standards:
            score = result.standards[standard.id]
            items = []
            for line in score.parts:
                if line.status == "hidden":
                    continue
                criterion = framework.criterion(line.criterion_id)
                value = escape(answer(criterion, rows.get(criterion.id)))
                if line.status == "scored":
                    value += Markup(' <span class="govuk-body-s"> ({})</span>').format(
                        counts % {"value": line.value, "max": line.max, "weight": line.weight})
                if evidence.get(criterion.id):
                    value += Markup('<br><span class="govuk-body-s">{}</span>').format(provided)
                item: dict[str, Any] = {"key": {"html": Markup("{} {}").format(criterion.id, text(criterion.text))},
                                        "value": {"html": value}}
                if change_url is not None:
                    item["actions"] = {"items": [{"href": change_url(standard.id, criterion.id), "text": change,
                                                  "visuallyHiddenText": criterion.id}]}
                items.append(item)
            standards.append(StandardSection(standard, score, {"rows": items}))
        domains.append(DomainSection(domain, result.domains[domain.id], standards))
    return domains



BAND_TAG_CLASSES = ("govuk-tag--red", "govuk-tag--orange", "govuk-tag--green", "govuk-tag--blue")


def band_html(framework: rules.Framework, band: rules.Band | None, text: Callable[[Any], Markup]) -> Markup:
    """A score's band as a tag coloured by its place on the framework's scale ("Not scored" when none)."""
    if band is None:
        return Markup('<span class="govuk-body-s">{}</span>').format(_("Not scored"))
    index = framework.bands.index(band)
    colour = BAND_TAG_CLASSES[index] if index < len(BAND_TAG_CLASSES) else "govuk-tag--grey"
    return Markup('<strong class="govuk-tag csp-band {}">{}</strong>').format(colour, text(band.label))


def _capped(result: scoring.Result, score: scoring.Score) -> Markup:
    """Which mandatory criteria cap a band: a domain's or the overall score names gated standards, they name
    criteria."""
    if not score.gated:
        return Markup("")
    ids = [criterion for standard in score.gates for criterion in result.standards[standard].gates]
    words = (_("capped because %(ids)s is below its minimum level", ids=", ".join(ids)) if len(ids) == 1 else
             _("capped because %(ids)s are below their minimum levels", ids=", ".join(ids)))
    return Markup(' <span class="govuk-body-s">{}</span>').format(words)


def scores_table(framework: rules.Framework, result: scoring.Result, caption: str, *,
                 text: Callable[[Any], Markup], score_text: Callable[[Any], str]) -> dict:
    """The overall and domain scores with their bands, as govukTable parameters (three columns: it fits a
    375 px screen)."""
    rows = [[{"text": _("Overall")}, {"text": score_text(result.overall.value), "format": "numeric"},
             {"html": band_html(framework, result.overall.band, text) + _capped(result, result.overall)}]]
    for domain in framework.domains:
        score = result.domains[domain.id]
        rows.append([{"html": text(domain.title), "classes": "govuk-!-font-weight-regular"},
                     {"text": score_text(score.value), "format": "numeric"},
                     {"html": band_html(framework, score.band, text) + _capped(result, score)}])
    return {"caption": caption, "captionClasses": "govuk-table__caption--s", "firstCellIsHeader": True,
            "head": [{"text": _("Area")}, {"text": _("Score"), "format": "numeric"}, {"text": _("Band")}],
            "rows": rows}
