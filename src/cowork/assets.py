"""Where templates and static files are: inside the installed package, or at the repository root."""

from pathlib import Path

_PACKAGE = Path(__file__).parent


def asset_dir(name: str) -> Path:
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _PACKAGE.parents[1] / name
