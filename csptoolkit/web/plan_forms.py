"""The plan's forms: an action's owner, due date, status, notes and text; the authority's targets."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf import wtforms_widgets as govuk_widgets
from govuk_frontend_wtf.gov_form_base import GovFormBase
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..domain import planning
from ..domain.standards import YESNO, Framework
from ..reports.plans import STATUS_LABELS
from ..services.plans import NOTES_MAX, OWNER_MAX, TEXT_MAX
from .forms import options
from .templating import cached_widget
from .text import level_name, localised
from .widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput


class _DateInput(govuk_widgets.GovDateInput):
    """GOV.UK's day, month and year boxes, labelled in the reader's language (the library's own are English and
    fail on a form posted without the boxes)."""

    def map_gov_params(self, field, **kwargs):
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        params["items"] = date_items(field)
        return params


GovDateInput = cached_widget(_DateInput)


class RevisionForm(FlaskForm):
    """Any change to the plan: the revision it was shown at (a save from an older one is refused)."""

    revision = HiddenField()

    def seen(self) -> int:
        try:
            return int(self.revision.data or 0)
        except ValueError:
            return -1  # never a revision: refused as a conflict


class GenerateForm(RevisionForm):
    submit = SubmitField(_l("Generate the plan"), widget=GovSubmitInput())


class ActionForm(RevisionForm):
    text = TextAreaField(_l("Action"), widget=GovTextArea(), validators=[Length(
        max=TEXT_MAX, message=_l("The action must be %(max)d characters or fewer", max=TEXT_MAX))])
    owner = StringField(_l("Owner"), widget=GovTextInput(), validators=[Length(
        max=OWNER_MAX, message=_l("The owner must be %(max)d characters or fewer", max=OWNER_MAX))])
    due_on = DateField(_l("Due date"), widget=GovDateInput(), format="%d %m %Y", validators=[Optional()])
    status = RadioField(_l("Status"), widget=GovRadioInput(), default=planning.NOT_STARTED,
                        choices=options((s, STATUS_LABELS[s]) for s in planning.STATUSES),
                        validators=[InputRequired(_l("Select the action's status"))])
    notes = TextAreaField(_l("Progress notes"), widget=GovTextArea(), validators=[Length(
        max=NOTES_MAX, message=_l("The notes must be %(max)d characters or fewer", max=NOTES_MAX))])
    save = SubmitField(_l("Save the action"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.due_on.errors:  # WTForms' own words are not translated: say it as GOV.UK does
            self.due_on.errors = [_("The due date must be a real date, for example 31 3 2012")]
        return valid


class OwnActionForm(ActionForm):
    text = TextAreaField(_l("Action"), widget=GovTextArea(), validators=[
        InputRequired(_l("Enter what the action is")),
        Length(max=TEXT_MAX, message=_l("The action must be %(max)d characters or fewer", max=TEXT_MAX))])
    standard = SelectField(_l("Standard (optional)"), widget=GovSelect(), choices=[], validators=[Optional()])
    save = SubmitField(_l("Add the action"), widget=GovSubmitInput())


class DeleteForm(RevisionForm):
    delete = SubmitField(_l("Delete this action"), widget=GovSubmitInput())


def date_items(field) -> list[dict]:
    """The date input's three boxes, labelled in the reader's language (the widget's own labels are English)."""
    day = month = year = ""
    if field.raw_data:
        parts = (list(field.raw_data) + ["", "", ""])[:3]
        day, month, year = parts
    elif field.data:
        day, month, year = field.data.strftime("%d %m %Y").split(" ")
    error = " govuk-input--error" if field.errors else ""
    return [{"label": str(label), "id": f"{field.name}-{part}", "name": field.name,
             "classes": f"govuk-input--width-{width}{error}", "value": value}
            for label, part, width, value in ((_("Day"), "day", 2, day), (_("Month"), "month", 2, month),
                                              (_("Year"), "year", 4, year))]


def standard_choices(framework: Framework) -> list:
    return options([("", _("None: the plan as a whole"))] + [
        (s.id, f"{s.id} {localised(s.title).striptags()}") for s in framework.standards])


def target_field_name(position: int) -> str:
    return f"target_{position}"


def targets_form(framework: Framework, criteria: list, current: dict[str, int]) -> FlaskForm:
    """A select per criterion the plan can aim at: the next level up (the default), or a level chosen."""

    class TargetsForm(RevisionForm):
        save = SubmitField(_l("Save the targets"), widget=GovSubmitInput())

    top = framework.max_level
    for position, criterion in criteria:
        if criterion.type == YESNO:
            levels = [(str(top), _("Yes")), ("0", _("No"))]
        else:
            levels = [(str(v.value), level_name(framework, v.value).striptags()) for v in framework.scale]
        setattr(TargetsForm, target_field_name(position), SelectField(
            _("Target for %(id)s", id=criterion.id), widget=GovSelect(), validate_choice=False,
            choices=options([("", _("The next level up (default)"))] + levels),
            default=str(current[criterion.id]) if criterion.id in current else ""))
    return TargetsForm()
