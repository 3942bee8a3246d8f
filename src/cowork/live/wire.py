"""JSON on the sockets as UTF-8 text. python-socketio's default (the standard library's `ensure_ascii`)
writes every non-ASCII character as a `\\u` escape: six bytes for each ü, ñ or ß, which makes German and
Spanish pushes up to a third larger than they need to be on phones with a bad connection."""

import json
from typing import Any


def dumps(obj: Any, **kwargs: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, **kwargs)


loads = json.loads
