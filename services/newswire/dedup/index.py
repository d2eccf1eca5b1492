"""The dedup index: remembers originals and finds copies, over any byte-to-byte mapping.

In the worker the mapping is a faust Table (RocksDB, changelog-backed); in tests and in
`newswire eval dedup` it is a dict. The same code decides in both places.

Layout (one mapping, keys prefixed by kind; see docs/dedup.md for the sizes):
  b"a" + handle        -> first-seen time (4 bytes, epoch s) + 64-byte signature + article id
  b"u" + url hash      -> handle            (exact: same canonical URL, 5 bytes)
  b"c" + content hash  -> handle            (exact: same normalised text, 5 bytes)
  b"b" + band key      -> handle            (near: band number + 4 bytes of the band's hash)
A handle is 6 bytes of the xxh3 of the article id. Short hashes keep the state small;
a collision can only propose a candidate, which the signature comparison then rejects.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Literal

import xxhash

from newswire.dedup.fingerprint import NUM_PERM, Fingerprint, similarity

_TIME = struct.Struct(">I")
_SIGNATURE_END = _TIME.size + NUM_PERM  # record: time, signature, then the article id
_HANDLE = 6
_KEY = 5
Method = Literal["url", "content_hash", "minhash"]


@dataclass(frozen=True, slots=True)
class Original:
    """A remembered first copy of a story."""

    article_id: str
    first_seen: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class Verdict:
    """Dedup's decision for one article: new story, or a copy of `original_id`."""

    duplicate: bool
    original_id: str | None = None
    method: Method | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """What dedup knows of an incoming article."""

    article_id: str
    canonical_url: str
    content_hash: str
    fingerprint: Fingerprint


def _url_key(url: str) -> bytes:
    return xxhash.xxh3_64_digest(url.encode())[:_KEY]


def _content_key(content_hash: str) -> bytes:
    return bytes.fromhex(content_hash)[:_KEY]


def handle_of(article_id: str) -> bytes:
    """The 6-byte handle that stands for `article_id` inside the index."""
    return xxhash.xxh3_64_digest(article_id.encode())[:_HANDLE]


class DedupIndex:
    """Finds the original of an article among those remembered, and remembers new ones."""

    def __init__(
        self, store: MutableMapping[bytes, bytes], threshold: float, window_s: float
    ) -> None:
        self._store = store
        self.threshold = threshold
        self.window_s = window_s

    def _original(self, handle: bytes, now: int) -> Original | None:
        record = self._store.get(b"a" + handle)
        if record is None:
            return None
        (first_seen,) = _TIME.unpack_from(record)
        if now - first_seen > self.window_s:
            return None
        return Original(
            record[_SIGNATURE_END:].decode(), first_seen, record[_TIME.size : _SIGNATURE_END]
        )

    def check(self, item: Candidate, now: int) -> Verdict:
        """The verdict for `item` at time `now` (epoch seconds), without remembering it."""
        for prefix, key, method in (
            (b"u", _url_key(item.canonical_url), "url"),
            (b"c", _content_key(item.content_hash), "content_hash"),
        ):
            handle = self._store.get(prefix + key)
            original = self._original(handle, now) if handle else None
            if original is not None and original.article_id != item.article_id:
                return Verdict(True, original.article_id, method, 1.0)  # type: ignore[arg-type]
        best: Verdict = Verdict(False)
        seen: set[bytes] = set()
        for band in item.fingerprint.band_keys:
            handle = self._store.get(b"b" + band)
            if handle is None or handle in seen:
                continue
            seen.add(handle)
            original = self._original(handle, now)
            if original is None or original.article_id == item.article_id:
                continue
            score = similarity(item.fingerprint.signature, original.signature)
            if score >= self.threshold and score > best.score:
                best = Verdict(True, original.article_id, "minhash", round(score, 4))
        return best

    def remember(self, item: Candidate, now: int) -> None:
        """Remember `item` as an original: its record, exact keys and band keys."""
        handle = handle_of(item.article_id)
        self._store[b"a" + handle] = (
            _TIME.pack(now) + item.fingerprint.signature + item.article_id.encode()
        )
        self._store[b"u" + _url_key(item.canonical_url)] = handle
        self._store[b"c" + _content_key(item.content_hash)] = handle
        for band in item.fingerprint.band_keys:
            # The first copy keeps the band: later copies are matched against it.
            key = b"b" + band
            current = self._store.get(key)
            if current is None or self._original(current, now) is None:
                self._store[key] = handle

    def observe(self, item: Candidate, now: int) -> Verdict:
        """Check `item`; remember it if it is a new story. Returns the verdict."""
        verdict = self.check(item, now)
        if not verdict.duplicate:
            self.remember(item, now)
        return verdict

    def expired_keys(self, now: int) -> Iterator[bytes]:
        """Keys of records older than the window and of pointers to them (for a sweep)."""
        items = list(self._store.items())
        live = {
            key[1:]
            for key, value in items
            if key[:1] == b"a" and now - _TIME.unpack_from(value)[0] <= self.window_s
        }
        for key, value in items:
            if (key[1:] if key[:1] == b"a" else value) not in live:
                yield key

    def sweep(self, now: int) -> int:
        """Delete expired records and the pointers to them; return how many keys went."""
        doomed = list(self.expired_keys(now))
        for key in doomed:
            del self._store[key]
        return len(doomed)
