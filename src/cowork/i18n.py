"""Languages: gettext catalogs compiled by Babel, and the reader's language for this request or push."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .domain.errors import DomainError
from .settings import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
_current: ContextVar[str] = ContextVar("cowork_language", default="en")


@cache
def translations(lang: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


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


def from_accept_language(header: str | None, default: str) -> str:
    """The first supported language of an Accept-Language header, by its q weights."""
    choices: list[tuple[float, str]] = []
    for part in (header or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        base = tag.split("-")[0].lower()
        if base in LANGUAGES:
            choices.append((weight, base))
    return max(choices, key=lambda c: c[0])[1] if choices else default


def error_text(exc: DomainError) -> str:
    return gettext(exc.template).format(**exc.params)


def compile_catalogs() -> list[Path]:
    """Compile every messages.po into the .mo file gettext reads."""
    written = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po:
            catalog = read_po(po)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo:
            write_mo(mo, catalog)
        written.append(mo_path)
    translations.cache_clear()
    return written
