"""Command-line interface: `flask --app csptoolkit standards|orgs|demo|users|tokens ...`."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .domain import scoring
from .domain import standards as rules
from .extensions.database import db
from .services.standards_files import check_files, expand_paths
from .services.transaction import unit_of_work

standards_cli = AppGroup("standards", help="Validate, load, list and try out standards files.")
orgs_cli = AppGroup("orgs", help="The organisation register.")
demo_cli = AppGroup("demo", help="Demo data for trying the toolkit out.")
users_cli = AppGroup("users", help="User accounts.")
tokens_cli = AppGroup("tokens", help="API tokens (bearer tokens for /api/v1).")
reviews_cli = AppGroup("reviews", help="Peer review: assign champions to submitted assessments, return, resume and "
                                        "publish them.")
scores_cli = AppGroup("scores", help="Stored scores of assessments.")


def register(app: Flask) -> None:
    for group in (standards_cli, orgs_cli, demo_cli, users_cli, tokens_cli, reviews_cli, scores_cli):
        app.cli.add_command(group)
    from .cli_reports import reports_cli  # the PDF reports (its own module)

    app.cli.add_command(reports_cli)


def _paths(paths: tuple[str, ...]) -> list[Path]:
    found = expand_paths(Path(p) for p in paths)
    if not found:
        raise click.UsageError("No standards files found in the paths given.")
    return found


def _beside(paths: list[Path]) -> dict[tuple[str, str], rules.Framework]:
    """Valid versions in the same folders as the files checked, so `supersedes` can find its predecessor."""
    known: dict[tuple[str, str], rules.Framework] = {}
    named = {p.resolve() for p in paths}
    for folder in {p.resolve().parent for p in paths}:
        for other in folder.glob("*.y*ml"):
            if other.resolve() not in named:
                try:
                    text = other.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # not a standards file that could be superseded; it is not one of those checked
                checked = rules.parse_text(text, str(other))
                if checked.framework is not None:
                    known[(checked.framework.framework, checked.framework.version)] = checked.framework
    return known


@standards_cli.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate_command(paths: tuple[str, ...]) -> None:
    """Check standards files (or folders of them); print every problem with file and line."""
    files = _paths(paths)
    frameworks, problems = check_files(files, known=_beside(files))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        bad = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {bad} of {len(files)} file(s).", err=True)
        sys.exit(1)
    criteria = sum(len(f.criteria) for f in frameworks)
    names = len({f.framework for f in frameworks})
    click.echo(f"OK: {len(files)} file(s), {names} framework(s), {len(frameworks)} version(s), "
               f"{criteria} criteria checked.")


@standards_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def load_command(paths: tuple[str, ...]) -> None:
    """Store framework versions in the database, all or none."""
    from .services import standards as service

    try:
        with unit_of_work(db.session):
            report = service.load(db.session, _paths(paths))
    except rules.StandardsError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    except service.LoadRefused as error:
        click.echo(f"Refused: {error}", err=True)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    for label in report.loaded:
        click.echo(f"loaded {label}")
    for label in report.unchanged:
        click.echo(f"unchanged {label} (already loaded)")


@standards_cli.command("list")
def list_command() -> None:
    """Show the frameworks and versions loaded."""
    from .models import Criterion, Framework, FrameworkVersion

    rows = db.session.execute(
        select(Framework.slug, FrameworkVersion.version, FrameworkVersion.status, FrameworkVersion.content_hash,
               func.count(Criterion.id))
        .join(FrameworkVersion.framework).outerjoin(Criterion, Criterion.framework_version_id == FrameworkVersion.id)
        .group_by(Framework.slug, FrameworkVersion.version, FrameworkVersion.status, FrameworkVersion.content_hash)
        .order_by(Framework.slug, FrameworkVersion.version)).all()
    if not rows:
        click.echo("No standards loaded. Try: flask --app csptoolkit standards load standards/")
        return
    click.echo(f"{'framework':<28} {'version':<10} {'status':<10} {'criteria':>8}  hash")
    for slug, version, status, digest, count in rows:
        click.echo(f"{slug:<28} {version:<10} {status:<10} {count:>8}  {digest[:16]}")


@standards_cli.command("score")
@click.argument("standards_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False))
def score_command(standards_file: str, answers_file: str) -> None:
    """Score an answers file (JSON: criterion id -> level, true/false or "na") without the database."""
    path = Path(standards_file)
    checked = rules.parse_text(path.read_text(encoding="utf-8"), str(path))
    if checked.framework is None:
        for problem in checked.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    try:
        raw = json.loads(Path(answers_file).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        click.echo(f"{answers_file}: not valid JSON: {error}", err=True)
        sys.exit(1)
    try:
        answers = scoring.parse_answers(checked.framework, raw)
    except scoring.AnswerError as error:
        click.echo(f"{answers_file}: {error}", err=True)
        sys.exit(1)
    result = scoring.score(checked.framework, answers)
    click.echo(json.dumps(result.to_json(checked.framework), indent=2))


@orgs_cli.command("import")
@click.option("--from", "folder", type=click.Path(exists=True, file_okay=False),
              help="Folder with the register's CSV files (default: the copy shipped with the toolkit).")
def import_command(folder: str | None) -> None:
    """Import the 153 English authorities with statistical neighbours, and the 22 Welsh authorities."""
    from .services import organisations

    path = Path(folder or current_app.config["REFERENCE_DATA_PATH"])
    try:
        with unit_of_work(db.session):
            report = organisations.import_register(db.session, path)
    except organisations.ImportProblem as error:
        click.echo(f"{error}\nNothing was imported.", err=True)
        sys.exit(1)
    click.echo(f"England: {report.england} authorities, {report.neighbour_links} statistical neighbour links; "
               f"Wales: {report.wales} authorities ({report.added} added, {report.updated} updated).")


@demo_cli.command("seed")
def seed_command() -> None:
    """Load standards, organisations, cycles, demo users and synthetic assessments (safe to run twice)."""
    from .services import demo

    with unit_of_work(db.session):
        report = demo.seed(db.session, Path(current_app.config["STANDARDS_PATH"]),
                           Path(current_app.config["REFERENCE_DATA_PATH"]))
    click.echo(f"Standards loaded: {', '.join(report.standards_loaded) or 'none new'}; "
               f"organisations: {report.organisations}; assessments created: {report.assessments_created}; "
               f"users created: {report.users_created}.")
    if report.users_created:
        click.echo(f"Demo users (password '{demo.DEMO_PASSWORD}'): "
                   + ", ".join(f"{email} ({role})" for email, role, _, _ in demo.DEMO_USERS))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "champion", "editor", "viewer"]))
@click.option("--org", "org_code",
              help="DfE code of the authority (editors and viewers; for a champion, the one they come from).")
@click.option("--name", help="The person's name (default: from the email).")
@click.password_option(help="The password (asked for when not given).")
def create_user_command(email: str, role: str, org_code: str | None, name: str | None, password: str) -> None:
    """Create a user."""
    from .services.accounts import AccountError, create_user

    try:
        with unit_of_work(db.session):
            user = create_user(db.session, email, role, password, name=name, organisation_code=org_code)
    except AccountError as error:
        click.echo(f"Not created: {error}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.email} ({user.role}).")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token_command(email: str, name: str) -> None:
    """Make an API token for a user; it acts as that user. The token is printed once and cannot be shown again."""
    from .services.accounts import find_user
    from .services.tokens import TokenError, create_token

    user = find_user(db.session, email)
    if user is None:
        click.echo(f"Not created: there is no user {email}.", err=True)
        sys.exit(1)
    try:
        token, plaintext = create_token(db.session, user, name)  # its own unit of work
    except TokenError as error:
        click.echo(f"Not created: {error}", err=True)
        sys.exit(1)
    click.echo(f"Created token {token.id} ({token.name}) for {user.email} ({user.role}). "
               "Copy it now: it is not shown again.", err=True)
    click.echo(plaintext)


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke an API token by its number."""
    from .models import ApiToken
    from .services.tokens import revoke

    token = db.session.get(ApiToken, token_id)
    if token is None:
        click.echo(f"There is no token {token_id}.", err=True)
        sys.exit(1)
    if not revoke(db.session, token):  # its own unit of work
        click.echo(f"Token {token_id} was already revoked.")
        return
    click.echo(f"Revoked token {token_id} ({token.name}) of {token.user.email}.")


