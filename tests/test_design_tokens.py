"""The stylesheet's colours live in its two token blocks (docs/design.md), so a theme changes all of them.

A colour written by hand further down stays the same in the dark theme: a light wash behind the dark
theme's light text (the matrix's marked cells did that). Only what must look the same whatever the theme
may name a colour: the printed interface document and the white plate behind the QR code and the logo.
"""

import re

from cowork.assets import asset_dir

CSS = asset_dir("static") / "cowork.css"
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
TOKEN_BLOCKS = {":root", '[data-theme="dark"]'}
# Fixed whatever the theme: a QR reader and a logo need a white ground, paper is white.
SAME_IN_EVERY_THEME = (".qr", ".projector-fit .projector-logo", "body.interface-document")


def hand_written_colours(css: str) -> list[str]:
    """Each innermost rule (selector and body) that names a colour outside the token blocks."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        selector = " ".join(selector.split())
        if HEX.search(body) and selector not in TOKEN_BLOCKS and not selector.startswith(SAME_IN_EVERY_THEME):
            found.append(f"{selector} {{ {' '.join(body.split())} }}")
    return found


def test_every_colour_of_the_stylesheet_is_a_token_but_paper_and_the_qr_codes_plate() -> None:
    assert hand_written_colours(CSS.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_colour_written_by_hand_and_a_dead_fallback() -> None:
    old = ".rm-responsible { background: #e4eefa; }\n.timer { border: 2px solid var(--line, #8a96a3); }"
    assert hand_written_colours(":root { --ink: #000; }\n" + old) == [
        ".rm-responsible { background: #e4eefa; }",
        ".timer { border: 2px solid var(--line, #8a96a3); }",
    ]


def test_every_colour_token_has_a_dark_value() -> None:
    """A token without a dark value keeps its light colour in the dark room."""
    css = CSS.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"^(:root|\[data-theme=\"dark\"\]) \{(.*?)^\}", css, flags=re.S | re.M))
    light = set(re.findall(r"(--[\w-]+): #", blocks[":root"]))
    dark = set(re.findall(r"(--[\w-]+): #", blocks['[data-theme="dark"]']))
    assert light - dark == set()
