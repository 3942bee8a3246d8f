"""The arithmetic of suggestions, on unit vectors: which category a card fits, which cards say the same.

Pure numpy over plain arrays (no database), so the benchmark and the domain run the very same code. The
cosine similarity of two unit vectors is their dot product.

- **Category**: a card's first belief is the softmax of its similarity to each category's own words (its
  label in each language and each item of its description: half the similarity to their mean, half the mean
  of the TOP_PROTOTYPES closest of them); a placed card's is its column. Then the board is read as a whole
  (label propagation): over a graph joining each card to its NEIGHBOURS closest cards, each card takes
  PROPAGATION of its belief from its neighbours', for ROUNDS rounds, so placed and clear cards teach the
  cards near them. The same card in other languages (see Translations) goes to one column: where one of its
  versions was placed, or else by the mean of their beliefs. On a board of CENTER_FROM cards or more, the
  board's mean card vector is first taken from every vector. The confidence is the card's final belief in
  the category (the beliefs of a card sum to 1). Ridge self-training (SELF_TRAINING_ROUNDS, off) is an
  option measured in the eighth round and left off: it lost on boards of one batch.
- **Groups**: average-linkage clustering of the cards of each column (a card without a column counts in the
  column suggested for it); a group stays when its cards are on average at least GROUP_THRESHOLD alike.
- **Translations**: cards in different languages that are each other's closest card in that language and
  at least TRANSLATION_THRESHOLD alike (a link), joined into sets, except where the two cards' other links
  disagree: a link is dropped when its two cards are linked to different cards in more languages than to
  the same card (one card's versions are linked to its own versions, so their links meet).

The constants were chosen on half of the labelled set (`tests/data/suggestions.csv`, odd meaning numbers)
and are reported on the other half; benchmarks/README.md has the numbers and what each step gave.
"""

import re

import numpy as np

NEIGHBOURS = 5  # each card's closest cards on the board, through which beliefs spread
PROPAGATION = 0.4  # the share of a card's belief that comes from its neighbours, each round
ROUNDS = 10  # enough for the beliefs to settle (5 and 20 give the same suggestions)
TOP_PROTOTYPES = 2  # a category's own texts closest to a card, beside the mean of them all
CENTER_FROM = 30  # cards on a board from which their mean is a fair picture of "a card on this board"
TEMPERATURE = 0.04
# Ridge self-training (off at 0 rounds): a ridge regression on the board's vectors, fitted to the categories'
# texts, the placed cards and the cards already suggested with a clear margin, adds LEARNED_SHARE of its
# scores to every card's first scores, and the board is read again; the confidence stays bounded by the
# plain reading's (see `category_confidences`). Measured in the eighth round (benchmarks/README.md).
SELF_TRAINING_ROUNDS = 0
SELF_TRAINING_MARGIN = 0.5  # the gap between a card's two likeliest categories that makes it a training card
SELF_TRAINING_WEIGHT = 1.0  # such a card's weight in the fit (a category's text: 1)
PLACED_WEIGHT = 3.0  # a placed card's weight in the fit
RIDGE = 0.3  # the ridge's penalty
LEARNED_SHARE = 0.4
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


