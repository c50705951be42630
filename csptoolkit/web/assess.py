"""The assessment journey: home and task list, a page per standard, check answers, submit, history, evidence."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import services
from ..domain import scoring
from ..domain import standards as rules
from ..domain.identifiers import parse_id
from ..domain.roles import ADMIN, CHAMPION, EDITOR
from ..domain.states import DRAFT, IN_REVIEW, MODERATED_STATES
from ..reports import answers as answer_sections
from ..reports import assessments as lists
from ..reports import moderation as review_rows
from ..services import answers as answers_service
from ..services import assessments as service
from ..services import evidence as evidence_service
from ..services import moderation
from ..services.scores import MODERATED, answers_of, is_moderated, score_of
from .auth import PENDING_SAVE_KEY, keep_for_after_sign_in, owner_token, owns_pending_save
from .forms import ConfirmForm, DeclarationForm, StartForm, answer_value, build_standard_form, choice_of
from .templating import kept
from .text import answer_text, evidence_refusal, localised

bp = Blueprint("assess", __name__)


def _answers(assessment) -> list:
    """The assessment's answers as this request read them (once: plain rows, no ORM objects)."""
    if getattr(g, "answers_of", (None,))[0] != assessment.id:
        g.answers_of = (assessment.id, service.answer_views(services.session(), assessment))
    return g.answers_of[1]


def _fresh_answers(assessment) -> list:
    """The answers again, after this request changed them."""
    g.pop("answers_of", None)
    return _answers(assessment)


def _viewable(assessment_id: int):
    try:
        return service.viewable(services.session(), current_user, assessment_id)
    except service.NotAllowed:
        abort(404)


def _standard(framework: rules.Framework, key: str) -> tuple[rules.Domain, rules.Standard]:
    for domain in framework.domains:
        for standard in domain.standards:
            if standard.id == key:
                return domain, standard
    abort(404)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    if current_user.role == ADMIN:
        return redirect(url_for("admin.assessments"))
    if current_user.role == CHAMPION:
        from . import champion  # "Your peer reviews": the champion's own journey starts here

        return champion.home()
    store = services.session()
    cycle = service.open_cycle(store)
    assessment = service.assessment_for(store, current_user.organisation_id, cycle) if cycle else None
    previous = None
    if cycle is not None and assessment is None:
        previous = service.previous_assessment(store, current_user.organisation_id, cycle)
    return render_template("assess/home.html", cycle=cycle, assessment=assessment, previous=previous,
                           start_form=StartForm(), **(_overview(assessment) if assessment else {}))


def _overview(assessment) -> dict:
    tasks = service.task_list(assessment, _answers(assessment))
    pattern = url_for("assess.standard", assessment_id=assessment.id, key="__standard__")
    words = {"completed": _("Completed"), "in_progress": _("In progress"), "not_started": _("Not started"),
             "answered": _("%(answered)d of %(asked)d questions answered")}
    task_lists = lists.task_lists(tasks, lambda key: pattern.replace("__standard__", quote(key)), localised, words)
    return {"tasks": tasks, "task_lists": task_lists, "framework": assessment.cycle.framework_version.rules(),
            **_scores(assessment),
            "completed": sum(1 for d in tasks for s in d["standards"] if s["status"] == "completed"),
            "total": sum(len(d["standards"]) for d in tasks)}


def _scores(assessment) -> dict:
    """The self-assessed scores, the moderated ones once there are any, and who submitted."""
    rows = _answers(assessment)
    return {"result": score_of(assessment, rows=rows),
            "moderated": score_of(assessment, MODERATED, rows) if is_moderated(rows) else None,
            "submitter": service.submitter(services.session(), assessment)}


@bp.route("/assessments/<int:assessment_id>")
@login_required
def overview(assessment_id: int):
    assessment = _viewable(assessment_id)
    shown = _overview(assessment)
    return render_template("assess/overview.html", assessment=assessment, cycle=assessment.cycle,
                           **shown, **_peer_review(assessment, shown["framework"], shown["result"],
                                                   shown["moderated"]))


