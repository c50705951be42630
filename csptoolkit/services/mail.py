"""Email to the people an action needs (a review assigned, a challenge raised, a response given, moderation complete,
an assessment returned), in each one's language.

A message is composed while the action runs and delivered only once its transaction has committed, so nobody is
told of a change that was rolled back. The embedded default writes each message as a file under MAIL_PATH
(instance/mail/), where a newcomer can read it; MAIL_BACKEND = "smtp" sends it through MAIL_SERVER instead.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..models import Assessment, User
from .transaction import after_commit


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def send_after_commit(session: Session, messages: list[Message]) -> None:
    """Deliver the messages once the current transaction commits (never if it rolls back)."""
    if not messages:
        return
    config = dict(current_app.config)
    after_commit(session, lambda: [deliver(m, config) for m in messages])


def deliver(message: Message, config: dict) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config["MAIL_FROM"], message.to, message.subject
    email["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    email.set_content(message.body)
    if config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
        return
    folder = Path(config["MAIL_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    (folder / name).write_bytes(bytes(email))


def _in_language_of(user: User, compose) -> Message:
    with force_locale(user.locale if user.locale in ("en", "cy") else "en"):
        subject, body = compose()
    return Message(user.email, subject, body)


def review_assigned(champion: User, assessment: Assessment) -> Message:
    name, cycle = assessment.organisation.name, assessment.cycle.slug
    return _in_language_of(champion, lambda: (
        _("You have been asked to review %(name)s", name=name),
        _("You have been assigned to peer-review the self-assessment of %(name)s (%(cycle)s). Sign in to the "
          "commissioning self-assessment toolkit to see it.", name=name, cycle=cycle)))


def assessment_returned(editor: User, assessment: Assessment, reason: str) -> Message:
    cycle = assessment.cycle.slug
    return _in_language_of(editor, lambda: (
        _("Your self-assessment has been returned to you"),
        _("The programme has returned your authority's self-assessment (%(cycle)s) so that you can change it and "
          "submit it again.\n\nWhy: %(reason)s", cycle=cycle, reason=reason)))


def challenges_raised(editor: User, assessment: Assessment, count: int) -> Message:
    cycle = assessment.cycle.slug
    return _in_language_of(editor, lambda: (
        _("Your peer review needs your answer"),
        ngettext("Your authority's peer reviewer has challenged a rating or asked for evidence (%(num)d item) in "
                 "your self-assessment (%(cycle)s). Sign in to the commissioning self-assessment toolkit to answer.",
                 "Your authority's peer reviewer has challenged ratings or asked for evidence (%(num)d items) in "
                 "your self-assessment (%(cycle)s). Sign in to the commissioning self-assessment toolkit to answer.",
                 count, cycle=cycle)))


def responses_given(champion: User, assessment: Assessment, count: int) -> Message:
    name, cycle = assessment.organisation.name, assessment.cycle.slug
    return _in_language_of(champion, lambda: (
        _("%(name)s has answered your review", name=name),
        ngettext("%(name)s has answered %(num)d of your challenges or requests for evidence (%(cycle)s). Sign in "
                 "to the commissioning self-assessment toolkit to record the moderated level.",
                 "%(name)s has answered %(num)d of your challenges or requests for evidence (%(cycle)s). Sign in "
                 "to the commissioning self-assessment toolkit to record the moderated levels.",
                 count, name=name, cycle=cycle)))


def moderation_complete(editor: User, assessment: Assessment) -> Message:
    cycle = assessment.cycle.slug
    return _in_language_of(editor, lambda: (
        _("The moderation of your self-assessment is complete"),
        _("The peer review of your authority's self-assessment (%(cycle)s) is complete. Sign in to the "
          "commissioning self-assessment toolkit to see the moderated scores beside your own.", cycle=cycle)))
