"""A bytes-to-bytes view of a text-keyed table.

faust's changelog recovery decodes table keys with its JSON codec whatever serializer
the table declares, so raw binary keys written by the agent cannot be read back after a
restart. The dedup index therefore stores URL-safe base64 text, which every faust codec
path round-trips, and this adapter keeps the index itself working in bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, MutableMapping
from typing import Any


def to_text(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_text(text: str) -> bytes:
    """The bytes `to_text` encoded."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TextStore(MutableMapping[bytes, bytes]):
    """Bytes keys and values over a mapping of base64 strings (a faust Table)."""

    def __init__(self, table: MutableMapping[Any, Any]) -> None:
        self._table = table

    def __getitem__(self, key: bytes) -> bytes:
        return from_text(self._table[to_text(key)])

    def get(self, key: bytes, default: Any = None) -> Any:
        value = self._table.get(to_text(key))
        return default if value is None else from_text(value)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._table[to_text(key)] = to_text(value)

    def __delitem__(self, key: bytes) -> None:
        del self._table[to_text(key)]

    def __iter__(self) -> Iterator[bytes]:
        return (from_text(k) for k in list(self._table.keys()))

    def __len__(self) -> int:
        return len(self._table)


def stored_bytes(store: MutableMapping[bytes, bytes]) -> int:
    """Bytes the entries take as faust writes them: JSON strings of the base64 text."""
    return sum(len(to_text(k)) + 2 + len(to_text(v)) + 2 for k, v in store.items())
