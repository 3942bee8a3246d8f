"""Generated text against a real server, on SQLite and (with COWORK_TEST_DATABASE_URL) PostgreSQL.

Every API endpoint that takes text (tests/text_endpoints*.py: cards and their edits, titles, labels,
the plan's fields, commitments, topics, answers, names, a join's details, formats and their TOML
files, renames, paper ballots, table boards) gets lone surrogates, NUL and other controls, combining
marks, right-to-left marks, emoji and 10,000-character words. Each answer is a 2xx, or a 4xx with a
`detail` sentence, never a 5xx; a refused character gets the exact 422 sentence with its field and
position; where the text can be read back it is the NFC-normalised input. A refusal stores nothing
(the workshop's record gets no event; an edited text reads back as before), and after each endpoint's
run the workshop's record up to where it was is unchanged and the texts stored in the run read back
as kept. Each endpoint also takes a plain text (one with a right-to-left word, or a key where it takes
only keys).
"""

import json
import os
import unicodedata
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cowork.domain.stakeholders.names import normalise_name
from tests.conftest import ThreadServer, World, patient
from tests.text_endpoints import Endpoint, Site, endpoints, more_endpoints
from tests.text_endpoints_further import further_endpoints

# Per endpoint: CI has two cores. COWORK_FUZZ_EXAMPLES=1000 makes a longer hunt.
EXAMPLES = int(os.environ.get("COWORK_FUZZ_EXAMPLES", "30"))


def unstorable(position: int) -> str:
    return f"The text contains a character that cannot be stored (position {position:,})."


def control(field: str, position: int) -> str:
    return f'The field "{field}" contains a control character (position {position:,}); please remove it.'


SURROGATES = list("\ud800\udbff\udc00\udfff")  # alone, each is no character UTF-8 can store
CONTROLS = list("\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f")  # C0, DEL and C1
REFUSED = SURROGATES + CONTROLS
LINE_BREAKS = ["\t", "\n", "\r", "\r\n"]  # kept (a CR becomes a newline)
COMBINING = list("\u0301\u0308\u0327\u05b8\u064e")
DIRECTION_MARKS = list("\u200e\u200f\u202b\u202c\u202e\u2067\u2069\u061c")
EMOJI = ["👩🏽‍💻", "🇩🇪", "\u200d", "\ufe0f"]
WORDS = ["مرحبا", "שלום", "سلام دنیا", "e\u0301", "ﬁ", "\u00a0", "\u2028", "\ufeff"]
KEPT = LINE_BREAKS + COMBINING + DIRECTION_MARKS + EMOJI + WORDS
LONG_WORDS = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["a", "é", "e\u0301", "ب", "😀"]),
    st.sampled_from([119, 120, 121, 199, 200, 201, 1999, 2000, 2001, 10_000]),
)
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
TEXT = st.one_of(
    # Text a person may write: any character but controls and surrogates, with the marks above.
    st.lists(st.one_of(PRINTABLE, st.sampled_from(KEPT)), max_size=40).map("".join),
    # The same with characters no database keeps alike somewhere inside.
    st.lists(st.one_of(PRINTABLE, st.sampled_from(KEPT), st.sampled_from(REFUSED)), max_size=40).map("".join),
    # Words of the length of a limit, one character either side of it, and 10,000 characters.
    st.tuples(st.text(PRINTABLE, max_size=5), LONG_WORDS, st.text(PRINTABLE, max_size=5)).map("".join),
)


def refusal(text: str, field: str) -> str | None:
    """The sentence a text with a character no database keeps alike must get, or None."""
    for index, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return unstorable(index + 1)
        if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc":
            return control(field, index + 1)
    return None


def cleaned(text: str, one_line: bool) -> str:
    """What a valid text is kept as: newlines for line breaks, NFC, trimmed (one line: spaces joined)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return " ".join(text.split()) if one_line else text


@pytest.fixture
def site(server: ThreadServer, world: World) -> Any:
    with patient.Client(base_url=f"{server.url}/api/v1", timeout=60) as client:
        client.headers["Authorization"] = f"Bearer {world.api_token}"
        lab = client.post("/workshops", json={"title": "Lab", "format": "co-working-lab"}).json()
        stages = {s["kind"]: s["id"] for s in lab["stages"]}
        yield Site(server, world, client, stages, lab)


def record(site: Site, since: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The lab workshop's session record after `since`, and its last seq: what it has stored."""
    events: list[dict[str, Any]] = []
    while True:
        page = site.client.get(f"/workshops/{site.workshop['id']}/events", params={"since": since}).json()
        events += page["events"]
        if not page["events"] or page["events"][-1]["seq"] >= page["last_seq"]:
            return events, page["last_seq"]
        since = page["events"][-1]["seq"]


