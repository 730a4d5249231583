"""Stance of a text towards a claim: agree / disagree / discuss / unrelated, with probabilities.

No natural-language-inference model loads offline here, so Dossier trains its own small one on the
FNC-1 (news headline vs article) and ARC (opinion claim vs reader's post) data in `../shared/bench`.
A (claim, text) pair becomes a feature row: cosines between the claim and the text's sentences in
the offline sentence-transformer space, the claim and best-matching-sentence vectors combined, and
lexical cues (word and n-gram overlap, TF-IDF cosine, refuting, negation and hedging words). A
gradient-boosted classifier maps the row to the four classes. The artifact in `models/stance/` is
the classifier plus its TF-IDF vocabulary (a few MB); `python -m lib train-stance` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.embeddings import Encoder, ProgressCallback, load_encoder
from lib.errors import BadInputError, ModelLoadError
from lib.fnc1 import LABELS
from lib.settings import DEFAULT_MODEL, PROJECT_DIR

DEFAULT_MODEL_DIR = PROJECT_DIR / "models" / "stance"
DEFAULT_CACHE_DIR = PROJECT_DIR / ".dossier" / "cache" / "embeddings"
MODEL_FILE = "stance_model.joblib"
METADATA_FILE = "metadata.json"
MAX_SENTENCES = 80
"""Sentences of a text read by the model; later ones are ignored (bounds the cost of long texts)."""

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\s*\n\s*")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Cue words, grouped; each group gives a count per sentence. Kept short and general on purpose.
CUES: dict[str, frozenset[str]] = {
    "refute": _word_set(
        "fake fraud hoax hoaxes false falsely deny denies denied denying debunk debunks debunked bogus "
        "untrue myth prank pranks retract retracts retracted retraction misleading fabricated incorrect "
        "refute refutes refuted disproved dismissed dismisses rejected rejects baseless satire satirical "
        "doubt doubts doubtful nonsense lie lies lying"
    ),
    "negation": _word_set(
        "not no never none nothing nobody neither nor without cannot can't don't doesn't didn't isn't "
        "aren't wasn't weren't won't wouldn't shouldn't couldn't hasn't haven't hadn't"
    ),
    "hedge": _word_set(
        "reportedly allegedly alleged purportedly purported rumor rumors rumored rumour rumours unconfirmed "
        "unverified may might could possibly apparently appears appear suggests suggest supposedly "
        "speculation speculated claim claims claimed claiming according sources report reports reported "
        "believed unclear if whether"
    ),
    "confirm": _word_set(
        "confirmed confirms confirm official officially announced announces proved proven revealed true "
        "indeed verified evidence shows showed definitely"
    ),
    "opinion_pos": _word_set(
        "agree agreed right correct absolutely exactly support supports should must best good great "
        "important benefit benefits"
    ),
    "opinion_neg": _word_set(
        "disagree wrong ridiculous absurd silly stupid misguided overrated bad worse worst harmful "
        "shouldn't mistake problem problems against"
    ),
}
_CUE_NAMES = tuple(CUES)
_STOP_WORDS: frozenset[str] = frozenset()  # filled lazily from scikit-learn's English list


def split_sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The text's sentences (and paragraph lines), at most `limit`; a blank text gives one empty string."""
    parts = [part.strip() for part in _SENTENCE_BREAK.split(text or "")]
    sentences = [part for part in parts if len(part) > 2]
    return sentences[:limit] or [(text or "").strip()]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophe forms such as "didn't" kept whole)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _stop_words() -> frozenset[str]:
    global _STOP_WORDS
    if not _STOP_WORDS:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) - CUES["negation"] - CUES["hedge"]
    return _STOP_WORDS


