"""What benchmark pages and their exports show, built once: group, region and authority-type names in the reader's
language, the sentence that says what is compared with what, the score table and its export, and the charts.

Everything here reads positions that domain/benchmark.disclosure() has already cut down, and draws or lists only
what they hold: a figure the rule withheld is not in the position, so no table, export or chart can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..domain import benchmark as rules
from ..domain.peer_groups import DFE_REGION, NATION, REGION, STATISTICAL_NEIGHBOURS, TYPE
from ..domain.scoring import DOMAIN, OVERALL, STANDARD, score_key, shown_number
from ..domain.text import localise
from ..models.organisation import WALES, Organisation
from . import charts, formatting

# Region and authority-type names are data from the register, in English; these are the names people read.
REGION_NAMES = {
    "North East": _l("North East"), "North West": _l("North West"),
    "Yorkshire and The Humber": _l("Yorkshire and The Humber"), "East Midlands": _l("East Midlands"),
    "West Midlands": _l("West Midlands"), "East of England": _l("East of England"), "London": _l("London"),
    "Inner London": _l("Inner London"), "Outer London": _l("Outer London"), "South East": _l("South East"),
    "South West": _l("South West"), "Wales": _l("Wales"),
}
TYPE_NAMES = {
    "County council": _l("County council"), "Metropolitan district": _l("Metropolitan district"),
    "Unitary authority": _l("Unitary authority"), "London borough (inner)": _l("London borough (inner)"),
    "London borough (outer)": _l("London borough (outer)"), "Welsh unitary authority": _l("Welsh unitary authority"),
}


# The lowest confidence a benchmark accepts (services.benchmarks.CONFIDENCES), as the filter offers it.
CONFIDENCE_LABELS = {
    "": _l("Any rating"), "evidenced": _l("Evidenced or peer-validated"), "peer-validated": _l("Peer-validated only"),
}
CONFIDENCE_NOTES = {
    "": _l("Every rating counts: self-assessed, evidenced and peer-validated."),
    "evidenced": _l("Only ratings with evidence attached or noted, or that a champion agreed or set in moderation. "
                    "Each score is worked out from those ratings alone, and an authority with none of them is not "
                    "counted."),
    "peer-validated": _l("Only ratings that a champion agreed or set in moderation. Each score is worked out from "
                         "those ratings alone, and an authority with none of them is not counted."),
}


def confidence_label(lowest: str) -> str:
    return str(CONFIDENCE_LABELS[lowest])


def filtered(title: str, lowest: str) -> str:
    """A caption or chart title that says which ratings were counted, when not every one was."""
    if lowest == "evidenced":
        return _("%(title)s, counting only evidenced or peer-validated ratings", title=title)
    if lowest == "peer-validated":
        return _("%(title)s, counting only peer-validated ratings", title=title)
    return title


def export_name(name: str, lowest: str) -> str:
    """An export's file name, which names the lowest confidence accepted when it is not every rating."""
    return f"{name}-{lowest}" if lowest else name


def said(header: list[str], rows: list[list], lowest: str) -> tuple[list[str], list[list]]:
    """An export with, when not every rating was counted, a last column saying which were (an export of every
    rating is as it always was, and so is its file name)."""
    if not lowest:
        return header, rows
    counted = confidence_label(lowest)
    return [*header, _("Ratings counted")], [[*row, counted] for row in rows]


def region_name(value: str | None) -> str:
    return str(REGION_NAMES.get(value, value)) if value else ""


def type_name(value: str | None) -> str:
    return str(TYPE_NAMES.get(value, value)) if value else ""


def group_option(kind: str, organisation: Organisation) -> str:
    """A fixed group's name in the "Compare with" list and beside "Compared with"."""
    if kind == STATISTICAL_NEIGHBOURS:
        return _("Statistical neighbours")
    if kind == REGION:
        return _("Region: %(region)s", region=region_name(organisation.region_name))
    if kind == DFE_REGION:
        return _("Part of London: %(region)s", region=region_name(organisation.dfe_region))
    if kind == TYPE:
        return _("Authority type: %(type)s", type=type_name(organisation.org_type))
    if kind == NATION:
        return _("All of Wales") if organisation.nation == WALES else _("All of England")
    return _("All authorities in England and Wales")


