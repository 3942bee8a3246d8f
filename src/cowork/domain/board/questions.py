"""Which cards cowork asks the facilitator about: in each cluster of unsure cards, its most central card.

Label propagation (`similarity.category_confidences`) spreads a placed card's column to the cards near it,
so one answer teaches a whole neighbourhood. The board's unplaced cards are clustered (average linkage at
GROUPING, on the board's centred vectors, as the propagation reads them); a cluster weighs as much as its
cards' doubt (1 minus each one's confidence), and cowork asks about the most central card of each of the
heaviest clusters: one question per part of the board where many cards are unsure, never two versions of
one card (the same card in other languages follows its placed version anyway).

Pure numpy beside `similarity.py`, so the benchmark and the domain run the same code. The rule and GROUPING
were chosen on the tuning half of the labelled set only (benchmarks/README.md, "Sixth round").
"""

import numpy as np

from cowork.domain.board import similarity

GROUPING = 0.25  # mean similarity (centred vectors) within which unplaced cards count as one cluster
CHOICES = 3  # the likeliest categories offered for each asked card


def _centred(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) < similarity.CENTER_FROM:
        return vectors
    centred = vectors - vectors.mean(axis=0)  # as category_confidences reads a board of this size
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)


def questions(
    vectors: np.ndarray,
    confidence: np.ndarray,
    placed: np.ndarray,
    *,
    count: int,
    same: list[list[int]] | None = None,
    askable: np.ndarray | None = None,
) -> list[int]:
    """Up to `count` cards (indices) to ask the facilitator about, the most telling first.

    `confidence` is `category_confidences` of the board, `placed` each card's column (-1: none), `same` the
    sets of one card in several languages, `askable` which cards may be asked about (default: all)."""
    free = placed < 0 if askable is None else askable & (placed < 0)
    version_of = {i: versions for versions in same or [] for i in versions}
    for versions in same or []:
        if any(placed[i] >= 0 for i in versions):
            free[versions] = False  # it follows its placed version already
    index = np.flatnonzero(free)
    if count <= 0 or not len(index):
        return []
    board = _centred(vectors)
    sims = board[index] @ board[index].T
    doubt = 1.0 - confidence[index].max(axis=1)
    clusters = similarity.groups(sims, [None] * len(index), threshold=GROUPING)
    inside = {m for cluster in clusters for m in cluster}
    clusters += [[m] for m in range(len(index)) if m not in inside]
    clusters.sort(key=lambda cluster: -float(doubt[cluster].sum()))  # stable: ties keep the board's order
    chosen: list[int] = []
    taken: set[int] = set()
    for cluster in clusters:
        card = int(index[similarity.central(sims, cluster)])
        if card in taken:
            continue
        chosen.append(card)
        taken.update(version_of.get(card, [card]))
        if len(chosen) == count:
            break
    return chosen


def likeliest(confidence: np.ndarray, card: int, choices: int = CHOICES) -> list[int]:
    """The card's likeliest categories (indices), surest first: the answers offered for it."""
    return [int(k) for k in np.argsort(-confidence[card], kind="stable")[:choices]]