def _content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache_dir: Path | None,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Encode `texts`, re-using vectors stored under `cache_dir` keyed by content hash and model.

    Only texts never seen with this model are encoded; the cache file grows with them. Without a
    cache folder every distinct text is encoded once.
    """
    unique = list(dict.fromkeys(texts))
    hashes = [_content_hash(text) for text in unique]
    known: dict[str, np.ndarray] = {}
    cache_file = None
    if cache_dir is not None:
        safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder.name)
        cache_file = Path(cache_dir) / f"{safe_name}.npz"
        if cache_file.is_file():
            try:
                with np.load(cache_file, allow_pickle=False) as stored:
                    if stored["vectors"].shape[1] == encoder.dim:
                        known = dict(zip(stored["hashes"].tolist(), stored["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                known = {}  # a damaged cache is rebuilt, never trusted
    missing = [i for i, key in enumerate(hashes) if key not in known]
    if missing:
        new_vectors = encoder.encode([unique[i] for i in missing], batch_size=64, progress=progress)
        for i, vector in zip(missing, new_vectors, strict=True):
            known[hashes[i]] = vector
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp.npz")
            np.savez(
                temporary,
                hashes=np.array(list(known), dtype="U40"),
                vectors=np.vstack(list(known.values())).astype(np.float32),
            )
            os.replace(temporary, cache_file)
    elif progress:
        progress(len(unique), len(unique))
    by_text = {text: known[key] for text, key in zip(unique, hashes, strict=True)}
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([by_text[text] for text in texts]).astype(np.float32)


@dataclass
class PreparedTexts:
    """Texts split into sentences with everything the features need, computed once per text."""

    offsets: np.ndarray
    """Sentences of text i are rows offsets[i]:offsets[i+1] of `vectors` and `cues`."""
    vectors: np.ndarray
    cues: np.ndarray
    """Per sentence, the count of each cue group (columns in `CUES` order)."""
    word_sets: list[frozenset[str]]
    """Per text, its content words (stop words removed)."""
    bigram_sets: list[frozenset[tuple[str, str]]]
    sentence_word_sets: list[frozenset[str]]
    tfidf: Any
    """Sparse L2-normalised TF-IDF rows, one per text."""


def _cue_counts(words: list[str]) -> list[int]:
    return [sum(word in CUES[name] for word in words) for name in _CUE_NAMES]


def prepare_texts(
    texts: Sequence[str],
    encoder: Encoder,
    vectorizer: Any,
    as_sentences: bool,
    cache_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> PreparedTexts:
    """Split (when `as_sentences`), embed and tokenise `texts`; claims are kept whole."""
    stop = _stop_words()
    sentences: list[str] = []
    offsets = [0]
    for text in texts:
        parts = split_sentences(text) if as_sentences else [text.strip()]
        sentences.extend(parts)
        offsets.append(len(sentences))
    vectors = encode_cached(encoder, sentences, cache_dir, progress)
    sentence_words = [tokens(sentence) for sentence in sentences]
    cues = np.array([_cue_counts(words) for words in sentence_words], dtype=np.float32).reshape(-1, len(CUES))
    word_sets, bigram_sets = [], []
    for i in range(len(texts)):
        words = [word for s in range(offsets[i], offsets[i + 1]) for word in sentence_words[s]]
        word_sets.append(frozenset(word for word in words if word not in stop))
        bigram_sets.append(frozenset(zip(words, words[1:], strict=False)))
    return PreparedTexts(
        offsets=np.asarray(offsets),
        vectors=vectors,
        cues=cues,
        word_sets=word_sets,
        bigram_sets=bigram_sets,
        sentence_word_sets=[frozenset(w for w in words if w not in stop) for words in sentence_words],
        tfidf=vectorizer.transform(list(texts)),
    )


def _coverage(claim: frozenset, other: frozenset) -> float:
    return len(claim & other) / len(claim) if claim else 0.0


def pair_features(
    claims: PreparedTexts, texts: PreparedTexts, claim_index: np.ndarray, text_index: np.ndarray
) -> np.ndarray:
    """One feature row per (claims[claim_index[k]], texts[text_index[k]]) pair.

    Columns: similarity summaries and lexical cues (see `feature_names`), then the claim vector
    times the best-matching sentence's vector, the absolute difference of the two, and the claim
    vector times the text's mean sentence vector.
    """
    dim = claims.vectors.shape[1]
    scalar_rows = []
    interactions = np.zeros((len(claim_index), 3 * dim), dtype=np.float32)
    tfidf_cosine = np.asarray(
        claims.tfidf[claim_index].multiply(texts.tfidf[text_index]).sum(axis=1), dtype=np.float32
    ).ravel()
    n_cues = len(CUES)
    for k, (ci, ti) in enumerate(zip(claim_index, text_index, strict=True)):
        claim_vector = claims.vectors[claims.offsets[ci]]
        claim_cues = claims.cues[claims.offsets[ci]]
        start, end = texts.offsets[ti], texts.offsets[ti + 1]
        sentence_vectors = texts.vectors[start:end]
        cosines = sentence_vectors @ claim_vector
        order = np.argsort(-cosines, kind="stable")
        best = int(order[0])
        top3 = order[:3]
        cues = texts.cues[start:end]
        top_cues = cues[top3].sum(axis=0)
        claim_words = claims.word_sets[ci]
        claim_polarity = (claim_cues[0] + claim_cues[1]) % 2
        top_polarity = (top_cues[0] + top_cues[1]) % 2
        scalar_rows.append(
            [
                cosines[best],
                cosines.mean(),
                cosines[top3].mean(),
                cosines[0],
                cosines.std(),
                float(np.log1p(end - start)),
                best / max(end - start, 1),
                tfidf_cosine[k],
                _coverage(claim_words, texts.word_sets[ti]),
                len(claim_words & texts.word_sets[ti]) / max(len(claim_words | texts.word_sets[ti]), 1),
                _coverage(claim_words, texts.sentence_word_sets[start + best]),
                _coverage(claim_words, texts.sentence_word_sets[start]),
                _coverage(claims.bigram_sets[ci], texts.bigram_sets[ti]),
                float(len(claim_words)),
                float(claim_polarity == top_polarity),
                *claim_cues,
                *(cues.sum(axis=0) / (end - start)),
                *cues[best],
                *top_cues,
            ]
        )
        best_vector = sentence_vectors[best]
        mean_vector = sentence_vectors.mean(axis=0)
        interactions[k, :dim] = claim_vector * best_vector
        interactions[k, dim : 2 * dim] = np.abs(claim_vector - best_vector)
        interactions[k, 2 * dim :] = claim_vector * mean_vector
    scalars = np.asarray(scalar_rows, dtype=np.float32).reshape(len(claim_index), 15 + 4 * n_cues)
    return np.hstack([scalars, interactions])


def feature_names(dim: int) -> list[str]:
    """Names of the columns `pair_features` returns, for inspection and the metadata."""
    base = [
        "cos_max", "cos_mean", "cos_top3", "cos_first", "cos_std", "log_sentences", "best_position",
        "tfidf_cosine", "claim_word_coverage", "word_jaccard", "best_sentence_coverage",
        "first_sentence_coverage", "claim_bigram_coverage", "claim_words", "polarity_match",
    ]  # fmt: skip
    for prefix in ("claim", "text_rate", "best", "top3"):
        base += [f"{prefix}_{name}" for name in _CUE_NAMES]
    for prefix in ("prod_best", "absdiff_best", "prod_mean"):
        base += [f"{prefix}_{i}" for i in range(dim)]
    return base


@dataclass
class StanceModel:
    """A trained stance classifier; `predict` labels (claim, text) pairs."""

    classifier: Any
    vectorizer: Any
    encoder_name: str
    metadata: dict = field(default_factory=dict)
    encoder: Encoder | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_DIR, encoder: Encoder | None = None) -> StanceModel:
        """Load a model saved by `save` (the committed one by default); the encoder loads on first use."""
        import joblib

        folder = Path(path)
        model_file = folder / MODEL_FILE
        if not model_file.is_file():
            raise ModelLoadError(
                f"No stance model at {folder}: run `python -m lib train-stance` to build {model_file}."
            )
        try:
            parts = joblib.load(model_file)
            metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        except Exception as exc:  # unpickling fails in many ways for a damaged or foreign file
            raise ModelLoadError(
                f"The stance model at {folder} could not be read ({exc}); "
                "rebuild it with `python -m lib train-stance`."
            ) from exc
        return cls(parts["classifier"], parts["vectorizer"], metadata["encoder"], metadata, encoder)

    def save(self, path: Path) -> None:
        """Write the classifier and its metadata to the folder `path`."""
        import joblib

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {"classifier": self.classifier, "vectorizer": self.vectorizer}, folder / MODEL_FILE, compress=3
        )
        (folder / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2) + "\n", encoding="utf-8")

    def _encoder(self) -> Encoder:
        if self.encoder is None:
            self.encoder = load_encoder(self.encoder_name)
        return self.encoder

    def features(
        self,
        claims: Sequence[str],
        texts: Sequence[str],
        cache_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> np.ndarray:
        """Feature rows for the pairs (claims[k], texts[k]); each distinct text is prepared once."""
        if len(claims) != len(texts):
            raise BadInputError(f"{len(claims)} claims but {len(texts)} texts: give one claim per text.")
        encoder = self._encoder()
        if not claims:
            return np.zeros((0, len(feature_names(encoder.dim))), dtype=np.float32)
        claim_list = list(dict.fromkeys(claims))
        text_list = list(dict.fromkeys(texts))
        prepared_claims = prepare_texts(claim_list, encoder, self.vectorizer, False, cache_dir)
        prepared_texts = prepare_texts(text_list, encoder, self.vectorizer, True, cache_dir, progress)
        claim_position = {claim: i for i, claim in enumerate(claim_list)}
        text_position = {text: i for i, text in enumerate(text_list)}
        return pair_features(
            prepared_claims,
            prepared_texts,
            np.array([claim_position[claim] for claim in claims], dtype=int),
            np.array([text_position[text] for text in texts], dtype=int),
        )

    def predict_features(self, features: np.ndarray) -> pd.DataFrame:
        """Labels and class probabilities for feature rows from `features`."""
        probabilities = np.zeros((len(features), len(LABELS)))
        if len(features):
            probabilities[:, self.classifier.classes_] = self.classifier.predict_proba(features)
        best = probabilities.argmax(axis=1)
        frame = pd.DataFrame(
            {
                "label": [LABELS[i] for i in best],
                "confidence": probabilities[np.arange(len(best)), best],
            }
        )
        for i, label in enumerate(LABELS):
            frame[f"p_{label}"] = probabilities[:, i]
        return frame

    def predict(
        self,
        claims: Sequence[str],
        texts: Sequence[str],
        cache_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame:
        """Stance of texts[k] towards claims[k]: columns label, confidence, p_agree, p_disagree,
        p_discuss, p_unrelated (one row per pair, in order)."""
        return self.predict_features(self.features(claims, texts, cache_dir, progress))


@dataclass(frozen=True)
class StanceData:
    """One FNC-1-format data set: bodies (`Body ID`, `articleBody`) and labelled stances."""

    name: str
    bodies: pd.DataFrame
    stances: pd.DataFrame


def _limit_bodies(stances: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    if limit is None:
        return stances
    keep = stances["Body ID"].drop_duplicates().iloc[:limit]
    return stances[stances["Body ID"].isin(keep)].reset_index(drop=True)


def _new_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=tokens, token_pattern=None, lowercase=False, stop_words=sorted(_stop_words()),
        max_features=20000, sublinear_tf=True, min_df=2, dtype=np.float32,
    )  # fmt: skip


def _new_classifier(seed: int, dim: int, rows: int) -> Any:
    """Gradient boosting over the scalar features plus a 48-dimension PCA of the vector products.

    Boosting over all ~1,200 raw columns is many times slower for no better score (measured).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline

    scalars = len(feature_names(dim)) - 3 * dim
    reduce = ColumnTransformer(
        [
            ("scalars", "passthrough", list(range(scalars))),
            ("vectors", PCA(min(48, rows - 1), random_state=seed), list(range(scalars, scalars + 3 * dim))),
        ]
    )
    boosting = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0,
        early_stopping=False, random_state=seed,
    )  # fmt: skip
    return Pipeline([("reduce", reduce), ("boosting", boosting)])