def group_label(group, organisation: Organisation) -> str:
    return group_option(group.kind, organisation) if group.access is rules.GroupAccess.FIXED else group.label


def comparison(group, organisation: Organisation) -> str:
    """"Camden compared with its statistical neighbours": one whole sentence per kind of group, so that each
    language can word (and, in Welsh, mutate) it properly instead of having a group's name dropped into it."""
    name, kind = organisation.name, group.kind
    if group.access is not rules.GroupAccess.FIXED:
        return _("%(name)s compared with the peer group “%(group)s”", name=name, group=group.label)
    if kind == STATISTICAL_NEIGHBOURS:
        return _("%(name)s compared with its statistical neighbours", name=name)
    if kind == REGION:
        return _("%(name)s compared with the authorities in its region, %(region)s", name=name,
                 region=region_name(organisation.region_name))
    if kind == DFE_REGION:
        return _("%(name)s compared with the authorities in its part of London, %(region)s", name=name,
                 region=region_name(organisation.dfe_region))
    if kind == TYPE:
        return _("%(name)s compared with authorities of the same type, %(type)s", name=name,
                 type=type_name(organisation.org_type))
    if kind == NATION:
        if organisation.nation == WALES:
            return _("%(name)s compared with every authority in Wales", name=name)
        return _("%(name)s compared with every authority in England", name=name)
    return _("%(name)s compared with every authority in England and Wales", name=name)


def label(text: dict) -> str:
    return localise(text, str(get_locale()))[0]


def number(value: float | None) -> Decimal | None:
    """A figure for an export, rounded as on the page (a number, which the XLSX keeps as a number)."""
    return shown_number(value)


@dataclass
class ScoreRow:
    key: str
    level: str  # overall, domain or standard
    label: str
    position: rules.Position


def score_rows(result) -> list[ScoreRow]:
    """The table's rows: overall, then each domain followed by its standards."""
    rows = [ScoreRow(OVERALL, OVERALL, _("Overall"), result.positions[OVERALL])]
    for domain in result.framework.domains:
        key = score_key(DOMAIN, domain.id)
        rows.append(ScoreRow(key, DOMAIN, label(domain.title), result.positions[key]))
        rows += [ScoreRow(score_key(STANDARD, s.id), STANDARD, f"{s.id} {label(s.title)}",
                          result.positions[score_key(STANDARD, s.id)]) for s in domain.standards]
    return rows


def _ordinal(rank: int) -> str:
    """"4th" in English; Welsh says the plain number ("4 o 11")."""
    return str(rank) if str(get_locale()) == "cy" else rules.ordinal(rank)


def rank_text(position: rules.Position) -> str:
    if position.rank is None:
        return "-"
    return _("%(rank)s of %(n)d", rank=_ordinal(position.rank), n=position.of)


def ranks_text(best: int, worst: int, n: int) -> str:
    """"3rd to 5th of 11": the ranks a what-if's score could have (domain/benchmark.rank_bounds)."""
    return _("%(best)s to %(worst)s of %(n)d", best=_ordinal(best), worst=_ordinal(worst), n=n)


def score_export(result, rows: list[ScoreRow]) -> tuple[list[str], list[list]]:
    """The score table as a spreadsheet (which ratings were counted said as `said` says)."""
    header = [_("Area"), _("Score"), _("Authorities with a score"), _("Mean"), _("Median"), _("Lower quartile"),
              _("Upper quartile"), _("Lowest"), _("Highest"), _("Rank"), _("Quartile band")]
    table = []
    for row in rows:
        p, s = row.position, row.position.stats
        table.append([row.label, number(p.score), p.of, number(s.mean), number(s.median), number(s.q1),
                      number(s.q3), number(s.min), number(s.max), p.rank, p.band])
    return said(header, table, result.lowest)


def national_export(table, headings: list[str], lowest: str) -> tuple[list[str], list[list]]:
    """Every authority shown with its overall and domain scores (which ratings were counted said as `said` says)."""
    header = [_("DfE code"), _("Authority"), _("Region"), _("Authority type"), *headings]
    rows = [[r.organisation.code, r.organisation.name, region_name(r.organisation.dfe_region),
             type_name(r.organisation.org_type), *(number(v) for v in r.scores)] for r in table]
    return said(header, rows, lowest)


