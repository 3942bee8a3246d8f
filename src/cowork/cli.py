"""The `cowork` command: serve, accounts and tokens, migrate, list formats, extract and compile catalogs."""

import contextlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cowork.cli_formats import formats
from cowork.settings import Settings

if TYPE_CHECKING:
    from cowork.network import Serving

app = typer.Typer(help="cowork: live co-creation workshops.", no_args_is_help=True, add_completion=False)
users = typer.Typer(help="Facilitator accounts.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens.", no_args_is_help=True)
i18n_app = typer.Typer(help="Translations.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(tokens, name="token")
app.add_typer(formats, name="formats")
app.add_typer(i18n_app, name="i18n")


def _settings() -> Settings:
    return Settings().prepare()


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on (default: every interface, for the phones in the room)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (more than 1 needs Redis).")] = 1,
) -> None:
    """Migrate the database, then serve cowork: to the room's phones unless --host or a public URL is set."""
    import uvicorn

    from cowork.live.direct import uvicorn_options
    from cowork.migrate import upgrade
    from cowork.network import lan_address, plan_serving

    settings = _settings()
    if workers > 1 and not settings.redis_url:
        _fail(
            "Several workers need COWORK_REDIS_URL: without Redis a card sent to one worker would never "
            "reach the phones connected to another. Set COWORK_REDIS_URL or use --workers 1."
        )
    if workers > 1:
        # Each worker is its own process on one port: a long-polling client could hop between them.
        os.environ["COWORK_WEBSOCKET_ONLY"] = "1"
    serving = plan_serving(
        host=host,
        port=port,
        configured_url=settings.public_base_url if "public_base_url" in settings.model_fields_set else None,
        pinned=settings.lan_address,
        find=lan_address,
    )
    if serving.public_base_url:
        # The workers build their settings from the environment: hand them what was worked out here.
        os.environ["COWORK_PUBLIC_BASE_URL"] = settings.public_base_url = serving.public_base_url
        os.environ["COWORK_SERVED_ORIGINS"] = json.dumps(list(serving.other_origins))
    upgrade(settings.db_url)
    setup_token = _first_account_token(settings)
    _greet(settings, serving, host=host or serving.host, port=port, setup_token=setup_token)
    uvicorn.run(
        "cowork.app:serve_app",
        factory=True,
        host=serving.host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level=settings.log_level,
        access_log=False,  # cowork logs requests itself, by route template, without codes or keys
        **uvicorn_options(settings),  # each worker gets the same (uvicorn hands its config to them)
    )


def _first_account_token(settings: Settings) -> str | None:
    """While no account exists: the one-time setup link's token, shared with the workers."""
    from cowork.commands import run_query
    from cowork.db import make_engine
    from cowork.domain.accounts import has_accounts

    engine = make_engine(settings.db_url)
    try:
        if run_query(engine, has_accounts):
            return None
    finally:
        engine.dispose()
    token = settings.setup_token or secrets.token_urlsafe(24)
    os.environ["COWORK_SETUP_TOKEN"] = token
    return token


def _greet(settings: Settings, serving: "Serving", *, host: str, port: int, setup_token: str | None) -> None:
    """The few lines a facilitator needs from the terminal: where phones join, the first account, the data."""
    from urllib.parse import urlsplit

    from cowork.network import phones_can_reach, url_host

    base = settings.public_base_url
    reachable = phones_can_reach(urlsplit(base).hostname or "")
    database = _safe_url(settings.db_url)
    everywhere = host in ("0.0.0.0", "::")
    if everywhere:  # not an address anyone can open: say what it means
        typer.echo(f"cowork serves on every network of this computer, port {port} (database: {database})")
    else:
        typer.echo(f"cowork serves on http://{url_host(host)}:{port} (database: {database})")
    if serving.lan and not settings.lan_address and not reachable:
        typer.echo(
            "No network found: phones cannot reach this laptop. Join the venue's Wi-Fi, then start again."
        )
    else:
        typer.echo(f"Phones join at   {base}   (scan this code or type the address)")
        _print_qr(base)
        if not reachable:
            typer.echo(
                f"Phones cannot use {base}: it works on this machine only. Set COWORK_PUBLIC_BASE_URL to its "
                "network address, or start cowork without --host to let it find the address itself."
            )
    if serving.lan:
        typer.echo(f"On this laptop   http://127.0.0.1:{port}")
    if setup_token:
        typer.echo(
            f"First account    {base}/setup/{setup_token}   (one-time link, until used or cowork stops)"
        )
    typer.echo(f"Data is kept in  {settings.data_dir.resolve()}")
    if everywhere:  # without a network cowork stays on loopback: nobody else can open it
        typer.echo(
            "Anyone on this network can open cowork; to keep it on this laptop: cowork serve --host 127.0.0.1"
        )


def _print_qr(url: str) -> None:
    import io

    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    if sys.stdout.isatty():
        code.print_tty()  # explicit black on white: readable on a dark or a light terminal
        return
    drawing = io.StringIO()
    code.print_ascii(out=drawing, invert=True)  # light blocks: for the usual dark terminal or a log
    # A terminal without block characters skips the drawing: the address above still works.
    with contextlib.suppress(UnicodeEncodeError):
        typer.echo(drawing.getvalue().rstrip("\n"))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from cowork.migrate import upgrade

    upgrade(_settings().db_url)
    typer.echo("database is up to date")


