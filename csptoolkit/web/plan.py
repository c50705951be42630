"""The improvement plan pages: the plan, generating it, the authority's targets and actions, and downloads."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import services
from ..domain import planning, scoring
from ..domain.identifiers import parse_id
from ..reports import exports
from ..reports import plans as shown
from ..services import plan_page, plans
from . import plan_table as table
from .plan_forms import (
    ActionForm,
    DeleteForm,
    GenerateForm,
    OwnActionForm,
    standard_choices,
    target_field_name,
    targets_form,
)
from .templating import id_url, kept, pagination
from .text import cycle_name, long_date

bp = Blueprint("plan", __name__)
CLOSED_OPEN = 5  # rows of what closed between cycles shown without folding them away

def _conflict_message() -> str:
    return _("Someone changed the plan after you opened this page, so your changes were not saved. They are kept "
             "below: check the plan, then save again.")


def endpoint_exists(name: str) -> bool:
    """Whether another page of the plan (what-if, learning, the PDF) is part of this application."""
    return name in current_app.view_functions


def _readable(assessment_id: int):
    try:
        return plans.readable(services.session(), current_user, assessment_id)
    except plans.NotAllowed:
        abort(404)


def _editable(assessment_id: int):
    assessment = _readable(assessment_id)
    if not plans.may_edit_plan(current_user, assessment):
        abort(403)  # the authority's viewers and the programme read the plan; only its editors change it
    return assessment


def _report(assessment):
    return plan_page.report(services.session(), assessment)[1]


def _at(assessment, report, action_id: int) -> str:
    """The address of the plan's page (of every action) that shows an action, at its row."""
    return url_for("plan.show", assessment_id=assessment.id, page=table.page_of(report.actions, action_id),
                   _anchor=f"action-{action_id}")


def _words() -> dict[str, str]:
    """What the action and targets pages say of an action's levels and status, worded once a page."""
    return {"gate": _("Mandatory: below its minimum level"), "worth": _("Worth %(points)s points on the overall score"),
            "overdue": _("Overdue"), "from_to": _("From %(reached)s to %(target)s"),
            "reached": _("%(reached)s reached; target %(target)s"), "not_answered": _("Not answered in this cycle yet"),
            "yes": _("Yes"), "no": _("No")}


def _common(assessment, report) -> dict:
    return {"assessment": assessment, "report": report, "framework": assessment.cycle.framework_version.rules(),
            "language": g.locale, "words": _words(),
            "status_labels": {k: str(v) for k, v in shown.STATUS_LABELS.items()},
            "status_tags": shown.STATUS_TAG_CLASSES,
            "origin_labels": {k: str(v) for k, v in shown.ORIGIN_LABELS.items()},
            "basis_label": shown.BASIS_LABELS[report.basis],
            "points": shown.points, "endpoint_exists": endpoint_exists,
            "cycle_label": lambda name: cycle_name(SimpleNamespace(name=name))}


