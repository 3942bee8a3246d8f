"""Public URLs handed to people and devices: built from COWORK_PUBLIC_BASE_URL, never from the request."""

from cowork.settings import Settings


def join_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url}/j/{code}"


def projector_url(settings: Settings, projector_key: str) -> str:
    return f"{settings.public_base_url}/s/{projector_key}"
