"""What the programme's calibration page shows: champions' completed reviews and authorities' overall scores across
cycles with their gaps, as plain rows and govukTable parameters (at most four columns: they fit a 375 px screen)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from ..domain.calibration import AuthorityCalibration, ChampionCalibration
from . import formatting


def champions_table(rows: Sequence[ChampionCalibration], caption: str, language: str) -> dict:
    """Champion, completed reviews, mean absolute gap: one row per champion, in the order given (by name)."""
    body = [[{"text": row.name},
             {"text": format_decimal(row.reviews, locale=language), "format": "numeric"},
             {"text": formatting.score(row.mean_absolute_gap, language), "format": "numeric"}] for row in rows]
    return {"caption": caption, "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": True,
            "head": [{"text": _("Champion")}, {"text": _("Completed reviews"), "format": "numeric"},
                     {"text": _("Mean absolute gap"), "format": "numeric"}],
            "rows": body}


def authority_caption(row: AuthorityCalibration, region: str) -> str:
    """The authority's table caption: its name and DfE code, and its region."""
    name = f"{row.authority.name} ({row.authority.code})"
    return _("%(name)s, %(region)s", name=name, region=region) if region else name


def authority_table(row: AuthorityCalibration, caption: str, cycle_names: Mapping[int, str],
                    state_labels: Mapping[str, str], language: str) -> dict:
    """Cycle, self-assessed, moderated, gap for each of the authority's cycles (its state under the cycle's name),
    then the mean absolute gap across its moderated cycles."""
    body: list[list[dict]] = []
    for cycle in row.cycles:
        name = Markup('{}<br><span class="govuk-body-s">{}</span>').format(
            cycle_names.get(cycle.cycle_id, ""), state_labels.get(cycle.state, cycle.state))
        body.append([{"html": name},
                     {"text": formatting.score(cycle.self_score, language), "format": "numeric"},
                     {"text": formatting.score(cycle.moderated_score, language), "format": "numeric"},
                     {"text": formatting.gap(cycle.gap, language), "format": "numeric"}])
    body.append([{"text": ngettext("Mean absolute gap across %(num)d moderated cycle",
                                   "Mean absolute gap across %(num)d moderated cycles", row.moderated_cycles),
                  "colspan": 3},
                 {"text": formatting.score(row.mean_absolute_gap, language), "format": "numeric",
                  "classes": "govuk-!-font-weight-bold"}])
    return {"caption": caption, "captionClasses": "govuk-table__caption--s", "firstCellIsHeader": True,
            "head": [{"text": _("Cycle")}, {"text": _("Self-assessed"), "format": "numeric"},
                     {"text": _("Moderated"), "format": "numeric"}, {"text": _("Gap"), "format": "numeric"}],
            "rows": body}