def neighbours(vectors: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """The board's kNN graph: each card joined to its k closest cards (both ways), weighted by how alike
    they are (never below 0); each row sums to 1."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    k = min(k, len(vectors) - 1)
    graph = np.zeros_like(sims)
    if k > 0:
        closest = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # the k closest, in any order
        np.put_along_axis(graph, closest, np.maximum(np.take_along_axis(sims, closest, axis=1), 0.0), axis=1)
    graph = graph + graph.T
    lonely = graph.sum(axis=1) == 0
    graph[lonely, lonely] = 1.0  # a card like no other keeps its own belief (so every row sums to 1)
    return graph / graph.sum(axis=1, keepdims=True)


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
    `same` the sets of cards that say the same in other languages (`translations`). Card by card
    (`whole_board=False`), a card is read against the categories' own words only. Read as a whole board,
    each card starts from its categories' words (a placed card from its column) and then takes PROPAGATION
    of its neighbours' beliefs, round after round: placed cards teach the cards near them, and clear cards
    the unclear ones. The same card goes to one column: its versions count as placed where one of them was
    placed, and the others' beliefs are averaged over the set.
    """
    same = same if whole_board and same else []
    given, placed, raw = placed, _spread(placed, same), vectors
    if len(vectors) >= CENTER_FROM:
        # What every card of the board shares ("a need in a workshop") says nothing about its category:
        # taken away, the differences between the categories weigh more.
        mean = vectors.mean(axis=0)
        vectors, categories = _unit(vectors - mean), [_unit(words - mean) for words in categories]
    scores = label_scores(vectors, categories)
    graph = neighbours(vectors) if whole_board and len(vectors) > 1 else None
    confidence = _read(softmax(scores), graph, placed, given, raw, same)
    if graph is not None and SELF_TRAINING_ROUNDS > 0:
        plain = confidence
        for _ in range(SELF_TRAINING_ROUNDS):
            learned = _learned_scores(vectors, categories, placed, confidence)
            confidence = _read(softmax(scores + LEARNED_SHARE * learned), graph, placed, given, raw, same)
        confidence = _bounded(confidence, plain)
    return confidence


def _bounded(learned: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """The learner's beliefs, made no surer than the plain reading's. A learner fitted on the board's own
    suggestions widens the gaps it was fitted on, so its beliefs grow sharp; each card's are mixed with an
    even belief until its suggested category is no likelier than the plain reading has it (nor below an even
    share): the order of the categories, and so the suggestion, stays the learner's; the beliefs sum to 1."""
    rows, best = np.arange(len(learned)), learned.argmax(axis=1)
    even = 1.0 / learned.shape[1]
    top = learned[rows, best]
    target = np.clip(plain[rows, best], even + 1e-6, top)  # a hair above even: the order stays
    keep = np.where(top > even, (target - even) / np.maximum(top - even, 1e-12), 1.0)
    return keep[:, None] * learned + (1.0 - keep[:, None]) * even


def _read(
    prior: np.ndarray,
    graph: np.ndarray | None,
    placed: np.ndarray,
    given: np.ndarray,
    raw: np.ndarray,
    same: list[list[int]],
) -> np.ndarray:
    """The board read from these first beliefs: placed cards clamped to their columns, PROPAGATION over the
    graph for ROUNDS rounds (none without a graph), one column for the same card in other languages."""
    known = placed >= 0
    prior = prior.copy()
    prior[known] = 0.0
    prior[known, placed[known]] = 1.0
    confidence = prior
    if graph is not None:
        for _ in range(ROUNDS):
            confidence = (1 - PROPAGATION) * prior + PROPAGATION * graph @ confidence
    for versions in same:
        if free := [i for i in versions if placed[i] < 0]:
            confidence[free] = confidence[free].mean(axis=0)
    for versions in same:
        # A version of a placed card goes where it is, as sure as the two are the same card.
        if followers := [i for i in versions if given[i] < 0 <= placed[i]]:
            leaders = [i for i in versions if given[i] >= 0]
            confidence[followers] = 0.0
            sure = (raw[followers] @ raw[leaders].T).max(axis=1)
            confidence[followers, placed[followers]] = np.clip(sure, 0.0, 1.0)
    return confidence


def _learned_scores(
    vectors: np.ndarray, categories: list[np.ndarray], placed: np.ndarray, confidence: np.ndarray
) -> np.ndarray:
    """Per card and category, a ridge regression's score (dual form, weighted, one-hot targets) fitted to
    the categories' texts, the placed cards and the unplaced cards whose two likeliest categories are at
    least SELF_TRAINING_MARGIN apart (as suggested)."""
    top = np.sort(confidence, axis=1)
    known = placed >= 0
    sure = ~known & (top[:, -1] - top[:, -2] >= SELF_TRAINING_MARGIN)
    texts = np.concatenate(categories)
    x = np.concatenate([texts, vectors[known], vectors[sure]])
    labels = np.concatenate(
        [
            np.repeat(np.arange(len(categories)), [len(w) for w in categories]),
            placed[known],
            confidence[sure].argmax(axis=1),
        ]
    )
    weights = np.concatenate(
        [
            np.ones(len(texts)),
            np.full(int(known.sum()), PLACED_WEIGHT),
            np.full(int(sure.sum()), SELF_TRAINING_WEIGHT),
        ]
    )
    targets = np.eye(len(categories))[labels]
    alpha = np.linalg.solve(x @ x.T + RIDGE * np.diag(1 / weights), targets)
    return vectors @ (x.T @ alpha)


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
    """Sets of cards in different languages that say the same: mutual closest matches, joined where the
    cards' other matches agree."""
    n = len(sims)
    langs = np.array(languages)
    best: dict[tuple[int, str], int] = {}
    for lang in set(languages):
        cols = np.flatnonzero(langs == lang)
        picks = cols[sims[:, cols].argmax(axis=1)] if len(cols) else []
        for i in range(n):
            best[i, lang] = int(picks[i])
    links = [
        (i, j)
        for i in range(n)
        for lang in set(languages) - {languages[i]}
        if i < (j := best[i, lang]) and best[j, languages[i]] == i and sims[i, j] >= threshold
    ]
    linked: dict[int, dict[str, int]] = {}  # each card's links, one card per language at most
    for i, j in links:
        linked.setdefault(i, {})[languages[j]] = j
        linked.setdefault(j, {})[languages[i]] = i
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in links:
        # On a large board two cards of different meanings can be each other's closest in a language that
        # holds neither one's version (a Turkish and an Arabic card, 0.46 alike), and the link would join
        # two whole sets. Their links in the other languages tell: the same card's versions meet there.
        both = linked[i].keys() & linked[j].keys()
        differ = sum(linked[i][lang] != linked[j][lang] for lang in both)
        if differ <= len(both) - differ:
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