def _class_weights(labels: np.ndarray, disagree_boost: float) -> np.ndarray:
    """Sample weights: 1 for every class, `disagree_boost` for the rare disagree class."""
    weights = np.ones(len(labels), dtype=np.float64)
    weights[labels == LABELS.index("disagree")] = disagree_boost
    return weights


def _dataset_features(
    data: StanceData,
    stances: pd.DataFrame,
    encoder: Encoder,
    vectorizer: Any,
    cache_dir: Path | None,
    progress: Callable[[str, int, int], None] | None,
) -> np.ndarray:
    bodies = data.bodies.set_index("Body ID")["articleBody"]
    claim_list = list(dict.fromkeys(stances["Headline"].str.strip()))
    body_ids = list(dict.fromkeys(stances["Body ID"]))

    def report(step: str) -> ProgressCallback | None:
        return (lambda done, total: progress(f"{data.name} {step}", done, total)) if progress else None

    prepared_claims = prepare_texts(claim_list, encoder, vectorizer, False, cache_dir, report("claims"))
    prepared_bodies = prepare_texts(
        [bodies[body_id] for body_id in body_ids], encoder, vectorizer, True, cache_dir, report("bodies")
    )
    claim_position = {claim: i for i, claim in enumerate(claim_list)}
    body_position = {body_id: i for i, body_id in enumerate(body_ids)}
    return pair_features(
        prepared_claims,
        prepared_bodies,
        stances["Headline"].str.strip().map(claim_position).to_numpy(dtype=int),
        stances["Body ID"].map(body_position).to_numpy(dtype=int),
    )


