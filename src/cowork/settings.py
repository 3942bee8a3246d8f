"""Settings from the environment (COWORK_*), built explicitly so tests can make their own."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("en", "de", "es")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COWORK_", extra="ignore")

    data_dir: Path = Path("sessions")
    database_url: str | None = None
    redis_url: str | None = None
    redis_channel: str = "cowork"
    # Several workers on one port cannot share long-polling sessions: then phones use websockets only.
    websocket_only: bool = False
    public_base_url: str = "http://127.0.0.1:8000"
    # Other origins the same server is reached under: `cowork serve` sets them when it chose the LAN address
    # itself (then http://127.0.0.1:PORT and http://localhost:PORT serve the laptop too). Pages, form posts
    # and sockets are accepted from these and from public_base_url, from nowhere else.
    served_origins: list[str] = []
    # The address `cowork serve` puts in the QR code instead of the one it works out (the default route's).
    lan_address: str | None = None
    # The one-time link that makes the first account (`cowork serve` makes one and prints it while no
    # account exists; several workers share it through this setting).
    setup_token: str | None = Field(default=None, repr=False)
    secret_key: str | None = Field(default=None, repr=False)
    default_language: str = "en"
    log_level: str = "info"
    # The join budget (docs/operations.md): joins a join code takes per minute (429 beyond), and signed
    # device ids an address gets per minute. The defaults admit a 2,000-person plenary behind one venue
    # NAT address within two minutes; wrong codes stay limited per device and per cookie-less client.
    joins_per_code_per_minute: int = Field(default=2000, ge=1)
    devices_per_address_per_minute: int = Field(default=1000, ge=1)
    # Export files render in worker processes, this many at once: a big PDF takes seconds of CPU, which on
    # a thread would hold the GIL and stall every live socket; one process leaves the other core to them.
    export_processes: int = Field(default=1, ge=1, le=16)
    # A room gets at most one live frame per this many ms; events in between share the next frame (0: none).
    push_interval_ms: int = Field(default=50, ge=0, le=1000)
    # Accept the permessage-deflate that browsers ask for on the live socket: fewer bytes on the venue's
    # Wi-Fi, but each frame compressed once per phone (about twice the server CPU of the fan-out, which
    # otherwise frames a broadcast once for all): benchmarks/README.md, "Compression", docs/operations.md.
    websocket_compression: bool = False
    # A request body over this many bytes is refused with 413 before it is read (a record's import: 64 MiB).
    max_body_bytes: int = Field(default=1024 * 1024, ge=16 * 1024)

    # Readiness (/healthz) answers 503 below this much free space where the data lives (SQLite: its folder).
    min_free_disk_mb: int = Field(default=100, ge=0)

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cowork.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def allowed_origins(self) -> list[str]:
        """scheme://host[:port] of every address this server hands out or is served under."""
        return [origin_of(self.public_base_url), *(origin_of(url) for url in self.served_origins)]

    @property
    def cookies_secure(self) -> bool:
        return self.public_base_url.startswith("https://")

    def prepare(self) -> "Settings":
        """Create the data dir and load (or make and keep) the secret key there when none is set."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.secret_key:
            key_file = self.data_dir / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_urlsafe(48))
                key_file.chmod(0o600)
            self.secret_key = key_file.read_text().strip()
        if len(self.secret_key) < 32:
            raise ValueError("COWORK_SECRET_KEY must be at least 32 characters long")
        return self
