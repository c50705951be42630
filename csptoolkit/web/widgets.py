"""The GOV.UK WTForms widgets the forms use, each rendering through the macro cache (web/templating.py).

Forms import their widgets from here, never from govuk_frontend_wtf directly: a widget's HTML depends only on the
parameters it maps its field to, so the same question shown again costs a dictionary lookup, not a template.
"""

from __future__ import annotations

from govuk_frontend_wtf import wtforms_widgets as govuk

from .templating import cached_widget

GovCheckboxInput = cached_widget(govuk.GovCheckboxInput)
GovCheckboxesInput = cached_widget(govuk.GovCheckboxesInput)
GovFileInput = cached_widget(govuk.GovFileInput)
GovPasswordInput = govuk.GovPasswordInput  # never cached: what is typed into it is not kept anywhere
GovRadioInput = cached_widget(govuk.GovRadioInput)
GovSelect = cached_widget(govuk.GovSelect)
GovSubmitInput = cached_widget(govuk.GovSubmitInput)
GovTextArea = cached_widget(govuk.GovTextArea)
GovTextInput = cached_widget(govuk.GovTextInput)

__all__ = ["GovCheckboxInput", "GovCheckboxesInput", "GovFileInput", "GovPasswordInput", "GovRadioInput",
           "GovSelect", "GovSubmitInput", "GovTextArea", "GovTextInput"]
