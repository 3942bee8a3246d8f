"""Public URLs handed to people and devices: built from COWORK_PUBLIC_BASE_URL, never from the request."""

from urllib.parse import urlsplit

from cowork.network import phones_can_reach
from cowork.settings import Settings


def join_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url}/j/{code}"


def projector_url(settings: Settings, projector_key: str) -> str:
    return f"{settings.public_base_url}/s/{projector_key}"


def phones_can_join(settings: Settings) -> bool:
    """False when the join address is one only this machine (or one cable) reaches: loopback, link-local."""
    return phones_can_reach(urlsplit(settings.public_base_url).hostname or "")
