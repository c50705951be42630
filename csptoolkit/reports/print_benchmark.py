"""What the benchmark PDFs show, from the same rows, tables and charts as the benchmark pages (reports/benchmark):
an authority against each of its peer groups, a region, the nation. Plain values only go to the print templates.

The figures come from services/benchmarks already cut down by the disclosure rule for the reader: this module
lays out what the positions hold, and a figure the rule withheld is not there to lay out.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from ..domain import benchmark as rules
from ..domain.scoring import OVERALL
from . import benchmark as shown
from . import formatting
from .printing import renamed

# The same words as the benchmark pages' "Scores" choice (web/benchmark.BASIS_LABELS).
BASIS_LABELS = {
    "best": _l("Best available: moderated where moderated, otherwise self-assessed"),
    "self": _l("Self-assessed"), "moderated": _l("Moderated only"),
}


def filters_text(basis: str, lowest: str) -> dict[str, str]:
    """What a report says of the scores used and the ratings counted."""
    return {"basis_label": str(BASIS_LABELS[basis]), "confidence_label": shown.confidence_label(lowest),
            "confidence_note": str(shown.CONFIDENCE_NOTES[lowest])}


@dataclass
class GroupSection:
    """One peer group of an authority's benchmark report."""

    comparison: str
    group_label: str
    members_text: str
    note: str | None
    chart: Markup
    score_table: dict
    peers_table: dict | None


def disclosure_note(result) -> str | None:
    """What the benchmark page says of how much of this group the reader sees (the same words)."""
    overall = result.positions[OVERALL]
    name = result.organisation.name
    private = result.group.access is rules.GroupAccess.PRIVATE
    decision = overall.disclosure
    if decision is rules.Disclosure.NAMED:
        seen = {
            rules.Disclosure.STATISTICS: _("Authority users see this group's figures without any authority's name "
                                           "or score."),
            rules.Disclosure.POSITION: _("Authority users see only their own position in this group: their rank "
                                         "and quartile band."),
            rules.Disclosure.NONE: _("Authority users see only the number of authorities with a score and their "
                                     "own scores in this group."),
        }
        return (_("You see every authority's name and score because you are a programme admin.") + " "
                + seen[result.authority_view])
    if decision is rules.Disclosure.POSITION and not private and result.lowest:
        return _("Only some ratings are counted here, and not every authority in the group with a score has a score "
                 "from them, so only where %(name)s stands is shown: its rank and quartile band. The group's figures "
                 "show once every authority in it has a score from the ratings counted, and always when every rating "
                 "is counted with the best available scores.", name=name)
    if decision is rules.Disclosure.POSITION and not private:
        return _("Only moderated scores are used here, and not every authority in the group with a score has been "
                 "moderated yet, so only where %(name)s stands is shown: its rank and quartile band. The group's "
                 "figures show once all its scores are moderated, and always with the best available scores.",
                 name=name)
    if decision is rules.Disclosure.POSITION:
        return _("This is a group you built, so only where %(name)s stands is shown: its rank and quartile band. The "
                 "mean, median and quartiles are shown only for the groups the toolkit sets (statistical neighbours, "
                 "region, authority type, nation) and for groups the programme team shares, so that no authority's "
                 "score can be worked out by comparing groups.", name=name)
    if decision is rules.Disclosure.STATISTICS:
        return None  # the group's figures are shown: the page says nothing more
    if private:
        return _("A group you build shows where you stand only when at least %(n)d other authorities in it have a "
                 "score. Fewer do here, so only the number of authorities and your own scores are shown.",
                 n=result.threshold)
    return _("Fewer than %(n)d authorities in this group have a score, so only the number of authorities and your "
             "own scores are shown.", n=result.threshold)


def group_section(result, peers, language: str, index: int) -> GroupSection:
    """An authority against one group: the page's sentence, note, chart, score table and (programme staff only)
    the members by name."""
    organisation = result.organisation
    comparison = shown.comparison(result.group, organisation)
    caption = shown.filtered(_("Scores: %(comparison)s", comparison=comparison), result.lowest)
    members = len(result.group.members)
    return GroupSection(
        comparison=comparison,
        group_label=shown.group_label(result.group, organisation),
        members_text=ngettext("%(num)d authority including %(name)s", "%(num)d authorities including %(name)s",
                              members, name=organisation.name),
        note=disclosure_note(result),
        chart=renamed(shown.domain_chart(result), "domains", f"domains-{index}"),
        score_table=shown.score_table(shown.score_rows(result), caption, language, result.lowest),
        peers_table=shown.peers_table(peers, language, result.lowest) if peers else None,
    )