def _assessment_of(cycle_slug: str, org_code: str):
    from .models import Assessment, Cycle, Organisation

    assessment = db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == cycle_slug, Organisation.code == org_code)).scalar_one_or_none()
    if assessment is None:
        click.echo(f"Refused: there is no assessment of {org_code} in cycle {cycle_slug}.", err=True)
        sys.exit(1)
    return assessment


@contextmanager
def refusals(*refused: type[Exception]):
    """A refusal by the service ends the command: its reason on stderr, exit status 1."""
    try:
        yield
    except refused as error:
        click.echo(f"Refused: {error}", err=True)
        sys.exit(1)


def _programme_admin():
    """Commands act as the programme: the first active programme admin is recorded in the audit log."""
    from .domain.roles import ADMIN
    from .models import User

    admin = db.session.execute(select(User).filter_by(role=ADMIN, active=True).order_by(User.id)).scalars().first()
    if admin is None:
        click.echo("Refused: there is no active programme admin to act as (users create EMAIL --role admin).",
                   err=True)
        sys.exit(1)
    return admin


@reviews_cli.command("assign")
@click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
@click.option("--org", "org_code", required=True, help="DfE code of the assessed authority.")
@click.option("--champion", "email", required=True, help="Email of the commissioning champion.")
@click.option("--confirm-neighbour", is_flag=True,
              help="Assign even though the champion is from one of the authority's statistical neighbours.")
