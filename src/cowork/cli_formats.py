"""`cowork formats ...`: list the formats, export one as TOML, import a TOML file as the organisation's."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from cowork.settings import Settings

formats = typer.Typer(help="Workshop formats.", no_args_is_help=True)
T = TypeVar("T")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _on_database(fn: Callable[..., T], *, write: bool = False, fail_as: str = "", **kwargs: object) -> T:
    """Run one domain function on the migrated database, as the installation; a refusal exits with 2."""
    from cowork.commands import run_command, run_query
    from cowork.db import make_engine
    from cowork.domain.errors import DomainError
    from cowork.domain.program.formats import COMMAND_LINE
    from cowork.migrate import upgrade

    settings = Settings().prepare()
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        if write:
            return run_command(engine, fn, actor=COMMAND_LINE, **kwargs)[0]
        return run_query(engine, fn, actor=COMMAND_LINE, **kwargs)
    except DomainError as exc:
        _fail(fail_as + exc.message)
        raise
    finally:
        engine.dispose()


@formats.command("list")
def list_formats(lang: Annotated[str, typer.Option(help="Language of the titles.")] = "en") -> None:
    """The workshop formats a workshop can be made from: built-in, then the organisation's."""
    from cowork.domain.program import formats as organisation_formats

    for source, spec in _on_database(organisation_formats.list_formats):
        stages = ", ".join(f"{s.kind}" + (f" {s.minutes}'" if s.minutes else "") for s in spec.stages)
        typer.echo(f"{spec.id}\t{spec.localized_title(lang)}\t{stages}\t{source}")


@formats.command("export")
def export_format(
    key: str,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """A format (built-in or the organisation's) as TOML; the same format always gives the same bytes."""
    from cowork.domain.program import formats as organisation_formats

    body = _on_database(organisation_formats.export_format, key=key).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
        typer.echo(f"wrote {output} ({len(body)} bytes)", err=True)


@formats.command("import")
def import_format(
    file: Path,
    replace: Annotated[bool, typer.Option(help="Replace the organisation's format of the same id.")] = False,
) -> None:
    """Check a TOML format file and keep it as a format of the organisation, under its id."""
    from cowork.domain.program import formats as organisation_formats

    try:
        text = file.read_bytes().decode("utf-8-sig")  # a BOM (Windows editors) is not part of the file
    except OSError as exc:
        _fail(f"{file}: cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(f"{file}: a format file is UTF-8 text.")
    row = _on_database(
        organisation_formats.import_format, write=True, fail_as=f"{file}: ", text=text, replace=replace
    )
    typer.echo(f"imported the format {row.key}")