def regions_export(table: list[tuple[str, rules.Position]], lowest: str) -> tuple[list[str], list[list]]:
    """Each region's figures on one score (which ratings were counted said as `said` says)."""
    header = [_("Region"), _("Authorities with a score"), _("Mean"), _("Lower quartile"), _("Median"),
              _("Upper quartile"), _("Lowest"), _("Highest")]
    rows = [[region, p.stats.n, *(number(v) for v in (p.stats.mean, p.stats.q1, p.stats.median, p.stats.q3,
                                                      p.stats.min, p.stats.max))] for region, p in table]
    return said(header, rows, lowest)


def _distribution_legend(own: str) -> charts.Legend:
    return charts.Legend(own=_("Score of %(name)s", name=own), median=_("Median of the group"),
                         box=_("Middle half of the group: from the lower to the upper quartile"),
                         range=_("Lowest to highest score in the group"),
                         dots=_("Score of each authority in the group"))


def domain_chart(result) -> Markup:
    """Where the authority sits in each domain: its score, and whatever of the group the rule lets through."""
    name = result.organisation.name
    rows, shown = [], set()
    for domain in result.framework.domains:
        p = result.positions[score_key(DOMAIN, domain.id)]
        s = p.stats
        shown.add(p.disclosure)
        rows.append(charts.DistributionRow(label(domain.title), p.values, p.score, s.q1, s.median, s.q3, s.min,
                                           s.max))
    if rules.Disclosure.NAMED in shown:
        description = _("For each domain: each authority's score as a dot, the box from the lower to the upper "
                        "quartile with the median as a thick line, the thin line from the lowest to the highest "
                        "score, and %(name)s as a diamond. The table below gives the same figures.", name=name)
    elif rules.Disclosure.STATISTICS in shown:
        description = _("For each domain: the box from the lower to the upper quartile of the group with the median "
                        "as a thick line, and %(name)s as a diamond. The table below gives the same figures.",
                        name=name)
    else:
        description = _("For each domain: the score of %(name)s as a diamond. The group's own figures are not "
                        "shown; the table below gives the rank and quartile band where they can be shown.", name=name)
    title = filtered(_("Domain scores: %(comparison)s", comparison=comparison(result.group, result.organisation)),
                     result.lowest)
    return charts.distribution_chart(rows, title, description, "domains", own_label=name,
                                     legend=_distribution_legend(name))


def summary_chart(rows: list[tuple[str, rules.Position]], title: str, description: str, chart_id: str) -> Markup:
    """The national and region views: each row's members as dots, its quartiles and range."""
    legend = charts.Legend(median=_("Median"), box=_("Middle half: from the lower to the upper quartile"),
                           range=_("Lowest to highest score"), dots=_("Score of each authority"))
    return charts.distribution_chart(
        [charts.DistributionRow(heading, p.values, None, p.stats.q1, p.stats.median, p.stats.q3, p.stats.min,
                                p.stats.max) for heading, p in rows], title, description, chart_id, legend=legend)


# ----------------------------------------------------------------------------------------------------------
# Tables, as the parameters of govukTable: the pages render them with the GOV.UK macro, the PDFs from the same rows


BAND_CLASSES = {"A": "govuk-tag--green", "B": "govuk-tag--turquoise", "C": "govuk-tag--yellow", "D": "govuk-tag--red"}
BAND_WORDS = {"A": _l("top quarter"), "B": _l("second quarter"), "C": _l("third quarter"), "D": _l("bottom quarter")}


def band_html(band: str | None) -> Markup:
    """A quartile band as a tag that also says what it means to a screen reader; "-" when there is none."""
    if not band:
        return Markup("-")
    return Markup(f'<strong class="govuk-tag csp-band {BAND_CLASSES[band]}">{escape(band)}'
                  f'<span class="govuk-visually-hidden">: {escape(str(BAND_WORDS[band]))}</span></strong>')


def _numeric(text: str) -> dict:
    return {"text": text, "format": "numeric"}


