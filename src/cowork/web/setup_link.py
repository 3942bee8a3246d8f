"""The one-time link that makes the first account in the browser (Jupyter's token link, Gitea's first run).

`cowork serve` prints it while no account exists. It opens the setup page until it is used or the server
stops; once any account exists (made here or with `cowork users create`) the page is gone.
"""

import asyncio
import secrets
from dataclasses import dataclass, field


@dataclass
class SetupLink:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    used: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one first account, even from two tabs at once

    def opens(self, token: str) -> bool:
        return not self.used and secrets.compare_digest(token.encode(), self.token.encode())

    def was_used(self, token: str) -> bool:
        return self.used and secrets.compare_digest(token.encode(), self.token.encode())
