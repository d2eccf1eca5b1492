"""The dedup index: remembers originals and finds copies, over any byte-to-byte mapping.

In the worker the mapping is the dedup stage's state (a store whose changes commit to a
changelog with the verdicts); in tests and in `newswire eval dedup` it is a dict. The same
code decides in both places.

Layout (one mapping, keys prefixed by kind; see docs/dedup.md for the sizes):
  b"a" + handle        -> first-seen time (4 bytes, epoch s) + 64-byte signature
                          + revision (4 bytes) + URL hash (8 bytes) + article id
  b"u" + url hash      -> handle            (exact: same canonical URL, 5 bytes)
  b"c" + content hash  -> handle            (exact: same normalised text, 5 bytes)
  b"b" + band key      -> handles           (near: band number + 4 bytes of the band's hash;
                          the most recent originals holding the band, up to BUCKET_HANDLES)
A handle is 6 bytes of the xxh3 of the article id. Short keys keep the state small; a
collision can only propose a candidate, which is then verified against the record: a URL
match against the record's full 64-bit URL hash, a content match against its signature
(the same normalised text always has the same signature), a near match by similarity.

An article id already remembered is a resubmission: a near-duplicate of the remembered
version is a copy of it (pointing at the same id); otherwise it is an update, remembered
with the next revision.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Literal

import xxhash

from newswire.dedup.fingerprint import NUM_PERM, Fingerprint, similarity

_TIME = struct.Struct(">I")
_SIGNATURE_END = _TIME.size + NUM_PERM
_TAIL = struct.Struct(">IQ")  # revision, 64-bit URL hash
_ID_START = _SIGNATURE_END + _TAIL.size  # record: time, signature, revision, URL hash, id
_HANDLE = 6
_KEY = 5
# Originals remembered per LSH band. Two originals that share a paragraph share its bands;
# if a band kept only one of them, a copy of the other whose only shared band is that one
# would be found or missed depending on which original arrived first. A few handles per
# band make the verdict independent of arrival order; the bound keeps a band that many
# originals share (a standard sign-off) from growing without limit.
BUCKET_HANDLES = 4
Method = Literal["url", "content_hash", "minhash"]


@dataclass(frozen=True, slots=True)
class Original:
    """A remembered first copy of a story."""

    article_id: str
    first_seen: int
    signature: bytes
    revision: int = 1
    url_hash: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """Dedup's decision for one article: new story, or a copy of `original_id`."""

    duplicate: bool
    original_id: str | None = None
    method: Method | None = None
    score: float = 0.0
    revision: int = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    """What dedup knows of an incoming article."""

    article_id: str
    canonical_url: str
    content_hash: str
    fingerprint: Fingerprint


def _url_hash(url: str) -> bytes:
    return xxhash.xxh3_64_digest(url.encode())


def _url_key(url: str) -> bytes:
    return _url_hash(url)[:_KEY]


def _content_key(content_hash: str) -> bytes:
    return bytes.fromhex(content_hash)[:_KEY]


def handle_of(article_id: str) -> bytes:
    """The 6-byte handle that stands for `article_id` inside the index."""
    return xxhash.xxh3_64_digest(article_id.encode())[:_HANDLE]


def _handles(bucket: bytes) -> list[bytes]:
    """The handles packed in a band's bucket, oldest first."""
    return [bucket[i : i + _HANDLE] for i in range(0, len(bucket), _HANDLE)]