def _peer_review(assessment, framework: rules.Framework, result: scoring.Result,
                 moderated: scoring.Result | None) -> dict:
    """The overview's peer review: its state, what awaits the authority's answer, the champions, the confidence
    mix of the ratings (any submitted assessment) and, once moderated, the gap between self and moderated scores.
    From the answers the page already read: the review adds its own few queries, whatever its size."""
    if assessment.state == DRAFT:
        return {"review": None, "review_shown": False}
    review = moderation.review_of(services.session(), assessment, _answers(assessment))
    shown = bool(assessment.state in (IN_REVIEW, *MODERATED_STATES) or review.findings or review.champions)
    gaps = None
    if assessment.state in MODERATED_STATES and moderated is not None:
        gaps = review_rows.gaps_table(
            review_rows.gap_rows(framework, result, moderated),
            _("Self-assessed and moderated scores, out of 100, and the gap between them"), g.locale, localised)
    links = {}
    if current_user.role == CHAMPION:
        if "champion.review" in current_app.view_functions:
            links["champion"] = url_for("champion.review", assessment_id=assessment.id)
    else:
        links["responses"] = url_for("responses.review", assessment_id=assessment.id)
    return {"review": review, "review_shown": shown, "gaps": gaps, "review_links": links,
            "may_respond": moderation.may_respond(current_user, assessment),
            "confidence": review_rows.confidence_summary(review.mix)}


@bp.route("/cycles/<slug>/start", methods=["POST"])
@login_required
def start(slug: str):
    store = services.session()
    cycle = service.cycle_by_slug(store, slug)
    if cycle is None or current_user.role != EDITOR:
        abort(404)
    if cycle is not service.open_cycle(store):
        flash(_("This cycle is not open."), "error")
        return redirect(url_for("assess.home"))
    form = StartForm()
    previous = service.previous_assessment(store, current_user.organisation_id, cycle)
    if previous is not None and not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return render_template("assess/home.html", cycle=cycle, assessment=None, previous=previous,
                               start_form=form), 400
    if previous is None and not form.validate() and form.errors.get("csrf_token"):
        abort(400)
    assessment = service.start(store, current_user, cycle, carry_over=form.carry_over.data == "yes")
    carried = sum(1 for a in _answers(assessment) if a.carried_over)
    if carried:
        flash(ngettext("%(num)d answer was carried over from last cycle. Check and save each standard to "
                       "confirm it.", "%(num)d answers were carried over from last cycle. Check and save each "
                       "standard to confirm them.", carried), "info")
    return redirect(url_for("assess.home"))


# ----------------------------------------------------------------------------------------------------------
# A standard's page


@bp.route("/assessments/<int:assessment_id>/standards/<key>", methods=["GET", "POST"])
def standard(assessment_id: int, key: str):
    if not current_user.is_authenticated:
        if request.method == "POST":
            return keep_for_after_sign_in()
        return current_app.login_manager.unauthorized()
    assessment = _viewable(assessment_id)
    framework = assessment.cycle.framework_version.rules()
    domain, standard_rules = _standard(framework, key)
    editable = service.can_edit(current_user, assessment)
    if not editable:
        if request.method == "POST":
            flash(_("This assessment has been submitted and can no longer be changed."), "error")
            return redirect(url_for("assess.standard", assessment_id=assessment.id, key=key)), 303
        # Each rating's confidence, once submitted (a draft's are the authority's own until it is).
        confidence = {} if assessment.state == DRAFT else moderation.review_of(
            services.session(), assessment, _answers(assessment)).confidence
        return render_template("assess/standard_read.html", assessment=assessment, domain=domain,
                               standard=standard_rules, rows=service.answers_by_key(_answers(assessment)),
                               framework=framework, visible=scoring.visible_criteria(
                                   framework, answers_of(_answers(assessment))),
                               confidence=confidence, confidence_tag=review_rows.confidence_tag)
    pending = session.get(PENDING_SAVE_KEY)
    if request.method == "GET" and pending and pending.get("path") == request.path:
        return _restore(assessment, framework, domain, standard_rules, pending)
    return _edit(assessment, framework, domain, standard_rules)


def _form_for(assessment, framework: rules.Framework, standard_rules: rules.Standard,
              answers: dict, restored: MultiDict | None = None):
    """The standard's form; a restored save (already proved to be the user's) is read without a CSRF token."""
    visible = scoring.visible_criteria(framework, answers)
    form_class, fields = build_standard_form(framework, standard_rules, visible, str(_locale()))
    if restored is not None:
        return form_class(formdata=restored, meta={"csrf": False}), fields
    return form_class(), fields


def _locale() -> str:
    return str(get_locale())


