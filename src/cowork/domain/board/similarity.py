"""The arithmetic of suggestions, on unit vectors: which category a card fits, which cards say the same.

Pure numpy over plain arrays (no database), so the benchmark and the domain run the very same code. The
cosine similarity of two unit vectors is their dot product.

- **Category**: a card's score for a category is its similarity to the category's own words (its label in
  each language and each item of its description: half the similarity to their mean, half the mean of the
  TOP_PROTOTYPES closest of them), blended with its similarity to the closest cards already placed there.
  Then the board is read as a whole: the cards that fit a category most clearly (by their margin over the
  next best) become examples too, weighted less and never for themselves, and every card is scored again.
  The same card in other languages (see Translations) goes to one column: where one of its versions was
  placed, or else by the mean of their scores. On a board of CENTER_FROM cards or more, the board's mean
  card vector is first taken from every vector. The confidence is the softmax of the scores: the best
  category's share.
- **Groups**: average-linkage clustering of the cards of each column (a card without a column counts in the
  column suggested for it); a group stays when its cards are on average at least GROUP_THRESHOLD alike.
- **Translations**: cards in different languages that are each other's closest card in that language and
  at least TRANSLATION_THRESHOLD alike, joined into sets.

The constants were chosen on half of the labelled set (`tests/data/suggestions.csv`, odd meaning numbers)
and are reported on the other half; benchmarks/README.md has the numbers and what each step gave.
"""

import re

import numpy as np

EXAMPLE_WEIGHT = 0.5  # beside the category's own words, weighing 1
PSEUDO_WEIGHT = 0.5  # a clear card's weight as an example, beside a placed card's 1
PSEUDO_PER_CATEGORY = 10  # the clearest cards of each category that become examples
TOP_EXAMPLES = 3
TOP_PROTOTYPES = 2  # a category's own texts closest to a card, beside the mean of them all
CENTER_FROM = 30  # cards on a board from which their mean is a fair picture of "a card on this board"
TEMPERATURE = 0.04
GROUP_THRESHOLD = 0.52
TRANSLATION_THRESHOLD = 0.45


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


def softmax(scores: np.ndarray) -> np.ndarray:
    z = np.exp((scores - scores.max(axis=1, keepdims=True)) / TEMPERATURE)
    return z / z.sum(axis=1, keepdims=True)


def label_scores(vectors: np.ndarray, categories: list[np.ndarray]) -> np.ndarray:
    """Per card and category: half the similarity to the mean of the category's own texts, half the mean
    similarity to its TOP_PROTOTYPES closest texts (a card on child care need not be like "elderly care")."""
    centres = np.stack([words.mean(axis=0) for words in categories])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    closest = np.stack(
        [np.sort(vectors @ words.T, axis=1)[:, -TOP_PROTOTYPES:].mean(axis=1) for words in categories], axis=1
    )
    return (vectors @ centres.T + closest) / 2


