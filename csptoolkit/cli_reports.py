"""`flask --app csptoolkit reports ...`: the PDF reports from the command line, for programme staff's scripts.

Commands act as the programme (the first active programme admin, as the review commands do), so every
authority is named; each exits 1 with a plain message for an unknown cycle, authority, group or region.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from .cli_exports import batch_command
from .extensions.database import db

reports_cli = AppGroup("reports", help="PDF reports: improvement plans, benchmarks, regions and the nation.")
# `reports batch`: every authority's reports as one zip, made by the task queue's workers (cli_exports.py).
reports_cli.add_command(batch_command)

_LANGUAGE = click.option("--lang", "locale", type=click.Choice(["en", "cy"]), default="en", show_default=True,
                         help="The report's language: English or Welsh.")
_OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
                    help="Where to write the PDF.")
_CYCLE = click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
_BASIS = click.option("--basis", type=click.Choice(["best", "self", "moderated"]), default="best", show_default=True,
                      help="Scores used: best available, self-assessed or moderated only.")


def _refuse(message: str) -> None:
    click.echo(f"Refused: {message}", err=True)
    sys.exit(1)


def _write(out: str, make: Callable[[], bytes]) -> None:
    """Make the PDF, turning each refusal of the service into a message and exit status 1; then write it."""
    from .services import access, report_files

    try:
        data = make()
    except report_files.UnknownCycle as error:
        _refuse(f"there is no cycle {error}.")
    except access.UnknownOrganisation as error:
        _refuse(f"there is no authority with the DfE code {error}.")
    except report_files.UnknownGroup as error:
        _refuse(f"the authority has no peer group {error} (groups: statistical-neighbours, region, dfe-region, "
                "type, nation, all, or group-<id> of a saved group).")
    except report_files.UnknownRegion as error:
        names = ", ".join(report_files.regions(db.session))
        _refuse(f"there is no region {error}. Regions: {names}.")
    path = Path(out)
    path.write_bytes(data)
    click.echo(f"Wrote {path} ({len(data):,} bytes).")


def _admin():
    from .cli import _programme_admin

    return _programme_admin()


@reports_cli.command("benchmark")
@_CYCLE
@click.option("--org", "org_code", required=True, help="DfE code of the authority.")
@_OUT
@click.option("--group", "kind", help="Only this peer group (default: every group of the authority).")
@_BASIS
@_LANGUAGE
def benchmark_command(cycle_slug: str, org_code: str, out: str, kind: str | None, basis: str, locale: str) -> None:
    """An authority's benchmark report: the authority against each of its peer groups."""
    from .services import report_files

    admin = _admin()
    _write(out, lambda: report_files.benchmark_pdf(db.session, admin, cycle_slug, org_code.strip(),
                                                   kinds=[kind] if kind else None, locale=locale, basis=basis))


@reports_cli.command("region")
@_CYCLE
@click.option("--region", required=True, help="The DfE region, e.g. \"North West\" or \"Inner London\".")
@_OUT
@_BASIS
@_LANGUAGE
def region_command(cycle_slug: str, region: str, out: str, basis: str, locale: str) -> None:
    """A region's benchmark report: the distribution of every domain over its authorities, each one named."""
    from .services import report_files

    admin = _admin()
    _write(out, lambda: report_files.region_pdf(db.session, admin, cycle_slug, region, locale=locale, basis=basis))


@reports_cli.command("nation")
@_CYCLE
@_OUT
@_BASIS
@_LANGUAGE
def nation_command(cycle_slug: str, out: str, basis: str, locale: str) -> None:
    """The national benchmark report: the distribution of every domain, the regions, every authority named."""
    from .services import report_files

    admin = _admin()
    _write(out, lambda: report_files.nation_pdf(db.session, admin, cycle_slug, locale=locale, basis=basis))


@reports_cli.command("plan")
@_CYCLE
@click.option("--org", "org_code", required=True, help="DfE code of the authority.")
@_OUT
@_LANGUAGE
def plan_command(cycle_slug: str, org_code: str, out: str, locale: str) -> None:
    """An authority's improvement plan: cover, summary, position, actions by priority and the answers' appendix."""
    from .cli import _assessment_of
    from .services import plans, report_files

    admin = _admin()
    assessment = _assessment_of(cycle_slug, org_code.strip())
    if not plans.plan_report(db.session, admin, assessment.id).exists:
        _refuse(f"{org_code} has no improvement plan in cycle {cycle_slug} yet: its editors make it on the plan "
                "page.")
    _write(out, lambda: report_files.plan_pdf(db.session, admin, assessment.id, locale=locale))
