"""Domain errors with messages for people; transports map them to status codes once.

The message is a template with named fields, so the web layer can translate it for the reader:
`Invalid("The card is too long: {count} characters, at most {limit}.", count=n, limit=MAX_TEXT)`.
"""

from typing import Any


class DomainError(Exception):
    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class Invalid(DomainError):
    pass


class Closed(DomainError):
    """The thing exists but does not (or no longer) take this change."""


class Conflict(DomainError):
    pass


class TooLarge(DomainError):
    """A file over its size limit (an uploaded logo)."""


class Unsupported(DomainError):
    """A file of a type cowork does not take (a logo that is neither PNG, JPEG nor SVG)."""