def assign_command(cycle_slug: str, org_code: str, email: str, confirm_neighbour: bool) -> None:
    """Assign a commissioning champion to review an authority's submitted assessment (exit 1 with the reason when
    refused)."""
    from .services import reviews
    from .services.accounts import find_user

    assessment = _assessment_of(cycle_slug, org_code)
    champion = find_user(db.session, email)
    if champion is None:
        click.echo(f"Refused: there is no user {email}.", err=True)
        sys.exit(1)
    try:
        reviews.assign(db.session, _programme_admin(), assessment, champion, confirm_neighbour=confirm_neighbour)
    except reviews.NeedsConfirming as warning:
        click.echo(f"Not assigned: {warning} (--confirm-neighbour)", err=True)
        sys.exit(1)
    except reviews.ReviewRefused as refused:
        click.echo(f"Refused: {refused}", err=True)
        sys.exit(1)
    click.echo(f"Assigned {champion.email} to {org_code} {cycle_slug}; the assessment is in review.")


@reviews_cli.command("return")
@click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
@click.option("--org", "org_code", required=True, help="DfE code of the assessed authority.")
@click.option("--reason", required=True, help="Why it is returned (the authority reads it).")
def return_command(cycle_slug: str, org_code: str, reason: str) -> None:
    """Return a submitted or in-review assessment to its authority, which can then change and resubmit it."""
    from .services import reviews

    assessment = _assessment_of(cycle_slug, org_code)
    with refusals(reviews.ReviewRefused):
        reviews.return_to_authority(db.session, _programme_admin(), assessment, reason)
    click.echo(f"Returned {org_code} {cycle_slug} to the authority.")


@reviews_cli.command("publish")
@click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
@click.option("--org", "org_code", required=True, help="DfE code of the assessed authority.")
def publish_command(cycle_slug: str, org_code: str) -> None:
    """Publish an authority's moderated assessment (exit 1 with the reason when refused)."""
    from .services import moderation

    assessment = _assessment_of(cycle_slug, org_code)
    with refusals(moderation.ModerationRefused):
        moderation.publish(db.session, _programme_admin(), assessment)
    click.echo(f"Published {org_code} {cycle_slug}.")


@reviews_cli.command("resume")
@click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
@click.option("--org", "org_code", required=True, help="DfE code of the assessed authority.")
def resume_command(cycle_slug: str, org_code: str) -> None:
    """Put a returned and resubmitted assessment back in review with its champions (exit 1 with the reason when
    refused)."""
    from .services import moderation

    assessment = _assessment_of(cycle_slug, org_code)
    with refusals(moderation.ModerationRefused):
        moderation.resume(db.session, _programme_admin(), assessment)
    click.echo(f"Resumed the review of {org_code} {cycle_slug}; the assessment is in review.")


@scores_cli.command("refresh")
@click.option("--cycle", "cycle_slug", help="Only this cycle (default: every cycle).")
def refresh_scores_command(cycle_slug: str | None) -> None:
    """Store again the scores of every submitted (or later) assessment, one cycle at a time: needed after an
    upgrade that stores more scores (migration 006: the scores of only the answers at each confidence)."""
    from .services import catalogue
    from .services.scores import refresh_cycle

    if cycle_slug is not None:
        cycle = catalogue.find_cycle(db.session, cycle_slug)
        if cycle is None:
            click.echo(f"Refused: there is no cycle {cycle_slug}.", err=True)
            sys.exit(1)
        cycles = [cycle]
    else:
        cycles = catalogue.cycles(db.session)
    total = 0
    for cycle in cycles:
        count = refresh_cycle(db.session, cycle)
        total += count
        click.echo(f"{cycle.slug}: stored the scores of {count} assessment(s) again.")
    click.echo(f"Done: {total} assessment(s) in {len(cycles)} cycle(s).")