def _edit(assessment, framework: rules.Framework, domain: rules.Domain, standard_rules: rules.Standard,
          restored: dict | None = None, message: str | None = None):
    rows = service.answers_by_key(_answers(assessment))
    stored = answers_of(_answers(assessment))
    form, fields = _form_for(assessment, framework, standard_rules, stored)
    conflict: answers_service.Conflict | None = None
    if request.method == "POST" or restored is not None:
        if restored is not None:
            form, fields = _form_for(assessment, framework, standard_rules, stored, MultiDict(restored))
            valid = form.validate()
        else:
            valid = form.validate_on_submit()
        if valid:
            outcome = _save(assessment, framework, standard_rules, form, fields, rows)
            if isinstance(outcome, answers_service.Conflict):
                conflict = outcome
            elif outcome is not None:
                return outcome
            rows = service.answers_by_key(_fresh_answers(assessment))  # as saved: the files that were kept
    else:
        form.revision.data = answers_service.revision(_answers(assessment), standard_rules)
        for names in fields:
            form[names.answer].data = choice_of(names.criterion, framework, stored.get(names.criterion.id))
            row = rows.get(names.criterion.id)
            form[names.note].data = row.evidence_note if row else None
    return render_template(
        "assess/standard.html", assessment=assessment, domain=domain, standard=standard_rules, form=form,
        fields=fields, rows=rows, framework=framework, conflict=conflict, message=message,
        owner=owner_token(assessment.id),
        next_key=_next_standard(framework, standard_rules), confirm_form=ConfirmForm(), return_to=_return_to(),
    ), (409 if conflict else 400 if form.errors else 200)


def _next_standard(framework: rules.Framework, standard_rules: rules.Standard) -> str | None:
    keys = [s.id for s in framework.standards]
    position = keys.index(standard_rules.id)
    return keys[position + 1] if position + 1 < len(keys) else None


def _return_to() -> str | None:
    """"check" when the person came from check answers (a blocker or Change link): saving goes back there."""
    return "check" if request.values.get("return") == "check" else None


def _return_args() -> dict[str, str]:
    return {"return": "check"} if _return_to() else {}


def _save(assessment, framework: rules.Framework, standard_rules: rules.Standard, form, fields, rows):
    """Store the posted answers and files; return a redirect, a Conflict, or None to show the page again."""
    submissions = {
        names.criterion.id: answers_service.Submission(
            answer_value(names.criterion, framework, form[names.answer].data), form[names.note].data)
        for names in fields
    }
    uploads = [answers_service.Upload(names.criterion.id, upload.filename, upload.stream)
               for names in fields for upload in request.files.getlist(names.files) if upload and upload.filename]
    removed = request.form.get("remove_evidence")
    try:
        saved = answers_service.save_page(
            services.session(), current_user, assessment, standard_rules.id, submissions, form.revision.data or "",
            force=request.form.get("overwrite") == "yes", uploads=uploads, remove_evidence=parse_id(removed),
            folder=Path(current_app.config["EVIDENCE_PATH"]), quota=_quota())
    except answers_service.Conflict as conflict:
        form.revision.data = conflict.revision
        return conflict
    except service.NotEditable:
        flash(_("This assessment has been submitted and can no longer be changed."), "error")
        return redirect(url_for("assess.standard", assessment_id=assessment.id, key=standard_rules.id)), 303
    if saved.refused:
        by_criterion = {names.criterion.id: names for names in fields}
        for criterion_id, refused in saved.refused:
            field = form[by_criterion[criterion_id].files]
            field.errors = [*field.errors, evidence_refusal(refused, _quota())]
        form.revision.data = answers_service.revision(_fresh_answers(assessment), standard_rules)
        return None
    if saved.revealed:
        flash(_("Your answers were saved. A follow-up question has appeared on this page."), "info")
        return redirect(url_for("assess.standard", assessment_id=assessment.id, key=standard_rules.id,
                                **_return_args())), 303
    if removed or request.form.get("upload"):
        flash(_("Your answers were saved."), "success")
        return redirect(url_for("assess.standard", assessment_id=assessment.id, key=standard_rules.id,
                                **_return_args())), 303
    if "save_later" in request.form:
        flash(_("Your answers were saved. You can come back to this assessment at any time."), "success")
        return redirect(url_for("assess.home")), 303
    if _return_to() == "check":
        flash(_("Your answers were saved."), "success")
        return redirect(url_for("assess.check", assessment_id=assessment.id)), 303
    next_key = _next_standard(framework, standard_rules)
    if next_key is None:
        return redirect(url_for("assess.check", assessment_id=assessment.id)), 303
    return redirect(url_for("assess.standard", assessment_id=assessment.id, key=next_key)), 303


def _quota() -> evidence_service.Quota:
    config = current_app.config
    return evidence_service.Quota(
        config["MAX_EVIDENCE_BYTES"], config["MAX_EVIDENCE_FILES_PER_ANSWER"],
        config["MAX_EVIDENCE_FILES_PER_ASSESSMENT"], config["MAX_EVIDENCE_BYTES_PER_ASSESSMENT"])