def check_answer(site: Site, endpoint: Endpoint, text: str) -> None:
    seq = None if endpoint.writes_first else record(site, since=10**9)[1]
    answer = endpoint.post(site.client, text)
    judge(site, endpoint, text, answer)
    if answer.status_code >= 400:
        # A refusal changed nothing: no event in the workshop's record; an edited text is as it was.
        if seq is not None:
            assert record(site, since=10**9)[1] == seq, (endpoint.name, repr(text))
        if endpoint.edit and endpoint.read is not None and endpoint.last is not None:
            made, kept = endpoint.last
            assert endpoint.read(site.client, made) == kept, (endpoint.name, repr(text))


def judge(site: Site, endpoint: Endpoint, text: str, answer: httpx.Response) -> None:
    assert answer.status_code < 500, (endpoint.name, repr(text), answer.status_code, answer.text[:300])
    body = answer.json()
    # What the server reads: JSON joins a high and a low surrogate escaped one after the other into one
    # character (that is how JSON writes characters beyond U+FFFF); a surrogate alone stays alone.
    text = json.loads(json.dumps(text))
    expected = refusal(text, endpoint.field)
    if (
        expected is not None
        and not endpoint.exact_surrogate
        and any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    ):
        # A file that cannot carry a lone surrogate anywhere is refused whole (TOML: "not valid TOML").
        assert 400 <= answer.status_code < 500, (endpoint.name, repr(text), answer.status_code)
        assert isinstance(body.get("detail"), str) and body["detail"], body
        return
    if expected is not None:
        assert (answer.status_code, body) == (422, {"detail": expected}), (endpoint.name, repr(text))
        return
    kept = cleaned(text, endpoint.one_line)
    if endpoint.read is None:  # the answer alone: a 2xx, or a 4xx with a sentence saying why
        if not 200 <= answer.status_code < 300:
            assert 400 <= answer.status_code < 500, (endpoint.name, repr(text), answer.status_code)
            assert isinstance(body.get("detail"), str) and body["detail"].endswith("."), body
        return
    valid = bool(kept) and len(kept) <= endpoint.limit and endpoint.acceptable(kept)
    if not valid:
        assert 400 <= answer.status_code < 500, (endpoint.name, repr(text), answer.status_code)
        assert isinstance(body.get("detail"), str) and body["detail"].endswith("."), body
        return
    assert answer.status_code in (200, 201), (endpoint.name, repr(text), answer.text[:300])
    if (
        answer.status_code == 200 and not endpoint.edit
    ):  # a stakeholder already on the map: the same name after normalising
        first = endpoint.stored[body["id"]]
        assert normalise_name(first) == normalise_name(kept)
        return
    assert endpoint.read(site.client, body) == kept, (endpoint.name, repr(text))
    if endpoint.edit:
        endpoint.last = (body, kept)
        return
    endpoint.stored[body["id"]] = kept


def fuzz(site: Site, endpoint: Endpoint) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=TEXT)
    def post_it(text: str) -> None:
        check_answer(site, endpoint, text)

    before, _ = record(site)
    post_it()
    # Whatever the workshop had stored before the run is still there, unchanged (its record only grew).
    after, _ = record(site)
    assert after[: len(before)] == before, endpoint.name
    # Plain text with a right-to-left word is taken: the endpoint is a way in, not a door always shut.
    plain = endpoint.post(site.client, endpoint.plain)
    assert plain.status_code in (200, 201), (endpoint.name, plain.status_code, plain.text[:300])
    # Whatever was stored during the run is still there, unchanged.
    for made_id, kept in endpoint.stored.items():
        assert endpoint.read is not None
        assert endpoint.read(site.client, {"id": made_id}) == kept, endpoint.name


# The endpoints are dealt out in turn to this many tests, each with a server and a workshop of its own, so
# that the test processes share the run (as one test it took minutes, and whichever process drew it last
# kept the whole suite waiting). Every endpoint is in exactly one share, however many endpoints there are.
SHARES = 8


@pytest.mark.parametrize("share", range(SHARES))
def test_generated_text_gets_a_clear_answer_and_reads_back_normalised(site: Site, share: int) -> None:
    # Each share builds every endpoint (what one writes first is part of the workshop the others are fuzzed
    # in) and fuzzes its own: of all endpoints in order, share 0 the first, the ninth, ...; share 1 the
    # second, the tenth, ...
    first = endpoints(site) + more_endpoints(site)
    for endpoint in first[share::SHARES]:
        fuzz(site, endpoint)
    # Built after the others ran: the table topics above split the tables anew each time.
    further = further_endpoints(site)
    for endpoint in further[(share - len(first)) % SHARES :: SHARES]:
        fuzz(site, endpoint)
