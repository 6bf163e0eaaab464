"""Duplicate detection: exact copies by content hash, reprints by MinHash.

Signatures and their LSH band buckets live in the database (``minhashes``,
``minhash_bands``), so a reprint is recognised whatever run stored the
original, without rebuilding an index in memory. Candidates sharing a bucket
are confirmed by the estimated Jaccard similarity of their signatures.

MinHash is computed here with numpy, the way datasketch's ``MinHash`` does
(universal hashing of 32-bit shingle hashes modulo a Mersenne prime): the
datasketch package imports scipy, which costs seconds on every ingest.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Optional

import numpy as np

from ..extract.common import content_hash

NUM_PERM = 64
THRESHOLD = 0.8
# Bands x rows that datasketch's MinHashLSH picks for threshold 0.8 with 64
# permutations (false positives and negatives weighted equally). Fixed here
# because stored buckets must not change when a library does.
BANDS, ROWS = 5, 11
SHINGLE = 5  # words per shingle
MIN_WORDS = 10  # shorter bodies (captions, stubs) are never called duplicates

_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
# Permutation parameters: a < 2**31 keeps a*x + b below 2**64 for 32-bit x.
# RandomState's stream is frozen by numpy, so signatures stay comparable
# across versions; changing the seed would orphan every stored signature.
_rng = np.random.RandomState(1)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM, dtype=np.uint64)
del _rng

_WORD = re.compile(r"\w+", re.UNICODE)

__all__ = ["content_hash", "signature", "similarity", "Deduplicator", "NUM_PERM", "THRESHOLD"]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def signature(text: str) -> Optional[np.ndarray]:
    """MinHash (NUM_PERM uint64) of the word 5-gram shingles; None under MIN_WORDS words."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in shingles),
        dtype=np.uint64, count=len(shingles),
    )
    permuted = ((np.outer(hashes, _A) + _B) % _PRIME) & _MAX_HASH
    return permuted.min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def _buckets(sig: np.ndarray) -> list[tuple[int, int]]:
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big", signed=True)))
    return out


def _load(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint64)


class Deduplicator:
    """Assigns ``duplicate_of``/``similarity`` inside the caller's transaction."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def forget(self, article_id: str) -> None:
        self.db.execute("DELETE FROM minhashes WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM minhash_bands WHERE article_id = ?", (article_id,))

    def _signature_of(self, article_id: str) -> Optional[np.ndarray]:
        row = self.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", (article_id,)).fetchone()
        return _load(row[0]) if row else None

    def assign(self, article_id: str, text: str, chash: str) -> bool:
        """Index the stored article and link it into its copy cluster.

        Returns True when it copies (or is copied by) an earlier-stored article.
        The earliest copy (by published as a UTC instant, then first_seen) is the cluster root:
        every other member points at it with ``duplicate_of``.
        """
        db = self.db
        self.forget(article_id)
        if len(_words(text)) < MIN_WORDS:
            db.execute("UPDATE articles SET duplicate_of = NULL, similarity = NULL WHERE id = ?", (article_id,))
            return False
        sig = signature(text)
        matches: dict[str, float] = {
            r[0]: 1.0
            for r in db.execute("SELECT id FROM articles WHERE content_hash = ? AND id != ?", (chash, article_id))
        }
        buckets = _buckets(sig)
        cond = " OR ".join("(b.band = ? AND b.bucket = ?)" for _ in buckets)
        params = [x for bk in buckets for x in bk]
        for other, blob in db.execute(
            f"SELECT DISTINCT m.article_id, m.signature FROM minhash_bands b JOIN minhashes m "
            f"ON m.article_id = b.article_id WHERE ({cond}) AND b.article_id != ?",
            (*params, article_id),
        ):
            if other not in matches:
                sim = similarity(sig, _load(blob))
                if sim >= THRESHOLD:
                    matches[other] = sim
        db.execute("INSERT INTO minhashes (article_id, signature) VALUES (?, ?)", (article_id, sig.tobytes()))
        db.executemany(
            "INSERT INTO minhash_bands (band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in buckets],
        )
        if not matches:
            db.execute("UPDATE articles SET duplicate_of = NULL, similarity = NULL WHERE id = ?", (article_id,))
            return False

        ids = list(matches)
        marks = ",".join("?" * len(ids))
        roots = {
            r[0] for r in db.execute(f"SELECT COALESCE(duplicate_of, id) FROM articles WHERE id IN ({marks})", ids)
        }
        rmarks = ",".join("?" * len(roots))
        members = db.execute(
            f"SELECT id, published_utc, first_seen, content_hash FROM articles "
            f"WHERE id IN ({rmarks}) OR duplicate_of IN ({rmarks}) OR id = ?",
            (*roots, *roots, article_id),
        ).fetchall()
        # Undated copies sort after dated ones: a dated original beats an undated scrape.
        root_id, _, _, root_hash = min(members, key=lambda m: (m[1] is None, m[1] or "", m[2] or "", m[0]))
        root_sig = sig if root_id == article_id else self._signature_of(root_id)
        for mid, _, _, mhash in members:
            if mid == root_id:
                db.execute("UPDATE articles SET duplicate_of = NULL, similarity = NULL WHERE id = ?", (mid,))
                continue
            if mhash == root_hash:
                sim = 1.0
            else:
                msig = sig if mid == article_id else self._signature_of(mid)
                sim = similarity(msig, root_sig) if msig is not None and root_sig is not None else matches.get(mid)
            db.execute("UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", (root_id, sim, mid))
        return True
