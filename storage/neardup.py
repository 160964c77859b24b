"""The near-duplicate index: MinHash signatures and LSH band hashes kept in SQLite.

A look-up is BANDS indexed probes of `lsh_bands` plus one read of each candidate's stored
signature, whatever the archive's size; nothing is kept in memory between calls, and a
signature is computed once per text and stored (`minhashes`), never recomputed.
"""

from __future__ import annotations

import numpy as np
import sqlite_utils

from storage import dedup


class NearDupIndex:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @staticmethod
    def candidates_query(sig: np.ndarray) -> tuple[str, list[int]]:
        """SQL and parameters: one primary-key probe of `lsh_bands` per band."""
        bands = dedup.band_hashes(sig)
        probes = " UNION ".join("SELECT readout_id FROM lsh_bands WHERE band = ? AND hash = ?"
                                for _ in bands)
        return (f"SELECT readout_id, signature FROM minhashes WHERE readout_id IN ({probes})",
                [v for pair in bands for v in pair])

    def candidates(self, sig: np.ndarray) -> dict[int, np.ndarray]:
        """Indexed articles sharing at least one band with `sig`, with their signatures."""
        rows = self.db.execute(*self.candidates_query(sig))
        return {rid: dedup.from_blob(blob) for rid, blob in rows}

    def find(self, sig: np.ndarray) -> tuple[int, float] | None:
        """The most similar indexed article at or above the copy threshold (lowest id on ties)."""
        best: tuple[int, float] | None = None
        for rid, other in sorted(self.candidates(sig).items()):
            sim = dedup.similarity(sig, other)
            if sim >= dedup.COPY_THRESHOLD and (best is None or sim > best[1]):
                best = (rid, sim)
        return best

    def add(self, readout_id: int, sig: np.ndarray) -> None:
        """Index (or re-index, after a revision) one article's signature."""
        self.db.execute("INSERT OR REPLACE INTO minhashes(readout_id, signature) VALUES (?, ?)",
                        (readout_id, dedup.to_blob(sig)))
        self.db.execute("DELETE FROM lsh_bands WHERE readout_id = ?", (readout_id,))
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands(band, hash, readout_id) VALUES (?, ?, ?)",
            [(band, h, readout_id) for band, h in dedup.band_hashes(sig)])