def benchmark_context(organisation_name: str, cycle_label: str, sections: list[GroupSection], basis: str,
                      lowest: str) -> dict:
    title = _("Benchmark report: %(name)s, %(cycle)s", name=organisation_name, cycle=cycle_label)
    return {"title": title, "description": _("How %(name)s compares", name=organisation_name),
            "organisation_name": organisation_name, "cycle_label": cycle_label, "sections": sections,
            **filters_text(basis, lowest)}


# ----------------------------------------------------------------------------------------------------------
# The region and the nation (programme staff: every authority named)


def overall_heading() -> str:
    return _("Overall")


def region_heading(region: str) -> str:
    return _("Benchmark report: %(region)s", region=region)


def nation_heading() -> str:
    return _("National benchmark report")


def authorities_table(rows, headings: list[str], language: str, caption: str) -> dict:
    """Every authority listed, with its region, type, overall and domain scores (no links: it is print)."""
    head = [{"text": _("Authority")}, {"text": _("Region")}, {"text": _("Authority type")},
            *({"text": h, "format": "numeric"} for h in headings)]
    body = [[{"text": row.organisation.name}, {"text": shown.region_name(row.organisation.dfe_region)},
             {"text": shown.type_name(row.organisation.org_type)},
             *({"text": formatting.score(v, language), "format": "numeric"} for v in row.scores)] for row in rows]
    return {"caption": caption, "firstCellIsHeader": True, "head": head, "rows": body}


def distribution(summary: list[tuple[str, rules.Position]], caption: str, title: str, language: str,
                 chart_id: str) -> tuple[Markup, dict]:
    """The distribution of the overall score and of every domain over the authorities listed: chart and table."""
    chart = shown.summary_chart(summary, title, _(
        "For the overall score and each domain: every authority shown as a dot, the box from the lower to the "
        "upper quartile with the median as a thick line, the thin line from the lowest to the highest score. "
        "The tables give the same figures."), chart_id)
    table = shown.stats_table([(h, p.stats, None) for h, p in summary], caption, _("Area"), language)
    return chart, table


def regions_figures(regions: list[tuple[str, rules.Position]], cycle_label: str, language: str, lowest: str
                    ) -> tuple[Markup, dict]:
    """Each region's overall score, side by side (as the region view shows it): chart and table."""
    table = [(shown.region_name(region), figures) for region, figures in regions]
    chart = shown.summary_chart(
        table, shown.filtered(_("%(score)s score by region, %(cycle)s", score=_("Overall"), cycle=cycle_label),
                              lowest),
        _("For each region: every authority's score as a dot, the box from the lower to the upper quartile with "
          "the median as a thick line, the thin line from the lowest to the highest score. The table gives the "
          "same figures."), "regions")
    stats = shown.stats_table([(name, p.stats, None) for name, p in table],
                              shown.filtered(_("%(score)s score by region", score=_("Overall")), lowest), _("Region"),
                              language)
    return chart, stats


def area_context(heading: str, cycle_label: str, rows, summary, regions, headings: list[str], basis: str,
                 lowest: str, language: str) -> dict:
    """A region's or the nation's report: the distribution of every domain, the regions side by side, and every
    authority listed."""
    chart, summary_table = distribution(
        summary, shown.filtered(_("Summary of the authorities shown"), lowest),
        shown.filtered(_("Distribution of scores, %(cycle)s", cycle=cycle_label), lowest), language, "national")
    regions_chart, regions_table = regions_figures(regions, cycle_label, language, lowest)
    return {"title": f"{heading}, {cycle_label}", "description": heading, "heading": heading,
            "cycle_label": cycle_label, "chart": chart, "summary_table": summary_table,
            "regions_chart": regions_chart, "regions_table": regions_table,
            "authorities_table": authorities_table(rows, headings, language,
                                                   _("Overall and domain scores of every authority shown")),
            **filters_text(basis, lowest)}
