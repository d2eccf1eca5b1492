"""Start-up check: the topics a worker writes accept the largest events it may publish.

Every topic's `max.message.bytes` is derived from `NEWSWIRE_MAX_ARTICLE_BYTES`
(`newswire.topics`). A topic created elsewhere, or lowered later, that holds less would
make an accepted article fail at publishing; the worker says so by name instead and is
not ready until it is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.connection import client_options
from newswire.topics import MAX_MESSAGE_BYTES, changelog_specs, stream_specs, topic_specs

RECHECK_S = 60.0
RETRY_S = 2.0
log = structlog.get_logger("newswire.runner")


async def limit_problems(settings: Settings) -> list[str]:
    """One line per topic that is missing or whose `max.message.bytes` is below what the
    configured article limit requires; empty when all is well."""
    wanted = {
        spec.full_name(settings.topic_prefix): int(spec.configs[MAX_MESSAGE_BYTES])
        for spec in topic_specs(settings)
        if MAX_MESSAGE_BYTES in spec.configs
    }
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, configs=None) for name in wanted]
        )
    finally:
        await admin.close()
    problems: list[str] = []
    for response in responses:
        for code, _message, _type, name, entries in response.resources:
            if code != 0:
                problems.append(f"topic {name}: {for_code(code).__name__}")
                continue
            have = next(
                (int(e[1]) for e in entries if e[0] == MAX_MESSAGE_BYTES and e[1] is not None), None
            )
            if have is not None and have < wanted[name]:
                problems.append(
                    f"topic {name} has {MAX_MESSAGE_BYTES}={have}, below the {wanted[name]} that "
                    f"NEWSWIRE_MAX_ARTICLE_BYTES={settings.max_article_bytes} requires"
                )
    return problems


class TopicGuard:
    """Creates the stages' changelog topics if missing, then checks the topics' limits at
    start and every minute after; `ok()` is False while a problem stands."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.problems: list[str] | None = None  # None: not checked yet
        self._stopping = asyncio.Event()

    def ok(self) -> bool:
        """True once a check found nothing wrong, until one finds something."""
        return self.problems == []

    def stop(self) -> None:
        """Ask `run` to return."""
        self._stopping.set()

    async def run(self) -> None:
        """Check until stopped: every 2 s while the broker does not answer or a problem
        stands, every minute otherwise."""
        created = False
        while not self._stopping.is_set():
            interval = RECHECK_S
            try:
                if not created:
                    await ensure_topics(
                        self.settings, changelog_specs(self.settings, stream_specs(self.settings))
                    )
                    created = True
                problems = await limit_problems(self.settings)
                if problems and problems != self.problems:
                    for problem in problems:
                        log.error("topics.limit_too_small", problem=problem)
                self.problems = problems
                if problems:
                    interval = RETRY_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("topics.check_failed", error=repr(exc))
                interval = RETRY_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)