def score_table(rows: list[ScoreRow], caption: str, language: str, lowest: str = "") -> dict:
    """An authority's scores against its group: score, the group's figures where the rule shows them, rank, band.

    Columns the disclosure rule empties on every row (a group the reader built, a small group) are left out. With
    a lowest confidence accepted, a score the authority lacks is said to be not scored at this confidence.
    """
    unscored = _("Not scored at this confidence") if lowest else None
    with_figures = any(row.position.disclosure.shows_statistics for row in rows)
    head = [{"text": _("Area")}, _numeric(_("Score"))]
    if with_figures:
        head += [_numeric(_("Mean")), _numeric(_("Median")), _numeric(_("Lower quartile")),
                 _numeric(_("Upper quartile"))]
    head += [{"text": _("Rank")}, {"text": _("Quartile band")}]
    table = []
    for row in rows:
        p = row.position
        first = {"text": row.label}
        if row.level == STANDARD:
            first["classes"] = "govuk-!-font-weight-regular govuk-!-padding-left-4"
        cells = [first, _numeric(unscored if unscored and p.score is None else formatting.score(p.score, language))]
        if with_figures:
            cells += [_numeric(formatting.score(v, language)) for v in (p.stats.mean, p.stats.median, p.stats.q1,
                                                                          p.stats.q3)]
        cells += [{"text": rank_text(p) if p.rank else _("n = %(n)d", n=p.of), "classes": "csp-nowrap"},
                  {"html": band_html(p.band)}]
        table.append(cells)
    return {"caption": caption, "captionClasses": "govuk-table__caption--s", "classes": "csp-table--compact",
            "firstCellIsHeader": True, "head": head, "rows": table}


def stats_table(rows: list[tuple[str, rules.Statistics, str | None]], caption: str, first_heading: str,
                language: str) -> dict:
    """Figures of several groups (the national summary, the regions): n, mean, quartiles, median; each row's
    label linked where it has an address."""
    head = [{"text": first_heading}, _numeric(_("Authorities with a score")), _numeric(_("Mean")),
            _numeric(_("Lower quartile")), _numeric(_("Median")), _numeric(_("Upper quartile"))]
    table = []
    for label_text, stats, href in rows:
        first = ({"html": Markup(f'<a class="govuk-link" href="{escape(href)}">{escape(label_text)}</a>')}
                 if href else {"text": label_text})
        table.append([first, _numeric(str(stats.n)), *(_numeric(formatting.score(v, language))
                                                      for v in (stats.mean, stats.q1, stats.median, stats.q3))])
    return {"caption": caption, "captionClasses": "govuk-table__caption--s", "classes": "csp-table--compact",
            "firstCellIsHeader": True, "head": head, "rows": table}


def peers_table(peers, language: str, lowest: str = "") -> dict:
    """The group's members by overall score, named (programme staff only: the rule gives no one else members)."""
    unscored = _("Not scored at this confidence") if lowest else _("No submitted assessment")
    rows = []
    for peer in peers:
        name = {"html": Markup(f"<strong>{escape(peer.name)}</strong>")} if peer.own else {"text": peer.name}
        score_cell = unscored if peer.score is None else formatting.score(peer.score, language)
        rows.append([name, _numeric(score_cell)])
    return {"caption": _("Overall score of each authority in the group"), "captionClasses": "govuk-visually-hidden",
            "head": [{"text": _("Authority")}, _numeric(_("Overall score"))], "rows": rows}


