"""Repeated library errors are logged at a bounded rate; newswire's own lines never held."""

from __future__ import annotations

import logging

from newswire.observability.ratelimit import RepeatFilter


def record(name: str, msg: str, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, None, None)


def test_a_repeated_library_error_passes_once_per_interval() -> None:
    limiter = RepeatFilter(interval_s=3600)
    passed = [limiter.filter(record("aiokafka", "Unable connect to node %s")) for _ in range(100)]
    assert passed.count(True) == 1
    assert limiter.filter(record("aiokafka", "Unable to update metadata"))  # another template
    assert all(limiter.filter(record("newswire.runner", "same")) for _ in range(5))
    assert all(limiter.filter(record("aiokafka", "debug", logging.INFO)) for _ in range(5))


def test_the_next_line_after_the_interval_says_how_many_were_held() -> None:
    limiter = RepeatFilter(interval_s=0.0)
    first = record("aiokafka", "boom")
    assert limiter.filter(first) and first.msg == "boom"
    limiter.interval_s = 3600
    for _ in range(3):
        limiter.filter(record("aiokafka", "boom"))
    limiter.interval_s = 0.0
    later = record("aiokafka", "boom")
    assert limiter.filter(later) and "3 more" in str(later.msg)
