"""One Jinja environment for pages, htmx swaps and socket pushes: one template serves all three."""

import uuid
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from . import i18n, numbers
from .assets import asset_dir
from .domain.families import FAMILIES, LEVELS, ROLES, label
from .web.stages import extras_for, templates_for

# The projector shows these side by side, each in its own language, whatever the page's language is.
JOIN_HOWTO = {
    "en": "Scan the QR code with your phone, or open the address and type the code.",
    "de": "Scannen Sie den QR-Code mit dem Handy oder öffnen Sie die Adresse und geben Sie den Code ein.",
    "es": "Escanee el código QR con el móvil, o abra la dirección y escriba el código.",
}


def _localized(value: dict[str, str] | str | None) -> str:
    """A text given in several languages, in the reader's language."""
    if isinstance(value, dict):
        return value.get(i18n.current_language()) or value.get("en") or next(iter(value.values()), "")
    return value or ""


def _datetime(value: Any, fmt: str = "medium") -> str:
    return format_datetime(value, fmt, locale=i18n.current_language())


def make_environment(*, websocket_only: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(asset_dir("templates")),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["localized"] = _localized
    env.filters["datetime"] = _datetime
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
    )
    return env


def make_templates(env: Environment) -> Jinja2Templates:
    return Jinja2Templates(env=env)


def render_block(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
