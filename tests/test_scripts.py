"""Our own scripts (static/*.js) run on the old phones the participant pages promise to work on.

A participant page loads socket.io-client and static/cowork.js, nothing else: htmx 4 (whose bundle needs
ES2022, e.g. private class fields) is loaded on facilitator pages only. socket.io-client 4 supports IE 9 and
newer and ships its browser bundle in ES5 syntax, so ES5 is the newest syntax our scripts may use.
es-check (a pinned devDependency, installed by `make setup`) parses each file as that version and names the
first construct that is newer; it runs offline.
"""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
ES_CHECK = ROOT / "node_modules" / ".bin" / "es-check"
TARGET = "es5"  # the syntax of socket.io-client's own browser bundle
SOCKET_IO = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def es_check(*files: Path) -> subprocess.CompletedProcess[str]:
    if not ES_CHECK.exists():
        pytest.fail("es-check is not installed: run `make setup` (npm ci installs it from package-lock.json)")
    command = [str(ES_CHECK), TARGET, *map(str, files), "--noColor"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def test_our_scripts_use_no_syntax_newer_than_socket_io_needs() -> None:
    scripts = sorted((ROOT / "static").glob("*.js"))
    assert scripts, "no scripts found in static/"
    checked = es_check(*scripts)
    assert checked.returncode == 0, (
        f"static/*.js must stay {TARGET.upper()} syntax (var and function, no arrow functions, let/const, "
        f"classes or template literals) for old phones:\n{checked.stdout}{checked.stderr}"
    )


def test_the_target_is_what_socket_io_itself_runs_on() -> None:
    # If socket.io-client ever ships newer syntax, the phones it leaves behind need no ES5 from us either.
    checked = es_check(SOCKET_IO)
    assert checked.returncode == 0, f"socket.io-client left {TARGET}:\n{checked.stdout}{checked.stderr}"


def test_the_check_catches_newer_syntax(tmp_path: Path) -> None:
    modern = tmp_path / "modern.js"
    modern.write_text("const greet = (name) => `Hello ${name}`;\n", encoding="utf-8")
    checked = es_check(modern)
    assert checked.returncode != 0 and "modern.js" in checked.stdout + checked.stderr
