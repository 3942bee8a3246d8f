"""One Jinja environment for pages, htmx swaps and socket pushes: one template serves all three."""

import unicodedata
import uuid
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from cowork import i18n, numbers
from cowork.assets import asset_dir
from cowork.domain.stakeholders.families import FAMILIES, LEVELS, ROLES, label
from cowork.hyphens import hyphenate


def templates_for(kind: str, role: str) -> list[str]:
    """For Jinja's include: the kind's own template first, the default after it."""
    return [f"stages/{kind}/{role}.html", f"stages/default/{role}.html"]


# The extras/ slots in page order, below the stage's own content: the time (a few lines, which the
# facilitator looks at often) before the votes (a long panel with the console's form for a new vote).
EXTRAS = ("timer", "votes")


def extras_for(role: str) -> list[str]:
    """The extra partials every stage page of this role includes (each may render nothing)."""
    return [f"extras/{name}/{role}.html" for name in EXTRAS]


# The projector shows these side by side, each in its own language, whatever the page's language is.
JOIN_HOWTO = {
    "en": "Scan the QR code with your phone, or open the address and type the code.",
    "de": "Scannen Sie den QR-Code mit dem Handy oder öffnen Sie die Adresse und geben Sie den Code ein.",
    "es": "Escanee el código QR con el móvil, o abra la dirección y escriba el código.",
}


def localized(value: dict[str, str] | str | None) -> str:
    """A text given in several languages, in the reader's language."""
    if isinstance(value, dict):
        return value.get(i18n.current_language()) or value.get("en") or next(iter(value.values()), "")
    return value or ""


def direction(value: Any) -> str:
    """ "rtl" or "ltr" by the first strongly directional letter, as a browser decides `dir="auto"`.

    For the PDF: WeasyPrint does not resolve dir="auto", so the report writes the direction out.
    """
    for ch in str(value if value is not None else ""):
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _datetime(value: Any, fmt: str = "medium") -> str:
    return format_datetime(value, fmt, locale=i18n.current_language())


def icon(name: str) -> Markup:
    """An icon beside a word (never instead of it): a span that the stylesheet masks with a lucide SVG.

    `name` is an action (`send`), or `cat-<key>`, `kind-<key>`, `phase-<key>` for a board's categories, card
    kinds and phases; one without its own picture in cowork.css shows the generic tag.
    """
    return Markup('<span class="icon icon-%s" aria-hidden="true"></span>') % name


def load_language(language: str) -> None:
    """Load Babel's data and the hyphenation dictionary of a language now, at the server's start, not in the
    first page that writes a number or a long word (about 0.1 s once per process: in a join storm, the first
    phone's page paid it). Both stay loaded for the process, as they would after that page."""
    numbers.load(language)
    hyphenate("", language)  # finds (and keeps) the language's dictionary before looking at the text


def make_environment(*, websocket_only: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(asset_dir("templates")),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package and do not change while it serves: without this, every render
        # asks the disk for the modification time of each template it includes (6 % of a join storm).
        auto_reload=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["localized"] = localized
    env.filters["datetime"] = _datetime
    env.filters["moment"] = i18n.moment_text
    env.filters["direction"] = direction
    env.filters["hyphenate"] = hyphenate
    # Numbers for people, in the reader's language: `number` a count (or any table value), `decimal` a
    # mean, `percent` a share. Attributes (SVG coordinates, form values) keep plain numbers.
    env.filters["decimal"] = numbers.decimal
    env.filters["percent"] = numbers.percent
    env.filters["number"] = numbers.number
    env.globals.update(
        families=FAMILIES,
        levels=LEVELS,
        roles=ROLES,
        label=lambda table, key: label(table, key, i18n.current_language()),
        current_language=i18n.current_language,
        # Each card form carries a fresh id, so a double tap or a retry stores the card once.
        new_client_id=lambda: uuid.uuid4().hex,
        websocket_only=websocket_only,
        join_howto=JOIN_HOWTO,
        stage_templates=templates_for,
        stage_extras=extras_for,
        icon=icon,
    )
    return env


def make_templates(env: Environment) -> Jinja2Templates:
    return Jinja2Templates(env=env)


def render_component(env: Environment, name: str, /, *args: Any, **kwargs: Any) -> Markup:
    """One component alone (a macro of templates/components.html): what an htmx swap or a socket push sends.

    The page calls the same macro, so a card is the same markup on first load, after a post and in a push.
    """
    macro = getattr(env.get_template("components.html").module, name)
    return Markup(macro(*args, **kwargs))


def render_block(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
