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

