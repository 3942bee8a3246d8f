"""A stakeholder's contact details: personal data, stored only with consent and shown to facilitators only."""

import re
from typing import Any

from sqlmodel import Session, select

from cowork.domain.errors import Invalid
from cowork.domain.models import Event, utcnow
from cowork.domain.redaction import wipes_disk
from cowork.domain.stakeholders.models import MAX_EMAIL, MAX_PERSON, Stakeholder
from cowork.domain.text import one_line

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{2,39}$")


def clean_contact(contact: dict[str, Any] | None, consent: bool) -> dict[str, str | None] | None:
    """Contact details, or None when none were given; refused without consent (they are personal data)."""
    # The one text rule (domain/text.py): NFC, no control character or lone surrogate, one line.
    fields = {
        key: one_line(str((contact or {}).get(key) or ""), field=f"contact.{key}") or None
        for key in ("person", "email", "phone")
    }
    if not any(fields.values()):
        return None
    if consent is not True:
        raise Invalid(
            "Contact details are personal data: tick the consent box to store them, or leave them out."
        )
    person, email, phone = fields["person"], fields["email"], fields["phone"]
    if not person:
        raise Invalid("Please name the contact person.")
    if len(person) > MAX_PERSON:
        raise Invalid("The contact person's name is too long (at most {limit} characters).", limit=MAX_PERSON)
    if email and (len(email) > MAX_EMAIL or not EMAIL.match(email)):
        raise Invalid("This is not an email address: {email}", email=email)
    if phone and not PHONE.match(phone):
        raise Invalid("A phone number has digits, spaces and + ( ) / - only: {phone}", phone=phone)
    return fields


def set_contact(stakeholder: Stakeholder, details: dict[str, str | None] | None) -> None:
    stakeholder.contact_person = details["person"] if details else None
    stakeholder.contact_email = details["email"] if details else None
    stakeholder.contact_phone = details["phone"] if details else None
    stakeholder.contact_consent_at = utcnow() if details else None


def forget_contact(session: Session, *, workshop_id: int, details: dict[str, str | None]) -> None:
    """Contact details removed or withdrawn leave everywhere: any stakeholder row of the workshop that still
    holds them (one merged away) and every event of the record that carried them (the events stay)."""
    for stakeholder in session.exec(select(Stakeholder).where(Stakeholder.workshop_id == workshop_id)):
        if contact_of(stakeholder) == details:
            set_contact(stakeholder, None)
            session.add(stakeholder)
    for event in session.exec(select(Event).where(Event.workshop_id == workshop_id)):
        clean = _without(event.data, details)
        if clean != event.data:
            event.data = clean
            session.add(event)


def _without(value: Any, details: dict[str, str | None]) -> Any:
    if isinstance(value, list):
        return [_without(item, details) for item in value]
    if not isinstance(value, dict):
        return value
    return {k: None if k == "contact" and v == details else _without(v, details) for k, v in value.items()}


# On disk too, once the removal has committed (see redaction.wipes_disk).
wipes_disk("stakeholder.updated", when=lambda data: bool(data.get("contact_removed")))


def contact_of(stakeholder: Stakeholder) -> dict[str, str | None] | None:
    if not (stakeholder.contact_person or stakeholder.contact_email or stakeholder.contact_phone):
        return None
    return {
        "person": stakeholder.contact_person,
        "email": stakeholder.contact_email,
        "phone": stakeholder.contact_phone,
    }
