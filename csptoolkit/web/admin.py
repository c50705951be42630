"""Programme admin pages: users (list, create, deactivate, reset password) and API tokens (list, create, revoke)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import services
from ..domain.roles import ADMIN, AUTHORITY_ROLES
from ..reports import assessments as lists
from ..services import accounts, catalogue, tokens
from ..services import assessments as assessment_service
from ..services import lists as listing
from .forms import ROLE_LABELS, ConfirmForm, PasswordResetForm, UserForm, options
from .templating import fragment, id_url, macro
from .text import STATE_LABELS, cycle_name, long_date, state_tag
from .widgets import GovSelect, GovSubmitInput, GovTextInput

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
    return render_template("admin/users.html", users=accounts.everyone(services.session()), role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserForm()
    form.organisation.choices = options([("", _("Not an authority user"))] + [
        (o.code, f"{o.name} ({o.code})") for o in accounts.organisations(services.session())])
    if form.validate_on_submit():
        code = form.organisation.data if form.role.data in AUTHORITY_ROLES else None
        try:
            user = accounts.add_user(services.session(), current_user, form.email.data, form.role.data,
                                     form.password.data, name=form.name.data, organisation_code=code)
        except accounts.EmailInUse:
            form.email.errors.append(_("There is already a user with this email address"))
        else:
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users")), 303
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


def _user(user_id: int):
    user = accounts.get_user(services.session(), user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        active = accounts.change_active(services.session(), current_user, user)  # either way, signs them out
    except accounts.OwnAccount:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users")), 303
    flash(_("%(email)s can sign in again.", email=user.email) if active
          else _("%(email)s has been deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("admin.users")), 303


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def reset_password(user_id: int):
    user = _user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        accounts.reset_password(services.session(), current_user, user, form.password.data)  # ends every sign-in
        flash(_("The password for %(email)s has been reset.", email=user.email), "success")
        return redirect(url_for("admin.users")), 303
    return render_template("admin/password.html", form=form, user=user), 400 if form.errors else 200


# ----------------------------------------------------------------------------------------------------------
# Assessments: every authority's, to find and read (reading goes through the assessment pages' own checks)


def _submitted_on():
    """"Submitted 23 March 2027" by assessment, each date worded once (a cycle's list has a few hundred rows)."""
    words: dict = {}

    def submitted(assessment) -> str | None:
        moment = assessment.submitted_at
        if moment is None:
            return None
        if moment not in words:
            words[moment] = _("Submitted %(date)s", date=long_date(moment))
        return words[moment]

    return submitted


class AssessmentFilterForm(Form):
    """The choices above the list (a GET form: it changes nothing, so it needs no CSRF token)."""

    cycle = SelectField(_l("Cycle"), widget=GovSelect(), choices=[])
    state = SelectField(_l("Status"), widget=GovSelect(), choices=[])


@bp.route("/assessments")
@admin_required
def assessments():
    session = services.session()
    cycles = catalogue.cycles(session)
    form = AssessmentFilterForm(request.args)
    form.cycle.choices = options((c.slug, cycle_name(c)) for c in cycles)
    form.state.choices = options([("", _("Any status"))] + list(STATE_LABELS.items()))
    current = assessment_service.open_cycle(session) or (cycles[0] if cycles else None)
    cycle = next((c for c in cycles if c.slug == form.cycle.data), current)
    if form.cycle.data and cycle is not None and cycle.slug != form.cycle.data:
        abort(404)
    state = form.state.data if form.state.data in STATE_LABELS else ""
    form.state.data = state
    rows = []
    if cycle is not None:
        form.cycle.data = cycle.slug
        rows = listing.cycle_assessments(session, current_user, cycle, state or None)
    # Kept by the rows themselves (plain values): the same list shown again is not built again.
    table = fragment(("cycle-list", tuple(rows), g.locale), "govukTable", lambda: lists.assessments_table(
        rows, _("Assessments in %(cycle)s, by authority", cycle=cycle_name(cycle)) if cycle else "",
        (_("Authority"), _("Status")), id_url("assess.overview", "assessment_id"),
        lambda state: macro("govukTag")(state_tag(state)), below_state=_submitted_on()))
    return render_template("admin/assessments.html", form=None, filters=form, cycle=cycle, assessments=rows,
                           state=state, table=table)


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
    return render_template("admin/tokens.html", tokens=tokens.all_tokens(services.session()), form=None)


@bp.route("/tokens/new", methods=["GET", "POST"])
@admin_required
def new_token():
    form = TokenForm()
    people = tokens.token_holders(services.session())
    form.user.choices = options([("", _("Select a person"))] + [(str(u.id), f"{u.name} ({u.email})") for u in people])
    if form.validate_on_submit():
        user = next((u for u in people if str(u.id) == form.user.data), None)
        if user is None:
            form.user.errors.append(_("Select the person the token acts for"))
        elif not form.name.data.strip():  # spaces alone pass the form's check but name nothing
            form.name.errors.append(_("Enter what the token is for"))
        else:
            token, plaintext = tokens.create_token(services.session(), user, form.name.data, by=current_user)
            # Shown on this response only: the token is not kept anywhere it could be shown again.
            response = make_response(render_template("admin/token_created.html", token=token, plaintext=plaintext))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("admin/token_new.html", form=form), 400 if form.errors else 200


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_token(token_id: int):
    token = tokens.get_token(services.session(), token_id)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if tokens.revoke(services.session(), token, by=current_user):
        flash(_("The token “%(name)s” of %(email)s has been revoked.", name=token.name,
                email=token.user.email), "success")
    return redirect(url_for("admin.api_tokens")), 303
