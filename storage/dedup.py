"""Exact and near-duplicate detection of article texts.

Exact: a hash of the normalised text (no whitespace or punctuation, case-folded).
Near: MinHash over character 5-gram shingles of that normalised text — character
shingles work for Chinese, which has no spaces — with LSH band hashes kept in SQLite
(indexed), so adding a readout costs a few index look-ups whatever the archive's size.

Thresholds (see docs/dedup.md): 16 bands of 8 rows put the LSH candidate threshold near
0.71 Jaccard; a candidate is a copy when its estimated Jaccard similarity is ≥ 0.75.
Reprints with a new headline, an added source line or editor's line score above 0.9;
different meetings of the same committee, sharing only boilerplate, score below 0.3.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 5
COPY_THRESHOLD = 0.75

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def text_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint64[NUM_PERM]) of the text's character shingles."""
    from datasketch import MinHash

    norm = normalise(text)
    shingles = {norm[i:i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))}
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch([s.encode("utf-8") for s in shingles])
    return mh.hashvalues.astype(np.uint64)


def band_hashes(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, hash) pairs: each band's rows hashed to a signed 64-bit integer for SQLite."""
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8)
        out.append((band, int.from_bytes(digest.digest(), "big", signed=True)))
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8")