def example_scores(
    vectors: np.ndarray, examples: np.ndarray, owners: np.ndarray, weights: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per card and category: the weighted mean similarity to its closest examples there (never itself);
    and whether the card had any example there."""
    scores = np.zeros((len(vectors), n), dtype=np.float32)
    seen = np.zeros((len(vectors), n), dtype=bool)
    if not len(examples):
        return scores, seen
    sims = vectors @ vectors[examples].T
    weights = np.broadcast_to(weights, sims.shape).copy()
    sims[examples, np.arange(len(examples))] = -1.0
    weights[examples, np.arange(len(examples))] = 0.0
    for k in range(n):
        cols = owners == k
        if not cols.any():
            continue
        s, w = sims[:, cols], weights[:, cols]
        order = np.argsort(-s, axis=1)[:, :TOP_EXAMPLES]
        s, w = np.take_along_axis(s, order, axis=1), np.take_along_axis(w, order, axis=1)
        total = w.sum(axis=1)
        seen[:, k] = total > 0
        scores[:, k] = (s * w).sum(axis=1) / np.maximum(total, 1e-9)
    return scores, seen


def _blend(label: np.ndarray, examples: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    ex, seen = examples
    return np.where(seen, (label + EXAMPLE_WEIGHT * ex) / (1 + EXAMPLE_WEIGHT), label)


def category_confidences(
    vectors: np.ndarray,
    categories: list[np.ndarray],
    placed: np.ndarray,
    *,
    whole_board: bool = True,
    same: list[list[int]] | None = None,
) -> np.ndarray:
    """Per card (rows) and category (columns) the confidence that the card belongs there.

    `categories` holds each category's text vectors; `placed` the index of each card's category, -1 for none;
    `same` the sets of cards that say the same in other languages (`translations`). Read as a whole board,
    the same card goes to one column: its versions count as placed where one of them was placed, and the
    others' scores are averaged over the set.
    """
    n = len(categories)
    same = same if whole_board and same else []
    given, placed, raw = placed, _spread(placed, same), vectors
    if len(vectors) >= CENTER_FROM:
        # What every card of the board shares ("a need in a workshop") says nothing about its category:
        # taken away, the differences between the categories weigh more.
        mean = vectors.mean(axis=0)
        vectors, categories = _unit(vectors - mean), [_unit(words - mean) for words in categories]
    label = label_scores(vectors, categories)
    examples = np.flatnonzero(placed >= 0)
    owners, weights = placed[examples], np.ones(len(examples))
    scores = _blend(label, example_scores(vectors, examples, owners, weights, n))
    if whole_board:
        top2 = np.sort(scores, axis=1)[:, -2:] if n > 1 else np.zeros((len(scores), 2))
        margin, best = top2[:, 1] - top2[:, 0], scores.argmax(axis=1)
        clear = [
            idx[np.argsort(-margin[idx])][:PSEUDO_PER_CATEGORY]
            for k in range(n)
            if len(idx := np.flatnonzero((placed < 0) & (best == k)))
        ]
        sure = np.concatenate(clear) if clear else np.zeros(0, dtype=int)
        examples = np.concatenate([examples, sure]).astype(int)
        owners = np.concatenate([owners, best[sure]])
        weights = np.concatenate([weights, np.full(len(sure), PSEUDO_WEIGHT)])
        scores = _blend(label, example_scores(vectors, examples, owners, weights, n))
    for versions in same:
        if free := [i for i in versions if placed[i] < 0]:
            scores[free] = scores[free].mean(axis=0)
    confidence = softmax(scores)
    for versions in same:
        # A version of a placed card goes where it is, as sure as the two are the same card.
        if followers := [i for i in versions if given[i] < 0 <= placed[i]]:
            leaders = [i for i in versions if given[i] >= 0]
            confidence[followers] = 0.0
            sure = (raw[followers] @ raw[leaders].T).max(axis=1)
            confidence[followers, placed[followers]] = np.clip(sure, 0.0, 1.0)
    return confidence


def _spread(placed: np.ndarray, same: list[list[int]]) -> np.ndarray:
    """`placed`, where each version of a card placed in one column (and no other) counts as placed there."""
    placed = placed.copy()
    for versions in same:
        columns = {int(placed[i]) for i in versions} - {-1}
        if len(columns) == 1:
            placed[versions] = columns.pop()
    return placed


def similarities(vectors: np.ndarray) -> np.ndarray:
    """Every pair's cosine similarity (computed once per ask, shared by groups and translations)."""
    return vectors @ vectors.T


def groups(sims: np.ndarray, columns: list[object], threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Sets of at least two similar cards (indices) within one column, by average linkage."""
    n = len(sims)
    order = {c: k for k, c in enumerate(dict.fromkeys(columns))}
    codes = np.array([order[c] for c in columns])
    sims = sims.astype(np.float64)
    if n:
        sims[codes[:, None] != codes[None, :]] = -np.inf
        np.fill_diagonal(sims, -np.inf)
    members: list[list[int]] = [[i] for i in range(n)]
    alive = np.ones(n, dtype=bool)
    while n:
        a, b = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[a, b] < threshold:
            break
        size_a, size_b = len(members[a]), len(members[b])
        merged = (size_a * sims[a] + size_b * sims[b]) / (size_a + size_b)  # -inf stays -inf
        sims[a], sims[:, a] = merged, merged
        sims[a, a] = -np.inf
        members[a] += members[b]
        alive[b] = False
        sims[b], sims[:, b] = -np.inf, -np.inf
    return [sorted(members[i]) for i in np.flatnonzero(alive) if len(members[i]) > 1]


def mean_similarity(sims: np.ndarray, members: list[int]) -> float:
    """The mean similarity of each pair of the members."""
    block = sims[np.ix_(members, members)]
    m = len(members)
    return float((block.sum() - np.trace(block)) / (m * (m - 1)))


def central(sims: np.ndarray, members: list[int]) -> int:
    """The member most like the others: its words are the group's proposed title."""
    block = sims[np.ix_(members, members)]
    return members[int(block.sum(axis=1).argmax())]


def translations(
    sims: np.ndarray, languages: list[str], threshold: float = TRANSLATION_THRESHOLD
) -> list[list[int]]:
    """Sets of cards in different languages that say the same: mutual closest matches, joined."""
    n = len(sims)
    langs = np.array(languages)
    best: dict[tuple[int, str], int] = {}
    for lang in set(languages):
        cols = np.flatnonzero(langs == lang)
        picks = cols[sims[:, cols].argmax(axis=1)] if len(cols) else []
        for i in range(n):
            best[i, lang] = int(picks[i])
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for lang in set(languages) - {languages[i]}:
            j = best[i, lang]
            if i < j and best[j, languages[i]] == i and sims[i, j] >= threshold:
                parent[root(j)] = root(i)
    sets: dict[int, list[int]] = {}
    for i in range(n):
        sets.setdefault(root(i), []).append(i)
    return [s for s in sets.values() if len(s) > 1]


# --- which language a card is written in --------------------------------------------------------------------

_WORDS = {
    lang: set(words.split())
    for lang, words in {
        "en": "the and for to of is are with not no who my our we they do does on at from people there",
        "de": "der die das und für mit nicht kein keine ist sind ein eine zu den dem wir ich auf von nach im "
        "bei beim es gibt wer des während zur zum am um bis oder aber auch sich wenn wie nur noch über ohne",
        "es": "el la los las y de para con no un una que en del por se sin muy hay quién",
        "tr": "ve için bir bu çok yok ile değil gibi olan sonra önce",
    }.items()
}
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_TURKISH = re.compile(r"[ğışİĞŞı]")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def guess_language(text: str, fallback: str | None) -> str:
    """The card's language by its script and most common words; the writer's language when unsure.

    A phone's language is one of cowork's own (en, de, es), while a card may be written in Arabic or Turkish.
    """
    if _ARABIC.search(text):
        return "ar"
    if _TURKISH.search(text):
        return "tr"
    words = [w.lower() for w in _TOKEN.findall(text)]
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    if counts[best] and list(counts.values()).count(counts[best]) == 1:
        return best
    return fallback or best
