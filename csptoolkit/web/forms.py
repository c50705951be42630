"""Forms: sign in, users, and the questionnaire form built at run time from a standard's criteria."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ..domain import scoring
from ..domain.roles import ADMIN, AUTHORITY_ROLES, CHAMPION, EDITOR, ROLES, VIEWER
from ..domain.standards import YESNO, Criterion, Framework, Standard
from ..services.accounts import MIN_PASSWORD_LENGTH
from .text import evidence_rule, level_name, localised
from .widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)

NOTE_MAX = 5000


def options(pairs) -> list[SelectChoice]:
    """Radio and select options as WTForms wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def evidence_choices(criterion: Criterion, framework: Framework) -> frozenset[str]:
    """The radio values that need evidence before submission, asked of the scoring rule that blocks submission."""
    radios = ["yes", "no"] if criterion.type == YESNO else [str(level.value) for level in framework.scale]
    return frozenset(choice for choice in radios if scoring.missing_evidence(
        framework, {criterion.id: answer_value(criterion, framework, choice)}, {criterion.id}, {}))


PASSWORD_LENGTH = Length(min=MIN_PASSWORD_LENGTH,
                         message=_l("Password must be %(n)d characters or more", n=MIN_PASSWORD_LENGTH))


class LocalisedPasswordInput(GovPasswordInput):
    """The password field's Show/Hide button and its announcements in the page's language (the macro's are English)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for key, text in (("showPasswordText", _("Show")), ("hidePasswordText", _("Hide")),
                          ("showPasswordAriaLabelText", _("Show password")),
                          ("hidePasswordAriaLabelText", _("Hide password")),
                          ("passwordShownAnnouncementText", _("Your password is visible")),
                          ("passwordHiddenAnnouncementText", _("Your password is hidden"))):
            params.setdefault(key, text)
        return params


class SignInForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[InputRequired(_l("Enter your email address"))])
    password = PasswordField(_l("Password"), widget=LocalisedPasswordInput(),
                             validators=[InputRequired(_l("Enter your password"))])
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


ROLE_LABELS = {ADMIN: _l("Programme admin"), CHAMPION: _l("Commissioning champion"),
               EDITOR: _l("Authority editor"), VIEWER: _l("Authority viewer")}


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), widget=GovTextInput(),
                       validators=[InputRequired(_l("Enter the person's name")), Length(max=120)])
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[InputRequired(_l("Enter an email address")),
                                   Email(_l("Enter an email address in the correct format, like name@example.com"))])
    role = RadioField(_l("Role"), widget=GovRadioInput(), choices=options((r, ROLE_LABELS[r]) for r in ROLES),
                      validators=[InputRequired(_l("Select a role"))])
    organisation = SelectField(_l("Authority (editors and viewers only)"), widget=GovSelect(),
                               validators=[Optional()], choices=[])
    password = PasswordField(_l("Password"), widget=LocalisedPasswordInput(), validators=[
        InputRequired(_l("Enter a password")), PASSWORD_LENGTH])
    submit = SubmitField(_l("Create user"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.role.data in AUTHORITY_ROLES and not self.organisation.data:
            self.organisation.errors = [*self.organisation.errors, _l("Select the authority this person works for")]
            valid = False
        return valid


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), widget=LocalisedPasswordInput(), validators=[
        InputRequired(_l("Enter a new password")), PASSWORD_LENGTH])
    confirm = PasswordField(_l("Confirm new password"), widget=LocalisedPasswordInput(), validators=[
        EqualTo("password", _l("The passwords do not match"))])
    submit = SubmitField(_l("Reset password"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form that is only a button (deactivate, sign out): still CSRF-protected."""

    submit = SubmitField(_l("Confirm"), widget=GovSubmitInput())


class StartForm(FlaskForm):
    carry_over = RadioField(_l("How do you want to start?"), widget=GovRadioInput(), choices=options([
        ("yes", _l("Start from last cycle's answers")), ("no", _l("Start with a blank assessment"))]),
        validators=[InputRequired(_l("Select how you want to start"))])
    submit = SubmitField(_l("Start assessment"), widget=GovSubmitInput())


class DeclarationForm(FlaskForm):
    declaration = BooleanField(
        _l("I confirm that these answers are a fair assessment of our authority's commissioning, agreed with the "
           "director of children's services, and that the evidence is available for peer review."),
        widget=GovCheckboxInput(), validators=[DataRequired(_l("Confirm the declaration to submit"))])
    submit = SubmitField(_l("Submit assessment"), widget=GovSubmitInput())


