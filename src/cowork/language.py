"""The reader's language: one per request or task, a context variable that translations and numbers read."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cowork.settings import LANGUAGES

_current: ContextVar[str] = ContextVar("cowork_language", default="en")


def current_language() -> str:
    return _current.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = _current.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def set_language(lang: str) -> None:
    """For a request's own context (each request runs in a copy, so nothing leaks between requests)."""
    _current.set(lang if lang in LANGUAGES else "en")
