"""Programme admin pages: users (list, create, deactivate, reset password) and API tokens (list, create, revoke)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..extensions import db
from ..models import ApiToken, Organisation, User
from ..models.user import ADMIN, AUTHORITY_ROLES
from ..services import accounts, tokens
from ..services import assessments as assessment_service
from ..services.audit import record
from .forms import ConfirmForm, PasswordResetForm, UserForm, options
from .text import cycle_name

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/users")
@admin_required
def users():
    people = db.session.execute(select(User).order_by(User.role, User.email)).scalars().all()
    return render_template("admin/users.html", users=people)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserForm()
    organisations = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
    form.organisation.choices = options([("", _("Not an authority user"))] + [
        (o.code, f"{o.name} ({o.code})") for o in organisations])
    if form.validate_on_submit():
        code = form.organisation.data if form.role.data in AUTHORITY_ROLES else None
        try:
            user = accounts.create_user(db.session, form.email.data, form.role.data, form.password.data,
                                        name=form.name.data, organisation_code=code)
        except accounts.AccountError:
            db.session.rollback()
            form.email.errors.append(_("There is already a user with this email address"))
        else:
            record(db.session, current_user, "user.created", subject=user.email, new={"role": user.role})
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users")), 303
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users")), 303
    accounts.set_active(db.session, user, not user.active)  # either way, signs the person out everywhere
    record(db.session, current_user, "user.reactivated" if user.active else "user.deactivated", subject=user.email)
    db.session.commit()
    flash(_("%(email)s can sign in again.", email=user.email) if user.active
          else _("%(email)s has been deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("admin.users")), 303


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def reset_password(user_id: int):
    user = _user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        accounts.set_password(db.session, user, form.password.data)  # ends every sign-in the person has
        record(db.session, current_user, "user.password_reset", subject=user.email)
        db.session.commit()
        flash(_("The password for %(email)s has been reset.", email=user.email), "success")
        return redirect(url_for("admin.users")), 303
    return render_template("admin/password.html", form=form, user=user), 400 if form.errors else 200


# ----------------------------------------------------------------------------------------------------------
# Assessments: every authority's, to find and read (reading goes through the assessment pages' own checks)


STATE_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "in_review": _l("In review"),
                "moderated": _l("Moderated"), "published": _l("Published"), "returned": _l("Returned for changes")}


class AssessmentFilterForm(Form):
    """The choices above the list (a GET form: it changes nothing, so it needs no CSRF token)."""

    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    state = SelectField(_l("Status"), widget=GovSelect(), choices=[])


@bp.route("/assessments")
@admin_required
def assessments():
    cycles = assessment_service.cycles(db.session)
    form = AssessmentFilterForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    form.state.choices = options([("", _("Any status"))] + list(STATE_LABELS.items()))
    current = assessment_service.open_cycle(db.session) or (cycles[0] if cycles else None)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), current)
    if form.cycle.data and cycle is not None and cycle.slug != form.cycle.data:
        abort(404)
    state = form.state.data if form.state.data in STATE_LABELS else ""
    form.state.data = state
    rows = []
    if cycle is not None:
        form.cycle.data = cycle.slug
        rows = assessment_service.cycle_assessments(db.session, current_user, cycle, state or None)
    return render_template("admin/assessments.html", form=None, filters=form, cycle=cycle, assessments=rows,
                           state=state)


# ----------------------------------------------------------------------------------------------------------
# API tokens


class TokenForm(FlaskForm):
    user = SelectField(_l("Whose token is it?"), widget=GovSelect(),
                       validators=[InputRequired(_l("Select the person the token acts for"))], choices=[])
    name = StringField(_l("What is the token for?"), widget=GovTextInput(), validators=[
        InputRequired(_l("Enter what the token is for")),
        Length(max=tokens.NAME_MAX, message=_l("The name must be %(n)d characters or fewer", n=tokens.NAME_MAX))])
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


@bp.route("/tokens")
@admin_required
def api_tokens():
    return render_template("admin/tokens.html", tokens=tokens.all_tokens(db.session), form=None)


@bp.route("/tokens/new", methods=["GET", "POST"])
@admin_required
def new_token():
    form = TokenForm()
    people = db.session.execute(select(User).where(User.active.is_(True)).order_by(User.email)).scalars().all()
    form.user.choices = options([("", _("Select a person"))] + [(str(u.id), f"{u.name} ({u.email})") for u in people])
    if form.validate_on_submit():
        user = next((u for u in people if str(u.id) == form.user.data), None)
        if user is None:
            form.user.errors.append(_("Select the person the token acts for"))
        else:
            token, plaintext = tokens.create_token(db.session, user, form.name.data, by=current_user)
            db.session.commit()
            # Shown on this response only: the token is not kept anywhere it could be shown again.
            response = make_response(render_template("admin/token_created.html", token=token, plaintext=plaintext))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("admin/token_new.html", form=form), 400 if form.errors else 200


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if tokens.revoke(db.session, token, by=current_user):
        db.session.commit()
        flash(_("The token “%(name)s” of %(email)s has been revoked.", name=token.name,
                email=token.user.email), "success")
    return redirect(url_for("admin.api_tokens")), 303
