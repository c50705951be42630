"""What a what-if shows, built once: its score and standing tables (govukTable parameters) and its JSON.

Standings hold only the authority's own rank, group size and quartile band, as the disclosure rule let them
through (domain/whatif.Standing); where the rule withholds them, the table says why and the JSON says null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from ..domain import benchmark as rules
from ..domain import scoring, whatif
from ..domain import standards as standards_rules
from ..domain.scoring import DOMAIN, OVERALL, score_key
from .answers import _capped
from .benchmark import ranks_text

Text = Callable[[Any], Markup]


def _score_cell(result: scoring.Result, score: scoring.Score, scope: str, text: Text,
                score_text: Callable[[Any], str]) -> Markup:
    """The score over its band, in words (a coloured tag in each of two columns would not fit a phone), and what
    caps it."""
    band = text(score.band.label) if score.band else _("Not scored")
    return Markup("{}<br>{}").format(score_text(score.value), band) + (
        _capped_standard(score) if scope == scoring.STANDARD else _capped(result, score))


def _capped_standard(score: scoring.Score) -> Markup:
    """A standard's gates are its own criteria (a domain's or the overall score's are standards: _capped)."""
    if not score.gated:
        return Markup("")
    ids = ", ".join(score.gates)
    words = (_("capped because %(ids)s is below its minimum level", ids=ids) if len(score.gates) == 1 else
             _("capped because %(ids)s are below their minimum levels", ids=ids))
    return Markup(' <span class="govuk-body-s">{}</span>').format(words)


def _areas(framework: standards_rules.Framework, standards: bool) -> list[tuple[str, str, Any]]:
    """(score key, scope, title) in the framework's order: overall, each domain (and its standards)."""
    areas: list[tuple[str, str, Any]] = [(OVERALL, OVERALL, None)]
    for domain in framework.domains:
        areas.append((score_key(DOMAIN, domain.id), DOMAIN, domain.title))
        if standards:
            areas += [(score_key(scoring.STANDARD, s.id), scoring.STANDARD, s) for s in domain.standards]
    return areas


def _score_of(result: scoring.Result, key: str) -> scoring.Score:
    if key == OVERALL:
        return result.overall
    scope, _sep, identifier = key.partition(":")
    return result.domains[identifier] if scope == DOMAIN else result.standards[identifier]


def _area_label(scope: str, title: Any, text: Text) -> dict:
    if scope == OVERALL:
        return {"text": _("Overall")}
    if scope == DOMAIN:
        return {"html": text(title)}
    return {"html": Markup("{} {}").format(title.id, text(title.title)), "classes": "govuk-!-font-weight-regular"}


def scores_table(framework: standards_rules.Framework, found: whatif.WhatIf, *, text: Text,
                 score_text: Callable[[Any], str]) -> dict:
    """Overall, each domain and each standard: the score and band now and with the targets (three columns, so it
    fits a 375 px screen); a what-if whose figure, band or gate differs from now is in bold."""
    rows = []
    for key, scope, title in _areas(framework, standards=True):
        now, then = _score_of(found.current, key), _score_of(found.result, key)
        moved = (now.value, now.band, now.gated) != (then.value, then.band, then.gated)
        then_html = _score_cell(found.result, then, scope, text, score_text)
        if moved:
            then_html += Markup(' <span class="govuk-visually-hidden">{}</span>').format(_("(changes)"))
        label = _area_label(scope, title, text)
        rows.append([{**label, "classes": f"{label.get('classes', '')} {_NARROW}".strip()},
                     {"html": _score_cell(found.current, now, scope, text, score_text), "classes": _NARROW},
                     {"html": then_html, "classes": "govuk-!-font-weight-bold" if moved else ""}])
    return {"caption": _("Scores out of 100 and bands, now and with these targets"),
            "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": True, "classes": _SMALL_ON_PHONES,
            "head": [{"text": _("Area"), "classes": _NARROW}, {"text": _("Now"), "classes": _NARROW},
                     {"text": _("With these targets")}], "rows": rows}


# Three columns of figures with their bands fit a 375 px screen in small text with a little less space between.
_SMALL_ON_PHONES, _NARROW = "govuk-table--small-text-until-tablet", "govuk-!-padding-right-2"


def standing_text(standing: whatif.Standing | None, threshold: int, rank_text: Callable[[Any], str]) -> str:
    """"4th of 11, band B" ("3rd to 5th of 11, band B" where only a range is known), or why it is not shown."""
    if standing is None or standing.of == 0:
        return _("Not scored")
    if not standing.shown:
        return _("Not shown: fewer than %(n)d authorities with a score", n=threshold)
    if standing.ranks is not None:  # a hypothetical score: the ranks it could have, and its band (domain/whatif)
        rank = ranks_text(*standing.ranks, standing.of)
    else:
        rank = rank_text(rules.Position(None, rules.Statistics(standing.of), rules.Disclosure.POSITION, standing.rank))
    return _("%(rank)s, band %(band)s", rank=rank, band=standing.band)


def standings_table(framework: standards_rules.Framework, found: whatif.WhatIf, threshold: int, caption: str, *,
                    text: Text, rank_text: Callable[[Any], str]) -> dict:
    """Overall and each domain: the authority's rank and quartile band in its group now and with the targets."""
    rows = []
    for key, scope, title in _areas(framework, standards=False):
        rows.append([_area_label(scope, title, text),
                     {"text": standing_text(found.now.get(key), threshold, rank_text)},
                     {"text": standing_text(found.then.get(key), threshold, rank_text)}])
    return {"caption": caption, "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": True,
            "head": [{"text": _("Area")}, {"text": _("Now")}, {"text": _("With these targets")}], "rows": rows}


def _number(score: scoring.Score) -> float | None:
    return None if score.value is None else float(score.value)


def _score_json(score: scoring.Score) -> dict:
    return {"score": _number(score), "band": score.band.id if score.band else None, "gated": score.gated,
            "gates": list(score.gates)}


def _standing_json(standing: whatif.Standing | None) -> dict | None:
    if standing is None:
        return None
    ranks = standing.ranks or ((standing.rank, standing.rank) if standing.rank is not None else None)
    return {"of": standing.of, "rank": standing.rank, "ranks": list(ranks) if ranks else None, "band": standing.band}


def to_json(framework: standards_rules.Framework, found: whatif.WhatIf, basis: str, group_kind: str | None
            ) -> dict:
    """The what-if as data: rounded scores (null where not scored), bands and gates now and with the targets, and
    the authority's own standing: `rank` where it is known exactly, `ranks` the best and worst it could be (the
    same twice where exact), both null, with the band, where the disclosure rule withholds them."""
    def pair(key: str) -> dict:
        return {"now": _score_json(_score_of(found.current, key)),
                "what_if": _score_json(_score_of(found.result, key))}

    standings = {key: {"now": _standing_json(found.now.get(key)), "what_if": _standing_json(found.then.get(key))}
                 for key, _scope, _title in _areas(framework, standards=False)} if found.now else {}
    return {
        "framework": framework.framework, "version": framework.version, "basis": basis,
        "targets": found.targets, "changed": list(found.changed), "not_counted": list(found.not_counted),
        "overall": pair(OVERALL),
        "domains": {d.id: pair(score_key(DOMAIN, d.id)) for d in framework.domains},
        "standards": {s.id: pair(score_key(scoring.STANDARD, s.id)) for s in framework.standards},
        "group": {"kind": group_kind, "standings": standings},
    }
