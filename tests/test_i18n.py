"""Translations: the catalogs cover every message in the sources, and the reader gets their language.

When a completeness test fails, run `cowork i18n extract`, translate the listed entries in
src/cowork/locale/<lang>/LC_MESSAGES/messages.po (and remove their `#, fuzzy` line), then
`cowork i18n compile`.
"""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from cowork import i18n
from cowork.domain.board import cards as board
from cowork.domain.errors import Invalid
from cowork.rendering import make_environment
from tests.conftest import World, run

# The named fields of both styles in use: {count} for domain errors, %(name)s (and %%) for templates.
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%%|\{\w*\}")


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    """The repository's catalogs after merging a fresh extraction into them, in a copy."""
    locale_dir = tmp_path_factory.mktemp("locale")
    for lang in i18n.CATALOG_LANGUAGES:
        po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            (locale_dir / lang / "LC_MESSAGES").mkdir(parents=True)
            shutil.copy(po, locale_dir / lang / "LC_MESSAGES" / "messages.po")
    i18n.extract_catalogs(locale_dir=locale_dir)
    catalogs = {}
    for lang in i18n.CATALOG_LANGUAGES:
        with (locale_dir / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogs[lang] = read_po(po, locale=lang)
    return catalogs


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value or ""]


def _where(message: Message) -> str:
    return ", ".join(sorted({filename for filename, _line in message.locations})) or "?"


def _report(lang: str, problem: str, entries: list[str]) -> str:
    po = f"src/cowork/locale/{lang}/LC_MESSAGES/messages.po"
    return (
        f"{len(entries)} message(s) {problem} in {po}.\n"
        "Run `cowork i18n extract`, translate them there, then `cowork i18n compile`:\n"
        + "\n".join(f"  - {entry}" for entry in entries)
    )


def test_the_sources_have_messages_to_translate(merged: dict[str, Catalog]) -> None:
    # A broken babel.cfg would extract nothing, and everything below would pass on an empty catalog.
    ids = {message.id for message in merged["de"] if message.id}
    assert {"The card is too long: {count} characters, at most {limit}.", "Sign in"} <= ids


@pytest.mark.parametrize("lang", i18n.CATALOG_LANGUAGES)
def test_every_message_in_the_sources_has_a_translation(merged: dict[str, Catalog], lang: str) -> None:
    untranslated = [
        f"{message.id!r}  ({_where(message)})"
        for message in merged[lang]
        if message.id and not all(form.strip() for form in _forms(message.string))
    ]
    assert not untranslated, _report(lang, "have no translation", untranslated)


@pytest.mark.parametrize("lang", i18n.CATALOG_LANGUAGES)
def test_no_translation_is_left_fuzzy(merged: dict[str, Catalog], lang: str) -> None:
    # Fuzzy means "guessed from an older msgid": gettext ignores it, so readers would see English.
    fuzzy = [
        f"{message.id!r}  (guess: {message.string!r}; {_where(message)})"
        for message in merged[lang]
        if message.id and message.fuzzy and any(_forms(message.string))
    ]
    assert not fuzzy, _report(lang, "are marked fuzzy (check them, then delete the '#, fuzzy' line)", fuzzy)


@pytest.mark.parametrize("lang", i18n.CATALOG_LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(merged: dict[str, Catalog], lang: str) -> None:
    wrong = []
    for message in merged[lang]:
        ids, strings = _forms(message.id), _forms(message.string)
        if not message.id or not any(strings):
            continue
        wanted = [sorted(PLACEHOLDER.findall(form)) for form in ids]
        for form in strings:
            found = sorted(PLACEHOLDER.findall(form))
            # A plural form may leave out the number (German "eine Karte"), never add a field.
            ok = found == wanted[0] if len(ids) == 1 else set(found) <= {p for w in wanted for p in w}
            if not ok:
                wrong.append(f"{message.id!r} has {wanted[0]}, but {form!r} has {found}")
    assert not wrong, _report(lang, "change their placeholders", wrong)


@pytest.fixture(scope="module")
def compiled() -> list[Path]:
    return i18n.compile_catalogs()


def _card_too_long(world: World) -> Invalid:
    participant, _ = world.join()
    with pytest.raises(Invalid) as refused:
        run(
            world.engine,
            board.add_card,
            actor=world.participant_actor(participant),
            stage_id=world.stage_id,
            text="x" * (board.MAX_TEXT + 1),
        )
    return refused.value


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The card is too long: 2,001 characters, at most 2,000."),
        ("de", "Die Karte ist zu lang: 2.001 Zeichen, erlaubt sind höchstens 2.000."),
        ("es", "La tarjeta es demasiado larga: tiene 2.001 caracteres y el máximo es 2.000."),
    ],
)
def test_a_refused_card_is_explained_in_the_readers_language(
    compiled: list[Path], world: World, lang: str, expected: str
) -> None:
    error = _card_too_long(world)
    with i18n.language(lang):
        assert i18n.error_text(error) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Sign in · Workshop code"),
        ("de", "Anmelden · Workshop-Code"),
        ("es", "Iniciar sesión · Código del taller"),
    ],
)
def test_templates_speak_the_readers_language(compiled: list[Path], lang: str, expected: str) -> None:
    template = make_environment().from_string('{{ _("Sign in") }} · {{ _("Workshop code") }}')
    with i18n.language(lang):
        assert template.render() == expected


def test_an_unsupported_language_reads_english(compiled: list[Path]) -> None:
    with i18n.language("fr"):
        assert i18n.current_language() == "en"
        assert i18n.gettext("Sign in") == "Sign in"


def test_the_browsers_preferred_supported_language_is_chosen() -> None:
    assert i18n.from_accept_language("de-DE,de;q=0.9,en;q=0.8", "en") == "de"


@pytest.mark.parametrize("header", ["fr-FR,fr;q=0.9,pt;q=0.8", "*", "", None])
def test_without_a_supported_language_the_default_is_used(header: str | None) -> None:
    assert i18n.from_accept_language(header, "es") == "es"


def test_q_weights_count_more_than_the_order() -> None:
    assert i18n.from_accept_language("en;q=0.5,fr,es;q=0.9,de;q=0.7", "en") == "es"


def test_on_equal_weights_the_first_language_wins() -> None:
    assert i18n.from_accept_language("es,de", "en") == "es"


def test_a_language_with_q_zero_or_a_broken_weight_is_never_chosen() -> None:
    assert i18n.from_accept_language("de;q=0,es;q=oops", "en") == "en"
    assert i18n.from_accept_language("de;q=0, es ; q=0.2", "en") == "es"