def _restore(assessment, framework: rules.Framework, domain: rules.Domain, standard_rules: rules.Standard,
             pending: dict):
    """After signing in again: save the kept answers, if they were kept for this person, this assessment and this
    browser (auth.owns_pending_save). Anything else is dropped unseen: answers nobody can prove are the person's own
    are never put in front of them."""
    session.pop(PENDING_SAVE_KEY, None)
    if not owns_pending_save(pending, current_user.id, assessment.id):
        return _edit(assessment, framework, domain, standard_rules)
    files_note = _(" Files you had chosen could not be kept: choose them again.") if pending.get("had_files") else ""
    response = _edit(assessment, framework, domain, standard_rules, restored=pending.get("form", {}),
                     message=_("We kept the answers you were saving when your session expired. Check them and "
                               "save.") + files_note)
    if isinstance(response, tuple) and getattr(response[0], "status_code", 200) in (302, 303):
        flash(_("We saved the answers you were working on before your session expired.") + files_note, "success")
    return response


# ----------------------------------------------------------------------------------------------------------
# Check answers, submit, history, evidence


@bp.route("/assessments/<int:assessment_id>/check")
@login_required
def check(assessment_id: int):
    assessment = _viewable(assessment_id)
    return _check_page(assessment, DeclarationForm())


def _check_page(assessment, form: DeclarationForm, status: int = 200):
    framework = assessment.cycle.framework_version.rules()
    editable = service.can_edit(current_user, assessment)
    rows = service.answers_by_key(_answers(assessment))
    scores = _scores(assessment)
    change = None
    if editable:
        pattern = url_for("assess.standard", assessment_id=assessment.id, key="__standard__", _anchor="__anchor__",
                          **{"return": "check"})
        change = lambda standard, criterion: pattern.replace(  # noqa: E731
            "__standard__", quote(standard)).replace("__anchor__", quote(f"criterion-{criterion}"))
    # Kept by the answers themselves (plain rows) and what else the HTML shows: not built again until they change.
    answers_html = kept(
        ("answers", assessment.id, framework.content_hash, tuple(_answers(assessment)), editable, g.locale),
        lambda: get_template_attribute("assess/_macros.html", "answers_by_domain")(framework, answer_sections.sections(
            framework, scores["result"], rows, service.has_evidence(_answers(assessment)), text=localised,
            answer=lambda criterion, row: answer_text(framework, criterion, row), change_url=change)))
    return render_template("assess/check.html", assessment=assessment, framework=framework,
                           blockers=service.blockers(assessment, _answers(assessment)), rows=rows, form=form,
                           editable=editable, answers_html=answers_html, **scores), status


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@login_required
def submit(assessment_id: int):
    assessment = _viewable(assessment_id)
    if not service.can_edit(current_user, assessment):
        if current_user.role != EDITOR or current_user.organisation_id != assessment.organisation_id:
            abort(403)
        flash(_("This assessment has already been submitted."), "info")
        return redirect(url_for("assess.check", assessment_id=assessment.id)), 303
    form = DeclarationForm()
    if not form.validate_on_submit():
        return _check_page(assessment, form, 400)
    if service.blockers(assessment, _answers(assessment)):
        flash(_("Answer every question and add the evidence asked for before you submit."), "error")
        return _check_page(assessment, form, 400)
    service.submit(services.session(), current_user, assessment)
    return redirect(url_for("assess.submitted", assessment_id=assessment.id)), 303


@bp.route("/assessments/<int:assessment_id>/submitted")
@login_required
def submitted(assessment_id: int):
    assessment = _viewable(assessment_id)
    return render_template("assess/submitted.html", assessment=assessment)


@bp.route("/assessments/<int:assessment_id>/history")
@login_required
def history(assessment_id: int):
    assessment = _viewable(assessment_id)
    events, people = service.history(services.session(), assessment)
    framework = assessment.cycle.framework_version.rules()
    return render_template("assess/history.html", assessment=assessment, events=events, people=people,
                           framework=framework, criteria={c.id: c for c in framework.criteria})


@bp.route("/evidence/<int:evidence_id>")
@login_required
def download(evidence_id: int):
    try:
        evidence, _assessment = evidence_service.for_download(services.session(), current_user, evidence_id)
    except service.NotAllowed:
        abort(404)
    path = Path(current_app.config["EVIDENCE_PATH"]) / evidence.stored_name
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=evidence.content_type, as_attachment=True, download_name=evidence.filename)
