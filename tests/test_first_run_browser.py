"""In Debian's Chromium, from an empty data folder: the setup link `cowork serve` prints makes the first
account, a sample workshop opens, its projector's QR code (read from the screen, as a phone's camera does)
names the address the server chose, and a phone opened there goes live."""

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageFilter
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ProcessServer
from tests.test_accessibility import axe_violations
from tests.test_browser import _shot

pytestmark = pytest.mark.browser
CONSOLE = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Any address in 127.0.0.0/8 but 127.0.0.1 reaches this machine: it stands for the laptop's LAN address.
CHOSEN = "127.0.0.2"


@pytest.fixture
def first_run(tmp_path: Path) -> Iterator[ProcessServer]:
    data = tmp_path / "data"
    env = {"COWORK_DATA_DIR": str(data), "COWORK_LAN_ADDRESS": CHOSEN, "COWORK_LOG_LEVEL": "warning"}
    with ProcessServer(env, output=tmp_path / "printed.txt", configured=False) as server:
        yield server


def _read_qr(page: Page) -> str:
    """Decode the QR code as it is drawn on the screen (a screenshot of the image, not its source), sharp
    and a little soft, as a phone's camera sees a projected image from the back of the room."""
    shot = Image.open(io.BytesIO(page.locator("img.qr").screenshot())).convert("L")
    found = zxingcpp.read_barcodes(shot)
    assert len(found) == 1, "one QR code on the projector"
    soft = zxingcpp.read_barcodes(shot.filter(ImageFilter.GaussianBlur(1)))
    assert [code.text for code in soft] == [found[0].text], "unreadable a little out of focus"
    return found[0].text


def test_from_an_empty_folder_to_a_phone_live_in_the_sample_workshop(
    browser: Browser,
    first_run: ProcessServer,
) -> None:
    lan = f"http://{CHOSEN}:{first_run.port}"
    printed = first_run.printed()
    link = re.search(r"First account +(\S+)", printed)
    assert link and link.group(1).startswith(f"{lan}/setup/")

    console = browser.new_context(**CONSOLE).new_page()
    console.goto(f"{lan}/f")
    expect(console.get_by_role("heading", name="No account yet?")).to_be_visible()
    assert axe_violations(console) == []
    _shot(console, "first-run-sign-in")
    console.goto(link.group(1))
    expect(console.get_by_role("heading", name="Create the first account")).to_be_visible()
    assert axe_violations(console) == []
    _shot(console, "first-run-setup")
    console.get_by_label("Email").fill("lea@example.org")
    console.get_by_label("Password", exact=True).fill("a long enough secret")
    console.get_by_label("Password again").fill("a long enough secret")
    console.get_by_role("button", name="Create account").click()
    expect(console.get_by_role("heading", name="Your workshops")).to_be_visible()

    console.get_by_role("button", name="Try a sample workshop").click()
    expect(console.locator("#sample-note")).to_be_visible()
    expect(console.locator("#connection")).to_have_attribute("data-state", "online")
    _shot(console, "first-run-sample-console")
    projector_url = console.locator("#projector-link").get_attribute("href")
    console.goto(f"{lan}/f")
    expect(console.locator(".sample-badge")).to_have_text("Sample")
    assert axe_violations(console) == []
    _shot(console, "first-run-dashboard")
    assert projector_url and projector_url.startswith(f"{lan}/s/")

    projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(projector_url)
    expect(projector.locator("#connection")).to_have_attribute("data-state", "online")
    expect(projector.locator("#present-count")).to_have_text("4")  # the sample's four participants
    code = projector.locator("#join-code").inner_text()
    join = _read_qr(projector)
    assert join == f"{lan}/j/{code}"
    # 127.0.0.2 is this machine's own: the projector says phones cannot use it, in words.
    expect(projector.locator("#join-unreachable")).to_contain_text("Phones cannot open this address")
    assert axe_violations(projector) == []
    _shot(projector, "first-run-sample-projector-1920")
    projector.set_viewport_size({"width": 1280, "height": 720})
    assert _read_qr(projector) == join  # still readable on a smaller screen
    _shot(projector, "first-run-sample-projector-1280")

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(join)
    phone.get_by_label("Your name or a nickname").fill("Noor")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "online")
    expect(projector.locator("#present-count")).to_have_text("5")
    _shot(phone, "first-run-sample-phone")
