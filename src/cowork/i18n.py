"""Languages: gettext catalogs compiled by Babel, and the reader's language for this request or push."""

import io
from datetime import datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from cowork import __version__, numbers
from cowork.domain.errors import DomainError
from cowork.language import current_language, language, set_language  # noqa: F401  (i18n's API)
from cowork.settings import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
# The repository root, where babel.cfg and templates/ are (extraction is for a source checkout).
SOURCE_ROOT = Path(__file__).parents[2]
# English needs no catalog: the msgids are English, and a missing catalog means gettext returns them.
CATALOG_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != "en")


@cache
def translations(lang: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def from_accept_language(header: str | None, default: str) -> str:
    """The supported language of an Accept-Language header with the highest q weight (the first on a tie).

    q=0 means "not this one"; a weight that is not a number counts as q=0.
    """
    choices: list[tuple[float, str]] = []
    for part in (header or "").split(","):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        base = tag.split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            choices.append((weight, base))
    return max(choices, key=lambda c: c[0])[1] if choices else default


# Fields of an error written as they are: ones that name a thing (card 1234, not 1,234) and `value`, the
# reader's own input quoted back (2.555 stays 2.555, not a rounded 2.56).
AS_GIVEN_FIELDS = frozenset({"id", "seq", "option", "value"})


def error_text(exc: DomainError) -> str:
    """The error in the reader's language, its amounts written as they read numbers (2.000 in German)."""
    params = {
        name: value
        if name in AS_GIVEN_FIELDS
        else moment_text(value)
        if isinstance(value, datetime)
        else numbers.number(value)
        for name, value in exc.params.items()
    }
    return gettext(exc.template).format(**params)


def moment_text(value: datetime) -> str:
    """A date and time as the reader writes it ("Mon, Dec 7, 2026, 09:00"), in the server's time zone: the
    zone of the venue, where cowork runs on the facilitator's laptop (as the timer's times without script)."""
    local = value.astimezone()
    lang = current_language()
    day = format_skeleton("yMMMEd", local, tzinfo=local.tzinfo, locale=lang)
    return f"{day}, {format_skeleton('Hm', local, tzinfo=local.tzinfo, locale=lang)}"


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


def extract_messages(root: Path = SOURCE_ROOT) -> Catalog:
    """Every translatable message of the source tree at `root`, found as its babel.cfg says."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    config = root / "babel.cfg"
    if not config.is_file():
        raise FileNotFoundError(f"{config} is missing: extraction needs a source checkout of cowork")
    with config.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(config))
    # Walk only the folders the patterns start in (not node_modules, .venv or sessions), and, as
    # Babel does, no hidden or underscore folders.
    tops = {pattern.split("/", 1)[0] for pattern, _method in method_map}
    anywhere = any(char in top for top in tops for char in "*?[")

    def wanted(dirpath: str) -> bool:
        parts = Path(dirpath).relative_to(root).parts
        return (anywhere or parts[0] in tops) and not parts[-1].startswith((".", "_"))

    template = Catalog(project="cowork", version=__version__, header_comment=_HEADER, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=wanted
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def extract_catalogs(
    locale_dir: Path = LOCALE_DIR, root: Path = SOURCE_ROOT, languages: tuple[str, ...] = CATALOG_LANGUAGES
) -> list[tuple[Path, bool]]:
    """Extract messages.pot from the sources and merge it into each language's messages.po.

    A missing catalog is created. A msgid that changed gets its nearest old translation marked
    fuzzy (gettext ignores it until someone checks it); translations of removed msgids are dropped.
    Returns each file with whether it changed; a file whose only change would be its dates is left as it is.
    """
    template = extract_messages(root)
    results = [(locale_dir / "messages.pot", _write_if_changed(locale_dir / "messages.pot", template))]
    for lang in languages:
        po_path = locale_dir / lang / "LC_MESSAGES" / "messages.po"
        if po_path.exists():
            with po_path.open("rb") as po:
                catalog = read_po(po, locale=lang)
        else:
            catalog = Catalog(
                locale=lang,
                project="cowork",
                version=__version__,
                header_comment=_HEADER,
                fuzzy=False,
            )
        catalog.update(template)
        results.append((po_path, _write_if_changed(po_path, catalog)))
    return results


_HEADER = (
    "# Translations for cowork.\n"
    "# This file is distributed under the same license as the cowork project (AGPL-3.0-or-later).\n"
    "# Update with `cowork i18n extract`; edit the msgstr lines only.\n"
    "#"
)
_DATE_FIELDS = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def _write_if_changed(path: Path, catalog: Catalog) -> bool:
    buffer = io.BytesIO()
    # No line numbers and no obsolete entries: a moved line or a removed message should not churn the diff.
    write_po(buffer, catalog, include_lineno=False, ignore_obsolete=True, include_previous=True, width=100)
    new = buffer.getvalue()
    if path.exists() and _undated(path.read_bytes()) == _undated(new):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    return True


def _undated(po: bytes) -> list[bytes]:
    return [line for line in po.splitlines() if not line.startswith(_DATE_FIELDS)]