@users.command("create")
def create_user(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="May see and run every workshop.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Create a facilitator account."""
    from cowork.db import make_engine, write_session
    from cowork.domain.accounts import create_user as create
    from cowork.domain.errors import DomainError
    from cowork.migrate import upgrade

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()
    upgrade(settings.db_url)
    try:
        with write_session(make_engine(settings.db_url)) as session:
            user = create(session, email=email, password=password, is_admin=admin)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"created {'admin ' if admin else ''}account {user.email} (id {user.id})")


@tokens.command("create")
def create_token(email: str) -> None:
    """Create an API token; it is printed once, alone on the last line."""
    from cowork.db import make_engine, write_session
    from cowork.domain.accounts import create_api_token
    from cowork.domain.errors import DomainError
    from cowork.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    try:
        with write_session(make_engine(settings.db_url)) as session:
            token = create_api_token(session, email=email)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo("API token (shown only now; keep it secret):")
    typer.echo(token)


@app.command("backup")
def backup_command(file: Path) -> None:
    """Copy the SQLite database to FILE while cowork keeps running (PostgreSQL: pg_dump)."""
    from cowork.backup import BackupError, backup

    try:
        backup(_settings().db_url, file)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(f"backed up to {file}")


@app.command("restore")
def restore_command(
    file: Path, force: Annotated[bool, typer.Option("--force", help="Replace the existing database.")] = False
) -> None:
    """Put a backup made by `cowork backup` in place of the database (stop cowork first)."""
    from cowork.backup import BackupError, restore

    try:
        restore(_settings().db_url, file, force=force)
    except BackupError as exc:
        _fail(str(exc))
    typer.echo(f"restored from {file}")


@app.command("export")
def export_command(
    workshop_id: int,
    format: Annotated[
        str, typer.Option("--format", "-f", help="pdf, docx, xlsx, csv, md, json or zip.")
    ] = "pdf",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: in the data dir).")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="Language of the export (en, de, es); default: the workshop's.")
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            help="One part on its own: actions (summary and plan) or interface (partners' handout)."
        ),
    ] = None,
    appendix: Annotated[
        bool, typer.Option("--appendix/--no-appendix", help="End the report with the session record.")
    ] = True,
) -> None:
    """Export a workshop: the report, its tables or its session record."""
    from cowork.domain.errors import DomainError
    from cowork.exports import ExportUnavailable
    from cowork.exports.jobs import export_workshop
    from cowork.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    try:
        report, body = export_workshop(
            settings.db_url, workshop_id=workshop_id, fmt=format, lang=lang, part=part, appendix=appendix
        )
    except (DomainError, ExportUnavailable) as exc:
        _fail(exc.message if isinstance(exc, DomainError) else str(exc))
    from cowork.exports import FORMATS

    target = output or settings.data_dir / "exports" / FORMATS[format].filename(report)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    typer.echo(f"wrote {target} ({len(body)} bytes)")


@app.command("import")
def import_command(
    file: Path,
    owner: Annotated[str | None, typer.Option(help="Email of the facilitator who will own it.")] = None,
) -> None:
    """Recreate a workshop from its JSON session record; prints the new workshop's id on the last line."""
    from cowork.domain.errors import DomainError
    from cowork.exports.jobs import import_file
    from cowork.migrate import upgrade

    settings = _settings()
    upgrade(settings.db_url)
    try:
        workshop_id, events = import_file(settings.db_url, path=file, owner_email=owner)
    except (DomainError, OSError) as exc:
        _fail(exc.message if isinstance(exc, DomainError) else str(exc))
    typer.echo(f"imported {events} events as a new workshop")
    typer.echo(str(workshop_id))


@app.command("purge")
def purge_command(
    due: Annotated[bool, typer.Option("--due", help="Purge every workshop past its retention.")] = False,
) -> None:
    """Purge the personal data of workshops whose retention has run out (counts and texts stay)."""
    from cowork.exports.jobs import purge_due_workshops
    from cowork.migrate import upgrade

    if not due:
        _fail("Say which workshops: --due purges every workshop past its retention.")
    settings = _settings()
    upgrade(settings.db_url)
    purged = purge_due_workshops(settings.db_url)
    typer.echo(
        f"purged personal data of {len(purged)} workshop(s)"
        + (f": {', '.join(map(str, purged))}" if purged else "")
    )


@i18n_app.command("compile")
def compile_catalogs() -> None:
    """Compile the gettext catalogs (make setup does this)."""
    from cowork.i18n import compile_catalogs as compile_all

    for path in compile_all():
        typer.echo(f"compiled {path}")


@i18n_app.command("extract")
def extract_catalogs() -> None:
    """Extract the messages (babel.cfg) into messages.pot and merge them into each catalog."""
    from cowork.i18n import extract_catalogs as extract_all

    try:
        results = extract_all()
    except FileNotFoundError as exc:
        _fail(str(exc))
    for path, changed in results:
        typer.echo(f"{'updated' if changed else 'unchanged'} {path}")
    typer.echo("Now translate the new and fuzzy entries in the .po files, then run: cowork i18n compile")
