"""Batch exports (programme admins): start the export of every authority's reports in a cycle, watch it, download
the zip, delete it. Everyone else gets 404: they are not told the pages exist."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from .. import services
from ..domain.roles import ADMIN
from ..services import catalogue, exports
from .forms import options
from .text import cycle_name, long_datetime
from .widgets import GovRadioInput, GovSelect, GovSubmitInput

bp = Blueprint("exports", __name__, url_prefix="/admin/exports")

LANGUAGES = (("en", _l("English")), ("cy", _l("Welsh")))
STATE_LABELS = {exports.QUEUED: _l("Waiting for a worker"), exports.RUNNING: _l("In progress"),
                exports.DONE: _l("Finished"), exports.FAILED: _l("Failed")}
STATE_CLASSES = {exports.QUEUED: "govuk-tag--grey", exports.RUNNING: "govuk-tag--blue",
                 exports.DONE: "govuk-tag--green", exports.FAILED: "govuk-tag--red"}


def programme_admin_only(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != ADMIN:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


class BatchForm(FlaskForm):
    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[],
                        validators=[InputRequired(_l("Select the cycle to export"))])
    locale = RadioField(_l("Language of the reports"), widget=GovRadioInput(), choices=options(LANGUAGES),
                        default="en", validators=[InputRequired(_l("Select the language of the reports"))])
    submit = SubmitField(_l("Start the export"), widget=GovSubmitInput())


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete this export"), widget=GovSubmitInput())


def _exports_path() -> Path:
    return Path(current_app.config["EXPORTS_PATH"])


def size_text(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(round(size / 1024, 1)))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


def progress_text(progress: exports.JobProgress) -> str:
    return _("%(n)d of %(total)d", n=progress.finished, total=progress.total)


def _words() -> dict:
    return {"state_labels": STATE_LABELS, "state_classes": STATE_CLASSES, "size_text": size_text,
            "progress_text": progress_text, "languages": dict(LANGUAGES), "when": long_datetime}


@bp.route("", methods=["GET", "POST"])
@programme_admin_only
def jobs():
    session = services.session()
    form = BatchForm()
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in catalogue.cycles(session))
    if form.validate_on_submit():
        job_id = exports.start_batch(session, current_user, form.cycle.data, form.locale.data)
        return redirect(url_for("exports.job", job_id=job_id)), 303
    return render_template("exports/jobs.html", form=form, jobs=exports.jobs(session, current_user),
                           **_words()), 400 if form.errors else 200


def _progress(job_id: int) -> exports.JobProgress:
    progress = exports.job_progress(services.session(), current_user, job_id)
    if progress is None:
        abort(404)
    return progress


@bp.route("/<int:job_id>")
@programme_admin_only
def job(job_id: int):
    progress = _progress(job_id)
    return render_template("exports/job.html", job=progress, form=DeleteForm(), **_words())


@bp.route("/<int:job_id>/progress.json")
@programme_admin_only
def job_json(job_id: int):
    """What the progress page's script shows, without reloading the page."""
    progress = _progress(job_id)
    return jsonify({"state": progress.state, "finished": progress.finished, "total": progress.total,
                    "done": progress.done, "failed": progress.failed, "text": progress_text(progress),
                    "state_label": str(STATE_LABELS[progress.state]), "running": progress.running})


@bp.route("/<int:job_id>/download")
@programme_admin_only
def download(job_id: int):
    found = exports.zip_path(services.session(), current_user, job_id, _exports_path())
    if found is None:
        abort(404)
    path, name = found
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/<int:job_id>/delete", methods=["GET", "POST"])
@programme_admin_only
def delete(job_id: int):
    progress = _progress(job_id)
    form = DeleteForm()
    if form.validate_on_submit():
        exports.delete_job(services.session(), current_user, job_id, _exports_path())
        flash(_("The export was deleted."), "success")
        return redirect(url_for("exports.jobs")), 303
    return render_template("exports/delete.html", job=progress, form=form, **_words())
