"""The one place that declares newswire's topics and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from newswire.config import Settings
from newswire.routing import load_routes

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic as newswire creates it: name (before prefixing), partitions and configs."""

    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)
    description: str = ""
    internal: bool = False

    def full_name(self, prefix: str) -> str:
        """The topic's name on the broker under `prefix`."""
        return f"{prefix}{self.name}"


RAW = "news.articles.raw"
ENRICHED = "news.articles.enriched"
DUPLICATES = "news.articles.duplicates"
DEADLETTER = "news.articles.deadletter"
STORIES = "news.stories"
# Internal stages. Dedup is the pipeline's one sequencing point, so its input has a
# single partition (see docs/dedup.md); tagging fans out again over `UNIQUE`.
CLEANED = "news.internal.cleaned"
UNIQUE = "news.internal.unique"


def dead_letter_max_bytes(settings: Settings) -> int:
    """Largest event a worker publishes: the dead letter of an oversized raw message, which
    carries the original bytes (base64, a third larger) plus the reason."""
    return 3 * settings.max_article_bytes + 64 * 1024


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic newswire uses, with partitions, retention and cleanup policy."""
    parts = settings.raw_partitions
    return [
        TopicSpec(
            RAW,
            parts,
            {"retention.ms": str(7 * DAY_MS), "cleanup.policy": "delete"},
            "Raw articles from scrapers, keyed by article id.",
        ),
        TopicSpec(
            ENRICHED,
            parts,
            {"retention.ms": str(30 * DAY_MS), "cleanup.policy": "delete"},
            "Clean, deduplicated, tagged articles for subscribers, keyed by article id.",
        ),
        TopicSpec(
            DUPLICATES,
            parts,
            {"retention.ms": str(30 * DAY_MS), "cleanup.policy": "delete"},
            "One notice per later copy of a story, keyed by the duplicate's id.",
        ),
        TopicSpec(
            DEADLETTER,
            1,
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "delete",
                "max.message.bytes": str(dead_letter_max_bytes(settings)),
            },
            "Input that could not be processed, with the original bytes and the reason.",
        ),
        TopicSpec(
            STORIES,
            parts,
            # Compacted: the latest update per story id is the story as it stands; closed
            # stories age out after the retention.
            {"retention.ms": str(30 * DAY_MS), "cleanup.policy": "compact,delete"},
            "Story updates, keyed by story id: the latest message per key is the story now.",
        ),
        TopicSpec(
            CLEANED,
            1,
            {"retention.ms": str(2 * DAY_MS), "cleanup.policy": "delete"},
            "Cleaned and fingerprinted articles awaiting dedup (single partition).",
            internal=True,
        ),
        TopicSpec(
            UNIQUE,
            parts,
            {"retention.ms": str(2 * DAY_MS), "cleanup.policy": "delete"},
            "First copies of stories awaiting tagging.",
            internal=True,
        ),
        *route_specs(settings),
    ]


def route_specs(settings: Settings) -> list[TopicSpec]:
    """The topics of the subscriber routes declared in `settings.routes_file`."""
    return [
        TopicSpec(
            route.topic,
            route.partitions,
            {"retention.ms": str(30 * DAY_MS), "cleanup.policy": "delete"},
            "Subscriber route: enriched events matching "
            + ", ".join(sorted(route.countries | route.persons | route.orgs)),
        )
        for route in load_routes(settings.routes_file)
    ]


def topic_name(settings: Settings, name: str) -> str:
    """The broker-side name of topic `name` under the configured prefix."""
    return f"{settings.topic_prefix}{name}"
