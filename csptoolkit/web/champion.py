"""The commissioning champion's peer reviews: their list (the home page), each review's overview with completing
moderation, and reviewing a standard's criteria (findings, the evidence sample, a comment)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, RadioField, SelectField, SubmitField, TextAreaField

from .. import services
from ..domain import moderation as rules
from ..domain import scoring
from ..domain import standards as standards_rules
from ..domain.identifiers import parse_id
from ..domain.states import MODERATED_STATES
from ..reports import moderation as moderation_rows
from ..reports import reviews as shown
from ..services import assessments as service
from ..services import catalogue, moderation, review_lists, reviews
from ..services.scores import SELF, answers_of, score_answers, score_of
from .forms import options
from .templating import fragment, id_url, macro, pagination
from .text import STATE_LABELS, answer_text, cycle_name, localised, state_tag
from .widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea

bp = Blueprint("champion", __name__)
PER_PAGE = 50


class ReviewsFilterForm(Form):
    """The choices above the list (a GET form: it changes nothing, so it needs no CSRF token)."""

    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    state = SelectField(_l("Status"), widget=GovSelect(), choices=[])
    sort = SelectField(_l("Sort by"), widget=GovSelect(), choices=[])


class CompleteForm(FlaskForm):
    complete = SubmitField(_l("Complete moderation"), widget=GovSubmitInput())


# ----------------------------------------------------------------------------------------------------------
# The champion's home page: their reviews


def home():
    """"Your peer reviews" (the page at / for a champion: assess.home calls it), filtered, sorted, 50 a page."""
    session = services.session()
    cycles = catalogue.cycles(session)
    form = ReviewsFilterForm(request.args)
    form.cycle.choices = options([("", _("All cycles"))] + [(c.slug, cycle_name(c)) for c in cycles])
    cycle = next((c for c in cycles if c.slug == form.cycle.data), None) if form.cycle.data else None
    if form.cycle.data and cycle is None:
        abort(404)
    form.state.choices = options([("", _("Any status"))] + [(s, STATE_LABELS[s]) for s in reviews.REVIEWABLE_STATES])
    form.sort.choices = options([("name", _("Authority name")), ("status", _("Status")),
                                 ("progress", _("Progress, least first"))])
    state = form.state.data if form.state.data in reviews.REVIEWABLE_STATES else None
    form.sort.data = form.sort.data if form.sort.data in review_lists.SORTS else "name"
    page = review_lists.champion_reviews(session, current_user, cycle_id=cycle.id if cycle else None, state=state,
                                         sort=form.sort.data, page=parse_id(request.args.get("page")) or 1,
                                         per_page=PER_PAGE)
    names = {c.id: cycle_name(c) for c in cycles}
    # Kept by the rows themselves (plain values): the same page of the list is not built again.
    table = fragment(("champion-reviews", page.rows, g.locale), "govukTable", lambda: shown.reviews_table(
        page.rows, _("Your peer reviews, with how far each has got"), id_url("champion.review", "assessment_id"),
        lambda s: macro("govukTag")(state_tag(s)), lambda row: names.get(row.cycle_id, row.cycle_name)))
    return render_template("champion/home.html", form=None, filters=form, page=page, table=table,
                           pagination=pagination(page.page, page.pages, "assess.home", _("Pages of your peer reviews")))


# ----------------------------------------------------------------------------------------------------------
# A review's overview, and completing moderation


def _reviewable(assessment_id: int):
    try:
        return moderation.reviewable(services.session(), current_user, assessment_id)
    except service.NotAllowed:
        abort(404)


def _reviewing(assessment) -> bool:
    return moderation.may_review(current_user, assessment,
                                 moderation.assigned(services.session(), current_user, assessment))


def _criterion_url(assessment_id: int):
    pattern = url_for("champion.standard", assessment_id=assessment_id, key="__standard__", _anchor="__criterion__")
    return lambda key, cid: pattern.replace("__standard__", quote(key)).replace(
        "__criterion__", quote(f"criterion-{cid}"))


@bp.route("/reviews/<int:assessment_id>")
@login_required
def review(assessment_id: int):
    return _overview(_reviewable(assessment_id))


def _overview(assessment, errors: dict | None = None, status: int = 200):
    session = services.session()
    rows = service.answer_views(session, assessment)
    found = moderation.review_of(session, assessment, rows)
    framework = assessment.cycle.framework_version.rules()
    standard_url = url_for("champion.standard", assessment_id=assessment.id, key="__standard__")
    tasks = shown.task_lists(shown.standard_reviews(framework, found),
                             lambda key: standard_url.replace("__standard__", quote(key)), localised)
    return render_template(
        "champion/review.html", form=None, assessment=assessment, review=found, tasks=tasks, errors=errors,
        left=shown.outstanding_items(framework, found.outstanding, _criterion_url(assessment.id)),
        gaps=shown.overview_gaps(framework, score_of(assessment, SELF, rows),
                                 score_answers(assessment.cycle.framework_version, found.moderated),
                                 assessment.state in MODERATED_STATES, g.locale, localised),
        confidence=moderation_rows.confidence_summary(found.mix), reviewing=_reviewing(assessment),
        complete_form=CompleteForm()), status


@bp.route("/reviews/<int:assessment_id>/complete", methods=["POST"])
@login_required
def complete(assessment_id: int):
    assessment = _reviewable(assessment_id)
    CompleteForm().validate_on_submit()  # the CSRF token is checked for every POST (extensions.csrf)
    try:
        moderation.complete(services.session(), current_user, assessment)
    except moderation.ModerationRefused as refused:
        if refused.reason == "outstanding":
            framework = assessment.cycle.framework_version.rules()
            found = moderation.review_of(services.session(), assessment)
            errors = {"titleText": _("Moderation cannot be completed yet"),
                      "descriptionText": _("Record a finding or a moderated level for each of these first:"),
                      "errorList": shown.outstanding_items(framework, found.outstanding,
                                                           _criterion_url(assessment.id))}
        else:
            errors = {"titleText": _("There is a problem"),
                      "errorList": [{"text": _refusal(refused.reason, assessment), "href": "#complete"}]}
        return _overview(assessment, errors, 400)
    flash(_("Moderation of %(name)s is complete. Its moderated scores are stored and its editors are told.",
            name=assessment.organisation.name), "success")
    return redirect(url_for("champion.review", assessment_id=assessment.id)), 303


def _refusal(reason: str, assessment) -> str:
    """Why the review cannot be changed now (services.moderation.ModerationRefused names the rule)."""
    if reason == "not_assigned":
        return _("Only a champion assigned to this assessment records findings and completes its moderation.")
    if reason == "outstanding":
        return _("Moderation cannot be completed yet: some sampled criteria have no finding, or a challenge or "
                 "request is not settled.")
    if reason == "unknown":
        return _("This standard is not in the assessment's version of the standards.")
    return _("The assessment is %(state)s: findings are recorded and moderation completed only while it is in "
             "review.", state=STATE_LABELS[assessment.state])


# ----------------------------------------------------------------------------------------------------------
# Reviewing a standard


def _standard(framework: standards_rules.Framework, key: str):
    for domain in framework.domains:
        for standard in domain.standards:
            if standard.id == key:
                return domain, standard
    abort(404)


@bp.route("/reviews/<int:assessment_id>/standards/<key>", methods=["GET", "POST"])
@login_required
def standard(assessment_id: int, key: str):
    assessment = _reviewable(assessment_id)
    session = services.session()
    framework = assessment.cycle.framework_version.rules()
    domain, standard_rules = _standard(framework, key)
    rows = service.answer_views(session, assessment)
    found = moderation.review_of(session, assessment, rows)
    items = shown.criterion_reviews(standard_rules, found, service.answers_by_key(rows),
                                    scoring.visible_criteria(framework, answers_of(rows)))
    page = {"assessment": assessment, "domain": domain, "standard": standard_rules, "framework": framework,
            "items": items, "review": found, "language": g.locale,
            "comment": found.comments.get(standard_rules.id, ""), "confidence_tag": moderation_rows.confidence_tag,
            "response_label": moderation_rows.response_label, "finding_rows": shown.finding_rows,
            "answer_text": answer_text}
    if not _reviewing(assessment):
        if request.method == "POST":
            assigned = moderation.assigned(session, current_user, assessment) is not None
            flash(_refusal("state" if assigned else "not_assigned", assessment), "error")
            return redirect(url_for("champion.standard", assessment_id=assessment.id, key=key)), 303
        return render_template("champion/standard.html", form=None, **page)
    form = _review_form(framework, items)
    if request.method == "POST" and form.validate_on_submit():
        saved = _save(assessment, standard_rules, items, form)
        if saved is not None:
            return saved
    elif request.method == "GET":
        _fill(form, items, page["comment"])
    if request.method == "GET":
        form.revision.data = moderation.standard_revision(found, framework, standard_rules.id)
    elif form.errors.get("revision"):
        # After a conflict the page carries what is stored now (read again: the other save may have committed
        # after this request first read the review), so saving again is a deliberate choice.
        fresh = moderation.review_of(session, assessment, rows)
        form.revision.data = moderation.standard_revision(fresh, framework, standard_rules.id)
    return render_template("champion/standard.html", form=form, **page), (400 if form.errors else 200)


OUTCOME_CHOICES = (("", _l("No finding yet")), (rules.AGREE, _l("Agree")), (rules.CHALLENGE, _l("Challenge")),
                   (rules.EVIDENCE_REQUESTED, _l("Evidence requested")))


def _review_form(framework: standards_rules.Framework, items: list[shown.CriterionReview]) -> FlaskForm:
    """The standard's form: a finding for each rated criterion (with a proposed level and reason for a challenge,
    what is wanted for a request, and a moderated level once the authority has answered), a tick to add an
    unsampled one to the evidence sample, and a comment on the standard."""
    shape = tuple((item.criterion.id, item.index, item.sampled, item.answered) for item in items if item.rated)
    key = (framework.framework, framework.version, framework.content_hash, shape, g.locale)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        if len(_FORM_CLASSES) >= 256:
            _FORM_CLASSES.clear()
        form_class = _FORM_CLASSES[key] = _review_form_class(framework, shape, g.locale)
    return form_class()


# The form's class, made once for each shape of a standard's review (which criteria are rated, sampled and
# answered) and language: its fields' labels and choices depend on nothing else.
_FORM_CLASSES: dict[tuple, type[FlaskForm]] = {}


def _review_form_class(framework: standards_rules.Framework, shape: tuple, locale: str) -> type[FlaskForm]:

    class ReviewForm(FlaskForm):
        pass

    # Made for one language, so its words are plain text once, not lazy strings translated at every render.
    outcomes = options([(value, str(label)) for value, label in OUTCOME_CHOICES])
    for cid, i, sampled, answered in shape:
        criterion = framework.criterion(cid)
        levels = shown.level_options(framework, criterion, locale)
        setattr(ReviewForm, f"c{i}_outcome", RadioField(
            _("Your finding on %(id)s", id=cid), widget=GovRadioInput(), choices=outcomes,
            validate_choice=False, description=_("In the evidence sample: look at its evidence and record a finding.")
            if sampled else _("Not in the evidence sample: without a finding, its rating counts as agreed.")))
        setattr(ReviewForm, f"c{i}_proposed", SelectField(
            _("Level you propose for %(id)s", id=cid), widget=GovSelect(), validate_choice=False,
            choices=options([("", _("Select a level"))] + levels)))
        setattr(ReviewForm, f"c{i}_reason", TextAreaField(_("Why you challenge the rating of %(id)s", id=cid),
                                                          widget=GovTextArea()))
        setattr(ReviewForm, f"c{i}_wanted", TextAreaField(_("What evidence is wanted for %(id)s", id=cid),
                                                          widget=GovTextArea()))
        if answered:
            setattr(ReviewForm, f"c{i}_moderated", SelectField(
                _("Moderated level of %(id)s", id=cid), widget=GovSelect(), validate_choice=False,
                description=_("The level the rating takes after moderation, now the authority has answered."),
                choices=options([("", _("No moderated level yet"))] + levels)))
        if not sampled:
            setattr(ReviewForm, f"c{i}_sample", BooleanField(_("Add %(id)s to the evidence sample", id=cid),
                                                             widget=GovCheckboxInput()))
    ReviewForm.comment = TextAreaField(
        _("Comment on this standard (optional)"), widget=GovTextArea(),
        description=_("What the authority and the programme should read about this standard as a whole."))
    ReviewForm.revision = HiddenField()  # what the page showed: a save over someone else's change is refused
    ReviewForm.save = SubmitField(_("Save findings"), widget=GovSubmitInput())
    return ReviewForm


def _fill(form: FlaskForm, items: list[shown.CriterionReview], comment: str) -> None:
    """The form as the review stands (a GET)."""
    for item in items:
        if not item.rated:
            continue
        i, finding = item.index, item.finding
        form[f"c{i}_outcome"].data = finding.outcome if finding else ""
        if finding is None:
            continue
        if finding.proposed_level is not None:
            form[f"c{i}_proposed"].data = str(finding.proposed_level)
        form[f"c{i}_wanted" if finding.outcome == rules.EVIDENCE_REQUESTED else f"c{i}_reason"].data = finding.reason
        if item.answered and finding.moderated_level is not None:
            form[f"c{i}_moderated"].data = str(finding.moderated_level)
    form.comment.data = comment


def _level(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 4 else None


def _save(assessment, standard_rules: standards_rules.Standard, items: list[shown.CriterionReview], form):
    """Add the ticked criteria to the sample, then record the findings; a redirect, or None to show the page
    again with the refusals on their fields."""
    session = services.session()
    entries: dict[str, moderation.Entry] = {}
    ticked = []
    for item in items:
        if not item.rated:
            continue
        i = item.index
        outcome = form[f"c{i}_outcome"].data or None
        reason = form[f"c{i}_wanted"].data if outcome == rules.EVIDENCE_REQUESTED else form[f"c{i}_reason"].data
        entries[item.criterion.id] = moderation.Entry(
            outcome, _level(form[f"c{i}_proposed"].data) if outcome == rules.CHALLENGE else None,
            reason if outcome in rules.QUESTIONED else None,
            _level(form[f"c{i}_moderated"].data) if item.answered else None)
        if not item.sampled and form[f"c{i}_sample"].data:
            ticked.append(item)
    try:
        if ticked:
            try:
                moderation.add_to_sample(session, current_user, assessment, [t.criterion.id for t in ticked])
            except ValueError as refused:
                named = next((t for t in ticked if str(refused).startswith(f"{t.criterion.id}:")), ticked[0])
                form[f"c{named.index}_sample"].errors.append(_(
                    "%(id)s cannot be added to the evidence sample: only a rated criterion can",
                    id=named.criterion.id))
                return None
        moderation.record_findings(session, current_user, assessment, standard_rules.id, entries,
                                   form.comment.data or "", seen_revision=form.revision.data or "")
    except moderation.ReviewConflict:
        form.revision.errors.append(_(
            "Someone else saved findings on this standard after you opened it, so yours were not saved. Your "
            "entries are kept below: open the page again to see theirs, or save again to replace them with yours."))
        return None
    except moderation.ModerationRefused as refused:
        form.save.errors.append(_refusal(refused.reason, assessment))
        return None
    except moderation.FindingsRefused as refused:
        by_id = {item.criterion.id: item for item in items}
        for error in refused.errors:
            item = by_id.get(error.criterion_id)
            name = _field_of(error, item, entries.get(error.criterion_id))
            field = getattr(form, name, form.save)
            field.errors.append(_finding_error(error, entries.get(error.criterion_id)))
        return None
    flash(_("Your findings on %(id)s %(title)s were saved.", id=standard_rules.id,
            title=localised(standard_rules.title).striptags()), "success")
    return redirect(url_for("champion.review", assessment_id=assessment.id)), 303


def _field_of(error: rules.FindingError, item: shown.CriterionReview | None, entry: moderation.Entry | None) -> str:
    """The form field a refusal belongs to."""
    if error.field == "comment" or item is None:
        return "comment" if error.field == "comment" else "save"
    i = item.index
    if error.field == "proposed_level":
        return f"c{i}_proposed"
    if error.field == "reason":
        return f"c{i}_wanted" if entry and entry.outcome == rules.EVIDENCE_REQUESTED else f"c{i}_reason"
    if error.field == "moderated_level" and item.answered:
        return f"c{i}_moderated"
    return f"c{i}_outcome"


def _finding_error(error: rules.FindingError, entry: moderation.Entry | None) -> str:
    """A refused finding as a GOV.UK error message, from the rule it broke (FindingError.field and code)."""
    cid, field, code = error.criterion_id, error.field, error.code
    if field == "comment":
        return _("The comment must be %(n)d characters or fewer", n=moderation.COMMENT_MAX)
    if code == "too_long":
        return _("The text for %(id)s must be %(n)d characters or fewer", id=cid, n=rules.REASON_MAX)
    if field == "reason":
        if entry is not None and entry.outcome == rules.EVIDENCE_REQUESTED:
            return _("Enter what evidence is wanted for %(id)s", id=cid)
        return _("Enter why you challenge the rating of %(id)s", id=cid)
    words = {
        ("proposed_level", "same_level"): _("Propose a level other than the authority's rating for %(id)s", id=cid),
        ("proposed_level", "out_of_scale"): _("Select a level on the scale of %(id)s", id=cid),
        ("proposed_level", "required"): _("Select the level you propose for %(id)s", id=cid),
        # Only a changed question gets here (the level is offered once the authority has answered).
        ("moderated_level", "not_answered"): _(
            "You changed the finding on %(id)s, so the authority answers it again before it takes a moderated "
            "level: choose “No moderated level yet”", id=cid),
        ("moderated_level", "out_of_scale"): _("Select a moderated level on the scale of %(id)s", id=cid),
        ("moderated_level", "not_questioned"): _(
            "An agreed rating keeps the authority's level: %(id)s takes no moderated level", id=cid),
        ("outcome", "answered"): _("The authority has answered the finding on %(id)s: it cannot be removed",
                                   id=cid),
        ("outcome", "not_rated"): _("%(id)s is not rated, so it takes no finding", id=cid),
        ("outcome", "unknown"): _("%(id)s is not a criterion of this standard", id=cid),
    }
    return words.get((field, code), _("Select a finding for %(id)s", id=cid))
