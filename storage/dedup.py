"""Exact and near-duplicate detection of article texts.

Exact: a hash of the normalised text (NFKC, no whitespace or punctuation, case-folded).
Near: MinHash over character 5-gram shingles of that normalised text (character shingles
work for Chinese, which has no spaces), banded for LSH. The bands live in SQLite
(`storage/neardup.py`), so nothing here holds the archive in memory.

Thresholds, chosen on the labelled pairs in tests/fixtures/storage/pairs.toml (see
docs/dedup.md): a candidate is a copy when its estimated Jaccard similarity is ≥ 0.7.
Reprints with a new headline, a source or editor's line or a photo caption score ≥ 0.91;
different meetings of one committee sharing their boilerplate score ≤ 0.5. The 25 bands
of 5 rows make a pair at 0.7 a candidate with probability 0.99 (0.999 at 0.75), and a
pair at 0.2 only with probability 0.008, so few signatures are read per look-up.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import numpy as np

NUM_PERM = 128
BANDS = 25
ROWS = 5               # BANDS * ROWS = 125 of the 128 permutations feed the bands
SHINGLE = 5
COPY_THRESHOLD = 0.7

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def text_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str) -> set[bytes]:
    """Character 5-grams of the normalised text (the whole text if shorter)."""
    norm = normalise(text)
    return {norm[i:i + SHINGLE].encode("utf-8") for i in range(max(1, len(norm) - SHINGLE + 1))}


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint64[NUM_PERM]) of the text's character shingles.

    Shingles are hashed with zlib's CRC-32 (C code) rather than datasketch's default
    SHA-1 wrapper: the same 32-bit spread for MinHash, at under half the cost per text.
    """
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)
    mh.update_batch(list(shingles(text)))
    return mh.hashvalues.astype(np.uint64)


def band_hashes(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, hash) pairs: each band's rows hashed to a signed 64-bit integer for SQLite."""
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8)
        out.append((band, int.from_bytes(digest.digest(), "big", signed=True)))
    return out


def candidate_probability(similarity: float) -> float:
    """Chance that two texts of this Jaccard similarity share at least one band."""
    return 1.0 - (1.0 - similarity ** ROWS) ** BANDS


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")