# ----------------------------------------------------------------------------------------------------------
# The questionnaire form for one standard


class LevelRadioInput(GovRadioInput):
    """Radios for a criterion: each level with its descriptor as a hint, and N/A after an "or" divider.

    Labels and hints may be Markup (standards text marked lang="en" on Welsh pages): given to the macro as html.
    """

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if not field.description:
            params.pop("hint", None)
        elif isinstance(field.description, Markup):
            params["hint"] = {"html": field.description}
        for item, choice, hint in zip(params["items"], field.choices, field.hints, strict=False):
            if isinstance(choice.label, Markup):
                item.pop("text", None)
                item["html"] = choice.label
            if hint:
                item["hint"] = {"html": hint} if isinstance(hint, Markup) else {"text": hint}
        if field.allow_na and len(params["items"]) > 1:
            params["items"].insert(len(params["items"]) - 1, {"divider": str(_l("or"))})
        return params


class AnswerField(RadioField):
    def __init__(self, *args, hints: list | None = None, allow_na: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = hints or []
        self.allow_na = allow_na

    def pre_validate(self, form) -> None:
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.gettext("Select one of the options"))


@dataclass
class CriterionFields:
    criterion: Criterion
    answer: str
    note: str
    files: str
    evidence_choices: frozenset[str] = frozenset()

    def needs_evidence(self, choice: str | None) -> bool:
        """Whether the chosen (or stored) answer needs evidence before submission."""
        return choice in self.evidence_choices


def answer_value(criterion: Criterion, framework: Framework, raw: str | None) -> scoring.Answer | None:
    """A posted choice as the scoring rules take it."""
    if not raw:
        return None
    if raw == "na":
        return scoring.NA
    if criterion.type == YESNO:
        return framework.max_level if raw == "yes" else 0
    return int(raw)


def choice_of(criterion: Criterion, framework: Framework, answer: scoring.Answer | None) -> str | None:
    """A stored answer as the radio value that shows it."""
    if answer is None:
        return None
    if answer == scoring.NA:
        return "na"
    if criterion.type == YESNO:
        return "yes" if answer == framework.max_level else "no"
    return str(answer)


def build_standard_form(framework: Framework, standard: Standard, visible: set[str] | frozenset[str],
                        locale: str) -> tuple[type[FlaskForm], list[CriterionFields]]:
    """A FlaskForm subclass with an answer, an evidence note and file uploads for each visible criterion."""

    class StandardForm(FlaskForm):
        revision = HiddenField()
        save_continue = SubmitField(_l("Save and continue"), widget=GovSubmitInput())
        save_later = SubmitField(_l("Save and come back later"), widget=GovSubmitInput())

    fields = []
    for index, criterion in enumerate(standard.criteria):
        if criterion.id not in visible:
            continue
        if criterion.type == YESNO:
            choices = [("yes", _l("Yes")), ("no", _l("No"))]
            hints = ["", ""]
        else:
            choices = [(str(level.value), level_name(framework, level.value, locale)) for level in framework.scale]
            hints = [localised(level.descriptor, locale) if level.descriptor else "" for level in framework.scale]
        if criterion.allow_na:
            choices.append(("na", _l("Not applicable")))
            hints.append("")
        names = CriterionFields(criterion, f"c{index}_answer", f"c{index}_note", f"c{index}_files",
                                evidence_choices(criterion, framework))
        setattr(StandardForm, names.answer, AnswerField(
            localised(criterion.text, locale), widget=LevelRadioInput(), choices=options(choices), hints=hints,
            description=evidence_rule(criterion, framework, locale) or "",
            allow_na=criterion.allow_na, validators=[Optional()]))
        setattr(StandardForm, names.note, TextAreaField(
            _l("Evidence note (optional)"), widget=GovTextArea(),
            description=_l("Say what shows this: documents, minutes, data, case studies."),
            validators=[Optional(), Length(max=NOTE_MAX, message=_l(
                "Evidence note must be %(n)d characters or fewer", n=NOTE_MAX))]))
        setattr(StandardForm, names.files, MultipleFileField(
            _l("Upload evidence files (optional)"), widget=GovFileInput(multiple=True),
            description=_l("PDF, Word, Excel, PNG or JPEG, up to 10 MB each.")))
        fields.append(names)
    return StandardForm, fields