def train_stance_model(
    fnc1: StanceData,
    seed: int = 0,
    arc: StanceData | None = None,
    dev_fraction: float = 0.2,
    limit: int | None = None,
    encoder: Encoder | None = None,
    encoder_name: str = DEFAULT_MODEL,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    disagree_boost: float = 6.0,
    unseen_claims: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[StanceModel, dict]:
    """Train on the train split of FNC-1 (and of ARC if given); score on the dev splits.

    Each data set is split by body with `seed` (`dev_fraction` of the bodies for dev); `limit`
    keeps only the first `limit` bodies of each split, for quick tests. The returned model was
    trained on the train splits only, so the report's dev figures are its honest scores. With
    `unseen_claims` the headlines are split too (`split_by_body_and_claim`): no dev claim is seen
    in training, a stricter test closer to new claims typed by a user.
    """
    from lib.fnc1 import score_stances, split_by_body, split_by_body_and_claim

    split = split_by_body_and_claim if unseen_claims else split_by_body

    encoder = encoder or load_encoder(encoder_name)
    datasets = [data for data in (fnc1, arc) if data is not None]
    splits = {}
    for data in datasets:
        train, dev = split(data.stances, dev_fraction, seed)
        splits[data.name] = (_limit_bodies(train, limit), _limit_bodies(dev, limit))
    vectorizer = _new_vectorizer()
    fit_texts: list[str] = []
    for data in datasets:
        train = splits[data.name][0]
        fit_texts += list(data.bodies[data.bodies["Body ID"].isin(train["Body ID"])]["articleBody"])
        fit_texts += list(train["Headline"].drop_duplicates())
    vectorizer.fit(fit_texts)
    features, labels = {}, {}
    for data in datasets:
        for part, stances in zip(("train", "dev"), splits[data.name], strict=True):
            features[data.name, part] = _dataset_features(
                data, stances, encoder, vectorizer, cache_dir, progress
            )
            labels[data.name, part] = stances["Stance"].map(LABELS.index).to_numpy(dtype=int)
    train_x = np.vstack([features[data.name, "train"] for data in datasets])
    train_y = np.concatenate([labels[data.name, "train"] for data in datasets])
    classifier = _new_classifier(seed, encoder.dim, len(train_x))
    if progress:
        progress("classifier", 0, 1)
    classifier.fit(train_x, train_y, boosting__sample_weight=_class_weights(train_y, disagree_boost))
    if progress:
        progress("classifier", 1, 1)
    model = StanceModel(classifier, vectorizer, encoder.name, encoder=encoder)
    report: dict[str, Any] = {
        "seed": seed,
        "dev_fraction": dev_fraction,
        "split": "by body and claim" if unseen_claims else "by body",
        "limit": limit,
        "scores": {},
    }
    for data in datasets:
        predicted = model.predict_features(features[data.name, "dev"])["label"]
        gold = [LABELS[i] for i in labels[data.name, "dev"]]
        report["scores"][f"{data.name}_dev"] = score_stances(gold, predicted).to_dict()
        train, dev = splits[data.name]
        report[f"{data.name}_pairs"] = {"train": len(train), "dev": len(dev)}
        report[f"{data.name}_bodies"] = {"train": train["Body ID"].nunique(), "dev": dev["Body ID"].nunique()}
    import sklearn

    model.metadata = {
        "what": "Stance classifier for (claim, text) pairs: agree / disagree / discuss / unrelated.",
        "encoder": encoder.name,
        "classifier": "PCA(48) of vector products + HistGradientBoostingClassifier",
        "scikit_learn": sklearn.__version__,
        "trained_on": [f"{data.name} train split" for data in datasets],
        "disagree_boost": disagree_boost,
        "max_sentences": MAX_SENTENCES,
        "features": len(feature_names(encoder.dim)),
        **report,
    }
    return model, report
