"""A workshop's logo, made safe before it is kept: PNG, JPEG or SVG, at most 500 KB.

The type is read from the content, never from the file's name or the Content-Type it came with. PNG and
JPEG are decoded and encoded again by Pillow: what is kept is pixels only (no EXIF with a phone's GPS
position, no bytes of another format appended to the image). An SVG is parsed with defusedxml and refused
whole when it could do anything but draw: a script, an event handler, embedded HTML, a reference to
anything outside the file, an entity. The projector shows the logo in an <img> (where an SVG never runs
script) and it is served with a CSP that allows nothing, so these refusals are the second fence, not the only.
"""

import io
import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from cowork.domain.errors import Invalid, TooLarge, Unsupported

MAX_LOGO_BYTES = 500 * 1024
MAX_SIDE = 5000  # pixels: far above any projector, far below a decompression bomb
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements that run, embed or fetch something; compared by local name, whatever their namespace.
FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


def clean_logo(content: bytes) -> tuple[bytes, str]:
    """The logo as it will be kept and its media type, or the reason it is refused."""
    if not content:
        raise Invalid("The file is empty.")
    if len(content) > MAX_LOGO_BYTES:
        raise TooLarge(
            "The logo is too large: {size} KB, at most {limit} KB.",
            size=-(-len(content) // 1024),
            limit=MAX_LOGO_BYTES // 1024,
        )
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(content, "PNG"), PNG
    if content.startswith(b"\xff\xd8\xff"):
        return _raster(content, "JPEG"), JPEG
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        _check_svg(content)
        return content, SVG
    raise Unsupported("A logo must be a PNG, JPEG or SVG image.")


def _raster(content: bytes, kind: str) -> bytes:
    """Decode and encode again: only the pixels stay."""
    # Imported here: a server's start (and a restart under a room of phones) does not wait for Pillow.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content), formats=[kind]) as image:
            if max(image.size) > MAX_SIDE:
                raise Invalid(
                    "The logo is too large: {width} × {height} pixels, at most {limit} on a side.",
                    width=image.size[0],
                    height=image.size[1],
                    limit=MAX_SIDE,
                )
            image.load()
            upright = ImageOps.exif_transpose(image)  # a phone's photo keeps its orientation without EXIF
            out = io.BytesIO()
            if kind == "PNG":
                upright.save(out, "PNG")
            else:
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(
            "The image cannot be read: the file is damaged or not a {kind} image.", kind=kind
        ) from None


class _Builder(TreeBuilder):
    """ElementTree drops processing instructions; one may fetch a stylesheet, so any is refused."""

    def pi(self, target: str, text: str | None = None) -> Element:
        raise Invalid("The SVG image points outside itself (a processing instruction); a logo may not.")


def _check_svg(content: bytes) -> None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    parser = DefusedXMLParser(target=_Builder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(content)
        root = parser.close()
    except DefusedXmlException:
        raise Invalid("The SVG image declares entities; a logo may not.") from None
    except ParseError as exc:
        raise Unsupported(
            "A logo must be a PNG, JPEG or SVG image; this file is not XML ({reason}).", reason=str(exc)
        ) from None
    if root.tag != f"{SVG_NS}svg":
        raise Unsupported("A logo must be a PNG, JPEG or SVG image.")
    for element in root.iter():
        _check_element(element)


def _check_element(element: Element) -> None:
    name = element.tag.rpartition("}")[2].lower()
    if name in FORBIDDEN:
        raise Invalid("The SVG image holds a {element} element; a logo may not.", element=name)
    for key, value in element.attrib.items():
        attribute = key.rpartition("}")[2].lower()
        if attribute.startswith("on"):
            raise Invalid("The SVG image has an event handler ({name}); a logo may not.", name=attribute)
        if attribute == "href":
            _check_reference(value)
        _check_css(value)
    if name == "style":
        _check_css(element.text or "")


def _check_css(text: str) -> None:
    squeezed = re.sub(r"\s+", "", text).lower()
    if "@import" in squeezed or "javascript:" in squeezed:
        raise Invalid(
            "The SVG image points outside itself ({reference}); a logo may not.", reference="@import"
        )
    for reference in URL.findall(text):
        _check_reference(reference)


def _check_reference(value: str) -> None:
    """Inside the file (#id) or an embedded picture (data:image/…, but not a nested SVG left unchecked)."""
    target = value.strip()
    lowered = target.lower()
    inside = target.startswith("#") or (
        lowered.startswith("data:image/") and not lowered.startswith("data:image/svg")
    )
    if not inside:
        raise Invalid(
            "The SVG image points outside itself ({reference}); a logo may not.", reference=target[:80]
        )