class DedupIndex:
    """Finds the original of an article among those remembered, and remembers new ones."""

    def __init__(
        self, store: MutableMapping[bytes, bytes], threshold: float, window_s: float
    ) -> None:
        self._store = store
        self.threshold = threshold
        self.window_s = window_s

    def _record(self, handle: bytes) -> Original | None:
        record = self._store.get(b"a" + handle)
        if record is None:
            return None
        (first_seen,) = _TIME.unpack_from(record)
        revision, url_hash = _TAIL.unpack_from(record, _SIGNATURE_END)
        return Original(
            record[_ID_START:].decode(),
            first_seen,
            record[_TIME.size : _SIGNATURE_END],
            revision,
            url_hash,
        )

    def _original(self, handle: bytes, now: int) -> Original | None:
        original = self._record(handle)
        if original is None or now - original.first_seen > self.window_s:
            return None
        return original

    def _resubmission(self, item: Candidate) -> Verdict | None:
        """The verdict for an id remembered already, or None for an id seen first."""
        own = self._record(handle_of(item.article_id))
        if own is None or own.article_id != item.article_id:
            return None
        if own.signature == item.fingerprint.signature:
            return Verdict(True, item.article_id, "content_hash", 1.0, own.revision)
        score = similarity(item.fingerprint.signature, own.signature)
        if score >= self.threshold:
            return Verdict(True, item.article_id, "minhash", round(score, 4), own.revision)
        return Verdict(False, revision=own.revision + 1)

    def _exact(self, item: Candidate, now: int) -> Verdict | None:
        """A verified exact match by canonical URL or by content, if there is one."""
        url_hash = int.from_bytes(_url_hash(item.canonical_url), "big")
        handle = self._store.get(b"u" + _url_key(item.canonical_url))
        original = self._original(handle, now) if handle else None
        if original is not None and original.url_hash == url_hash:
            return Verdict(True, original.article_id, "url", 1.0, original.revision)
        handle = self._store.get(b"c" + _content_key(item.content_hash))
        original = self._original(handle, now) if handle else None
        if original is not None and original.signature == item.fingerprint.signature:
            return Verdict(True, original.article_id, "content_hash", 1.0, original.revision)
        return None

    def check(self, item: Candidate, now: int) -> Verdict:
        """The verdict for `item` at time `now` (epoch seconds), without remembering it."""
        resubmitted = self._resubmission(item)
        if resubmitted is not None:
            return resubmitted
        exact = self._exact(item, now)
        if exact is not None:
            return exact
        best: Verdict = Verdict(False)
        seen: set[bytes] = set()
        for band in item.fingerprint.band_keys:
            for handle in _handles(self._store.get(b"b" + band, b"")):
                if handle in seen:
                    continue
                seen.add(handle)
                original = self._original(handle, now)
                if original is None or original.article_id == item.article_id:
                    continue
                score = similarity(item.fingerprint.signature, original.signature)
                if score >= self.threshold and score > best.score:
                    best = Verdict(
                        True, original.article_id, "minhash", round(score, 4), original.revision
                    )
        return best

    def remember(self, item: Candidate, now: int, revision: int = 1) -> None:
        """Remember `item` (at `revision`) as an original: its record, exact keys and band keys."""
        handle = handle_of(item.article_id)
        url_hash = _url_hash(item.canonical_url)
        self._store[b"a" + handle] = (
            _TIME.pack(now)
            + item.fingerprint.signature
            + _TAIL.pack(revision, int.from_bytes(url_hash, "big"))
            + item.article_id.encode()
        )
        self._store[b"u" + url_hash[:_KEY]] = handle
        self._store[b"c" + _content_key(item.content_hash)] = handle
        for band in item.fingerprint.band_keys:
            key = b"b" + band
            kept = [
                other
                for other in _handles(self._store.get(key, b""))
                if other != handle and self._original(other, now) is not None
            ]
            self._store[key] = b"".join([*kept, handle][-BUCKET_HANDLES:])

    def observe(self, item: Candidate, now: int) -> Verdict:
        """Check `item`; remember it if it is new (a new story, or an update of a published
        id at the verdict's revision). Returns the verdict."""
        verdict = self.check(item, now)
        if not verdict.duplicate:
            self.remember(item, now, verdict.revision)
        return verdict

    def expired_keys(self, now: int) -> Iterator[bytes]:
        """Keys of records older than the window and of pointers to them (for a sweep). A
        band's bucket goes once none of its originals is live; one that still holds a live
        original sheds the others when it is next written."""
        items = list(self._store.items())
        live = {
            key[1:]
            for key, value in items
            if key[:1] == b"a" and now - _TIME.unpack_from(value)[0] <= self.window_s
        }
        for key, value in items:
            if key[:1] == b"a":
                expired = key[1:] not in live
            elif key[:1] == b"b":
                expired = not any(handle in live for handle in _handles(value))
            else:
                expired = value not in live
            if expired:
                yield key

    def sweep(self, now: int) -> int:
        """Delete expired records and the pointers to them; return how many keys went."""
        doomed = list(self.expired_keys(now))
        for key in doomed:
            del self._store[key]
        return len(doomed)
