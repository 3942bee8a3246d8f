"""The proposal fields an action-plan stage asks for (its `required` setting); a title is always needed."""

from typing import Any

from cowork.domain.errors import Invalid
from cowork.domain.text import N_

# The fields a facilitator may ask for, in the order the phone's form shows them; one message each, so
# each reads well in every language.
REQUIRABLE: dict[str, str] = {
    "description": N_("Please say what should be done."),
    "impact": N_("Please say which impact it should have."),
    "rationale": N_("Please say why it leads to this impact."),
    "owner": N_("Please say who is responsible."),
    "contact": N_("Please name a contact person."),
    "due": N_("Please give the date it is done by."),
    "resources": N_("Please name the resources needed."),
}


def clean_required(value: Any) -> list[str]:
    """The `required` setting: some of the requirable fields, each once, in the form's order."""
    if not isinstance(value, list):
        raise Invalid("The required fields are a list of field names.")
    for name in value:
        if name not in REQUIRABLE:
            raise Invalid(
                "A proposal has no field {field} to require; it has: {known}.",
                field=name,
                known=", ".join(REQUIRABLE),
            )
    return [name for name in REQUIRABLE if name in value]


def check_required(config: dict[str, Any], values: dict[str, Any]) -> None:
    """Refuse a proposal that leaves one of the stage's required fields empty, naming the field."""
    for name in config.get("required") or []:
        if name in REQUIRABLE and values.get(name) in (None, "", [], {}):
            raise Invalid(REQUIRABLE[name], field=name)