def national_table(rows, keys: list[str], headings: list[str], sort: str, descending: bool,
                   sort_href, authority_href, language: str) -> dict:
    """Every authority shown with its overall and domain scores, each column sortable by its heading's link.

    `sort_href(key, order)` is the address that sorts by a column; `authority_href(code)` an authority's benchmark.
    """
    def heading(key: str, text: str) -> dict:
        order = "asc" if sort == key and descending else "desc"
        html = f'<a class="govuk-link" href="{escape(sort_href(key, order))}">{escape(text)}</a>'
        if sort == key:
            words = _("sorted, highest first") if descending else _("sorted, lowest first")
            html += (f' <span aria-hidden="true">{"▼" if descending else "▲"}</span>'
                     f'<span class="govuk-visually-hidden">({escape(words)})</span>')
        aria = ("descending" if descending else "ascending") if sort == key else "none"
        cell = {"html": Markup(html), "attributes": {"aria-sort": aria}}
        return cell if key == "name" else {**cell, "format": "numeric"}

    head = [heading("name", _("Authority")), *(heading(k, h) for k, h in zip(keys, headings, strict=True))]
    body = [[{"html": Markup(f'<a class="govuk-link" href="{escape(authority_href(row.organisation.code))}">'
                             f'{escape(row.organisation.name)}</a>')},
             *(_numeric(formatting.score(v, language)) for v in row.scores)] for row in rows]
    return {"caption": _("Overall and domain scores of every authority shown"),
            "captionClasses": "govuk-table__caption--s", "classes": "csp-table--compact csp-table--national",
            "firstCellIsHeader": True, "head": head, "rows": body}


def trend_table(result, cycle_label, language: str) -> dict:
    """The authority's overall score in each cycle beside its group's median, where the rule shows it."""
    head = [{"text": _("Cycle")}, {"text": _("Standards version")}, _numeric(_("Overall score")),
            _numeric(_("Peer median")), _numeric(_("Authorities with a score"))]
    unscored = _("Not scored at this confidence") if result.lowest else None
    rows = [[{"text": cycle_label(cycle)}, {"text": cycle.framework_version.version},
             _numeric(unscored if unscored and result.overall[i] is None
                      else formatting.score(result.overall[i], language)),
             _numeric(formatting.score(result.peer_median[i], language)), _numeric(str(result.peer_n[i]))]
            for i, cycle in enumerate(result.cycles)]
    return {"caption": filtered(_("Scores by cycle"), result.lowest), "captionClasses": "govuk-table__caption--s",
            "classes": "csp-table--compact", "firstCellIsHeader": True, "head": head, "rows": rows}


def comparable_table(comparable, cycle_label, language: str) -> dict:
    """The same over the criteria the crosswalk maps one to one, so that cycles on two versions line up."""
    head = [{"text": _("Cycle")}, _numeric(_("Overall score")), _numeric(_("Peer median"))]
    rows = [[{"text": cycle_label(cycle)}, _numeric(formatting.score(comparable.overall[i], language)),
             _numeric(formatting.score(comparable.peer_median[i], language))]
            for i, cycle in enumerate(comparable.cycles)]
    return {"caption": _("Scores on comparable criteria only, by cycle"),
            "captionClasses": "govuk-table__caption--s", "classes": "csp-table--compact", "firstCellIsHeader": True,
            "head": head, "rows": rows}


def trend_export(result, cycle_label) -> tuple[list[str], list[list]]:
    """The trend table as a spreadsheet (which ratings were counted said as `said` says)."""
    header = [_("Cycle"), _("Standards version"), _("Overall score"), _("Peer median"), _("Authorities with a score")]
    table = [[cycle_label(c), c.framework_version.version, number(result.overall[i]), number(result.peer_median[i]),
              result.peer_n[i]] for i, c in enumerate(result.cycles)]
    return said(header, table, result.lowest)


def trend_charts(result, own_label: str, cycle_label) -> tuple[Markup, Markup | None]:
    """The trend chart, and the comparable-criteria one where the cycles used different standards versions."""
    chart = charts.trend_chart(
        [cycle_label(c) for c in result.cycles],
        [(own_label, result.overall, "0"), (_("Peer median"), result.peer_median, "6 4")],
        filtered(_("Overall score of %(name)s across cycles", name=own_label), result.lowest),
        _("The authority's overall score in each cycle, and the median of its peer group where it can be "
          "shown. The table gives the same figures."), "trend")
    comparable = None
    if result.comparable is not None:
        comparable = charts.trend_chart(
            [cycle_label(c) for c in result.comparable.cycles],
            [(own_label, result.comparable.overall, "0"), (_("Peer median"), result.comparable.peer_median, "6 4")],
            _("Overall score on comparable criteria only"),
            _("Scores recomputed over the criteria that the crosswalk maps one to one between framework versions."),
            "comparable")
    return chart, comparable