@bp.route("/assessments/<int:assessment_id>/plan")
@login_required
def show(assessment_id: int):
    assessment = _readable(assessment_id)
    stamp, report = plan_page.report(services.session(), assessment)
    view = request.args.get("show", table.ALL)
    if view not in table.VIEWS:
        view = table.ALL
    rows = table.chosen(report.actions, view)
    pages = max(1, -(-len(rows) // table.PER_PAGE))
    page = min(parse_id(request.args.get("page")) or 1, pages)
    first = (page - 1) * table.PER_PAGE
    shown_rows = rows[first:first + table.PER_PAGE]
    may_edit = plans.may_edit_plan(current_user, assessment)
    form = GenerateForm(revision=str(report.revision))
    if report.exists:
        form.submit.label.text = _("Regenerate from the answers as they are now")
    action_url = id_url("plan.action", "action_id", assessment_id=assessment.id)
    # Kept under the plan's stamp (services/plan_page): a page of 25 rows is built once per change of the plan.
    actions_table = kept(("plan-actions", stamp, report.today, view, page, g.locale), lambda: _raw("govukTable")(
        table.actions_table(shown_rows, first + 1, len(rows), g.locale, action_url))) if shown_rows else None
    closed_table = (kept(("plan-closed", stamp, report.today, g.locale), lambda: _closed(report))
                    if report.closed else None)
    scores_table = kept(("plan-scores", stamp, g.locale),
                        lambda: get_template_attribute("plan/_macros.html", "scores_table")(report))
    return render_template("plan/show.html", form=form, may_edit=may_edit, view=view, views=table.VIEWS,
                           scores_table=scores_table,
                           counts=table.counts(report), actions_table=actions_table, closed_table=closed_table,
                           pagination=pagination(page, pages, "plan.show", _("Pages of actions"), anchor="actions",
                                                 assessment_id=assessment.id),
                           **_common(assessment, report))


def _raw(component: str):
    """A GOV.UK macro without the macro cache: for HTML kept whole (kept()), not compared again by its input."""
    return current_app.extensions["govuk_macros"][component]


def _closed(report) -> Markup:
    """What closed between cycles as a table; folded in a details element when it is more than a few rows."""
    html = Markup('<div class="csp-narrow-table">{}</div>').format(
        _raw("govukTable")(table.closed_table(report.closed, g.locale)))
    if len(report.closed) <= CLOSED_OPEN:
        return html
    summary = _("Show the %(num)d actions that closed", num=len(report.closed))
    return _raw("govukDetails")({"summaryText": summary, "html": html})


@bp.route("/assessments/<int:assessment_id>/plan/generate", methods=["POST"])
@login_required
def generate(assessment_id: int):
    assessment = _editable(assessment_id)
    form = GenerateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans.generate(services.session(), current_user, assessment.id, form.seen())
    except plans.PlanConflict:
        flash(_("Someone changed the plan after you opened the page, so it was not generated again. Check the "
                "plan below, then try again."), "error")
        return redirect(url_for("plan.show", assessment_id=assessment.id)), 303
    flash(_("The plan was generated from the answers.") if form.seen() == 0 else
          _("The plan was brought up to date with the answers. Owners, dates, statuses, notes and your own words "
            "were kept."), "success")
    return redirect(url_for("plan.show", assessment_id=assessment.id)), 303


# ----------------------------------------------------------------------------------------------------------
# Targets


def _target_criteria(framework, answers):
    """The criteria a target can be set for (visible, answered, not N/A), numbered by their place in the file."""
    visible = scoring.visible_criteria(framework, answers)
    return [(position, criterion) for position, criterion in enumerate(framework.criteria)
            if criterion.id in visible and answers.get(criterion.id) not in (None, scoring.NA)]


@bp.route("/assessments/<int:assessment_id>/plan/targets", methods=["GET", "POST"])
@login_required
def targets(assessment_id: int):
    assessment = _readable(assessment_id)
    may_edit = plans.may_edit_plan(current_user, assessment)
    if request.method == "POST" and not may_edit:
        abort(403)
    session = services.session()
    report = _report(assessment)
    framework = assessment.cycle.framework_version.rules()
    answers = {a.criterion_id: (scoring.NA if a.not_applicable else a.level) for a in report.answers
               if a.not_applicable or a.level is not None}
    criteria = _target_criteria(framework, answers)
    form = targets_form(framework, criteria, dict(report.targets))
    errors = []
    if request.method == "GET":
        form.revision.data = str(report.revision)
    elif form.validate_on_submit():
        posted = {}
        for position, criterion in criteria:
            raw = form[target_field_name(position)].data or ""
            posted[criterion.id] = int(raw) if raw.isdigit() else None
        try:
            plans.set_targets(session, current_user, assessment.id, posted, form.seen())
        except plans.PlanConflict as conflict:
            errors.append({"text": _conflict_message()})
            form.revision.data = str(conflict.revision or 0)
        except planning.TargetError as refused:
            position = next(p for p, c in criteria if c.id == refused.criterion_id)
            field = form[target_field_name(position)]
            field.errors = [_("Choose a level on the scale for %(id)s", id=refused.criterion_id)]
            errors.append({"text": field.errors[0], "href": f"#{field.id}"})
        else:
            flash(_("The targets were saved and the plan's actions follow them."), "success")
            return redirect(url_for("plan.show", assessment_id=assessment.id)), 303
    elif form.errors.get("csrf_token"):
        abort(400)
    where = {c.id: s for s in framework.standards for c in s.criteria}
    groups = [(s, [(p, c) for p, c in criteria if where[c.id].id == s.id]) for s in framework.standards]
    return render_template("plan/targets.html", form=form, criteria=criteria, answers=answers, errors=errors,
                           groups=[(s, rows) for s, rows in groups if rows],
                           may_edit=may_edit, field_name=target_field_name, **_common(assessment, report)), \
        400 if errors else 200


# ----------------------------------------------------------------------------------------------------------
# Actions


def _action_of(report, action_id: int):
    action = next((a for a in report.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


def _input(form, standard: str | None = None) -> plans.ActionInput:
    return plans.ActionInput(owner=form.owner.data, due_on=form.due_on.data, status=form.status.data,
                             notes=form.notes.data, text=form.text.data, standard_key=standard)


def _refusal(form, refused: plans.PlanRefused) -> dict:
    words = {"too_long": _("This is too long"), "required": _("Enter what the action is"),
             "invalid": _("Choose one of the options"), "not_own": _("Only your own actions can be deleted")}
    field = getattr(form, refused.field, None) if refused.field != "standard_key" else form.standard
    text = words.get(refused.code, words["invalid"])
    if field is not None:
        field.errors = [text]
        return {"text": text, "href": f"#{field.id}"}
    return {"text": text}


@bp.route("/assessments/<int:assessment_id>/plan/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def action(assessment_id: int, action_id: int):
    assessment = _readable(assessment_id)
    may_edit = plans.may_edit_plan(current_user, assessment)
    if request.method == "POST" and not may_edit:
        abort(403)
    report = _report(assessment)
    row = _action_of(report, action_id)
    form = ActionForm()
    errors = []
    if request.method == "GET":
        form.process(data={"owner": row.owner, "due_on": row.due_on, "status": row.status, "notes": row.notes,
                           "text": row.text(g.locale), "revision": str(report.revision)})
    elif form.validate_on_submit():
        try:
            plans.edit_action(services.session(), current_user, assessment.id, action_id, _input(form),
                              form.seen(), file_texts=_shown_texts(row))
        except plans.PlanConflict as conflict:
            errors.append({"text": _conflict_message()})
            form.revision.data = str(conflict.revision or 0)
        except plans.PlanRefused as refused:
            errors.append(_refusal(form, refused))
        except plans.NotAllowed:
            abort(404)  # deleted meanwhile
        else:
            flash(_("The action was saved."), "success")
            return redirect(_at(assessment, report, action_id)), 303
    elif form.errors.get("csrf_token"):
        abort(400)
    errors += _field_errors(form, errors)
    delete_form = DeleteForm(revision=form.revision.data) if row.criterion_id is None else None
    return render_template("plan/action.html", form=form, action=row, errors=errors, may_edit=may_edit,
                           delete_form=delete_form, back=_at(assessment, report, action_id),
                           **_common(assessment, report)), 400 if errors else 200


def _shown_texts(row) -> dict[str, str]:
    """The words the page showed for an action that is not the authority's own (saving them unchanged is not an
    edit): the file's text in each language, or the sentence said when the file has none."""
    if row.own_text is not None:
        return {}
    return dict(row.file_text) if row.file_text else {g.locale: row.text(g.locale)}


def _field_errors(form, shown: list[dict]) -> list[dict]:
    """The error summary's links to the fields in error that `shown` does not already link to."""
    linked = {e.get("href") for e in shown}
    found = [{"text": field.errors[0], "href": f"#{field.id}" if field.name != "due_on" else "#due_on-day"}
             for field in form if field.errors and field.name not in ("csrf_token", "revision")]
    return [e for e in found if e["href"] not in linked]


@bp.route("/assessments/<int:assessment_id>/plan/actions/new", methods=["GET", "POST"])
@login_required
def new_action(assessment_id: int):
    assessment = _editable(assessment_id)
    report = _report(assessment)
    if not report.exists:
        return redirect(url_for("plan.show", assessment_id=assessment.id)), 303
    framework = assessment.cycle.framework_version.rules()
    form = OwnActionForm()
    form.standard.choices = standard_choices(framework)
    errors = []
    if request.method == "GET":
        form.revision.data = str(report.revision)
    elif form.validate_on_submit():
        try:
            action_id = plans.add_action(services.session(), current_user, assessment.id,
                                         _input(form, form.standard.data or None), form.seen())
        except plans.PlanConflict as conflict:
            errors.append({"text": _conflict_message()})
            form.revision.data = str(conflict.revision or 0)
        except plans.PlanRefused as refused:
            errors.append(_refusal(form, refused))
        else:
            flash(_("Your action was added to the plan."), "success")
            return redirect(_at(assessment, report, action_id)), 303
    elif form.errors.get("csrf_token"):
        abort(400)
    errors += _field_errors(form, errors)
    return render_template("plan/new_action.html", form=form, errors=errors,
                           **_common(assessment, report)), 400 if errors else 200


@bp.route("/assessments/<int:assessment_id>/plan/actions/<int:action_id>/delete", methods=["POST"])
@login_required
def delete_action(assessment_id: int, action_id: int):
    assessment = _editable(assessment_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans.delete_action(services.session(), current_user, assessment.id, action_id, form.seen())
    except plans.PlanConflict:
        flash(_("Someone changed the plan after you opened the page, so the action was not deleted. Check it, "
                "then try again."), "error")
        return redirect(url_for("plan.action", assessment_id=assessment.id, action_id=action_id)), 303
    except plans.PlanRefused:
        abort(400)
    except plans.NotAllowed:
        abort(404)
    flash(_("The action was deleted."), "success")
    return redirect(url_for("plan.show", assessment_id=assessment.id)), 303


# ----------------------------------------------------------------------------------------------------------
# Downloads


def _download(assessment_id: int, kind: str) -> Response:
    assessment = _readable(assessment_id)
    report = _report(assessment)
    header, rows = shown.action_header(), shown.action_rows(report, g.locale)
    name = shown.export_name(report)
    if kind == "csv":
        return Response(exports.to_csv(header, rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(exports.to_xlsx(header, rows, _("Improvement plan")),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@bp.route("/assessments/<int:assessment_id>/plan.xlsx")
@login_required
def download_xlsx(assessment_id: int):
    return _download(assessment_id, "xlsx")


@bp.route("/assessments/<int:assessment_id>/plan.csv")
@login_required
def download_csv(assessment_id: int):
    return _download(assessment_id, "csv")


@bp.app_template_filter("iso_date")
def iso_date(value: str) -> str:
    """A date the audit log keeps as text (2027-03-31), as people read dates (31 March 2027)."""
    try:
        return long_date(date.fromisoformat(value))
    except ValueError:
        return value


@bp.app_template_global("may_read_plan")
def may_read_plan(assessment) -> bool:
    """Whether the signed-in user may open the assessment's plan (for links to it from other pages)."""
    return current_user.is_authenticated and plans.may_read_plan(current_user, assessment)
