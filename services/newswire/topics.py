"""The one place that declares newswire's topics and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from newswire.config import Settings
from newswire.routing import load_routes
from newswire.stories.bounds import state_max_bytes as story_state_max_bytes
from newswire.stories.bounds import update_max_bytes as story_update_max_bytes
from newswire.stories.params import params_from_settings

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
# The story stage sees every story, so its input (tagged originals and dedup's copy
# notices) has a single partition too (see docs/stories.md).
TAGGED = "news.internal.tagged"


# Room for headers, ids, fingerprints and the other small fields of an event.
ENVELOPE_BYTES = 64 * 1024


def internal_max_bytes(settings: Settings) -> int:
    """Largest message between stages: the clean text once (never longer than the raw
    article), at most doubled by JSON escaping, plus the article's small fields."""
    return 2 * settings.max_article_bytes + ENVELOPE_BYTES


def enriched_max_bytes(settings: Settings) -> int:
    """Largest enriched event: the clean text plus its tags, whose mentions and evidence
    offsets can together outweigh the text."""
    return 4 * settings.max_article_bytes + ENVELOPE_BYTES


def dead_letter_max_bytes(settings: Settings) -> int:
    """Largest dead letter: the largest message a stage reads (an internal one, or a tagged
    event on its way to the story stage), base64 encoded (a third larger), plus the reason."""
    largest_input = max(internal_max_bytes(settings), enriched_max_bytes(settings))
    return -(-largest_input * 4 // 3) + ENVELOPE_BYTES


def stories_max_bytes(settings: Settings) -> int:
    """Largest message on `news.stories`: the largest `StoryUpdate` the story bounds allow
    (`newswire.stories.bounds`), plus headers and key."""
    return story_update_max_bytes(params_from_settings(settings)) + ENVELOPE_BYTES


def state_max_bytes(settings: Settings, stage: str) -> int:
    """Largest message on `stage`'s changelog: the story stage's largest state value, as
    its bounds allow, plus the key; dedup's index entries (fingerprints, ids) are small."""
    if stage == "story":
        return story_state_max_bytes(params_from_settings(settings)) + ENVELOPE_BYTES
    return ENVELOPE_BYTES


def producer_max_bytes(settings: Settings) -> int:
    """Largest event a worker publishes or state value it writes, for its producers'
    request size."""
    return max(
        enriched_max_bytes(settings),
        dead_letter_max_bytes(settings),
        stories_max_bytes(settings),
        *(state_max_bytes(settings, stage) for stage in STATEFUL_STAGES),
    )


MAX_MESSAGE_BYTES = "max.message.bytes"


def _limit(max_bytes: int) -> dict[str, str]:
    return {MAX_MESSAGE_BYTES: str(max_bytes)}


def producer_batch_bytes(settings: Settings) -> int:
    """Largest record batch a worker's producer builds for one partition: the smallest
    `max.message.bytes` of the topics a worker writes. The broker checks that limit
    against a whole batch and refuses every record in a batch over it; a single record
    larger than this still goes in a batch of its own, within its topic's limit."""
    return min(
        int(spec.configs[MAX_MESSAGE_BYTES])
        for spec in topic_specs(settings)
        if spec.name != RAW and MAX_MESSAGE_BYTES in spec.configs
    )


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic newswire uses, with partitions, retention, cleanup policy and size limit."""
    streams = stream_specs(settings)
    return [*streams, *changelog_specs(settings, streams), *route_specs(settings)]


def stream_specs(settings: Settings) -> list[TopicSpec]:
    """The topics events flow through, from raw to the public ones."""
    parts = settings.raw_partitions
    return [
        TopicSpec(
            RAW,
            parts,
            {
                "retention.ms": str(7 * DAY_MS),
                "cleanup.policy": "delete",
                # A raw event larger than the article limit must still arrive, to be
                # dead-lettered with a reason rather than refused unseen.
                **_limit(settings.max_article_bytes + ENVELOPE_BYTES),
            },
            "Raw articles from scrapers, keyed by article id.",
        ),
        TopicSpec(
            ENRICHED,
            parts,
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(enriched_max_bytes(settings)),
            },
            "Clean, deduplicated, tagged articles for subscribers, keyed by article id.",
        ),
        TopicSpec(
            DUPLICATES,
            parts,
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(ENVELOPE_BYTES),
            },
            "One notice per later copy of a story, keyed by the duplicate's id.",
        ),
        TopicSpec(
            DEADLETTER,
            1,
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(dead_letter_max_bytes(settings)),
            },
            "Input that could not be processed, with the original bytes and the reason.",
        ),
        TopicSpec(
            STORIES,
            parts,
            # Compacted: the latest update per story id is the story as it stands; closed
            # stories age out after the retention.
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "compact,delete",
                **_limit(stories_max_bytes(settings)),
            },
            "Story updates, keyed by story id: the latest message per key is the story now.",
        ),
        TopicSpec(
            CLEANED,
            1,
            {
                "retention.ms": str(2 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(internal_max_bytes(settings)),
            },
            "Cleaned and fingerprinted articles awaiting dedup (single partition).",
            internal=True,
        ),
        TopicSpec(
            UNIQUE,
            parts,
            {
                "retention.ms": str(2 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(internal_max_bytes(settings)),
            },
            "First copies of stories (and changed resubmissions) awaiting tagging.",
            internal=True,
        ),
        TopicSpec(
            TAGGED,
            1,
            {
                "retention.ms": str(2 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(enriched_max_bytes(settings)),
            },
            "Tagged articles and copy notices awaiting the story stage (single partition).",
            internal=True,
        ),
    ]


# Each stage and the topic it reads; each stage consumes in a group of its own.
STAGE_INPUTS = {"prepare": RAW, "dedup": CLEANED, "enrich": UNIQUE, "story": TAGGED}
# Stages that keep state, and the input topic whose partitions their state follows.
STATEFUL_STAGES = {"dedup": CLEANED, "story": TAGGED}


def stage_group(settings: Settings, stage: str) -> str:
    """The consumer group (and offset-commit group) of `stage`'s runners."""
    return f"{settings.app_id}.{stage}"


def reading_group(settings: Settings, name: str) -> str | None:
    """The worker group that consumes topic `name` (unprefixed), if a stage reads it."""
    for stage, source in STAGE_INPUTS.items():
        if source == name:
            return stage_group(settings, stage)
    return None


def changelog_name(settings: Settings, stage: str) -> str:
    """The (unprefixed) name of `stage`'s state changelog: one per application id."""
    return f"{settings.app_id}.{stage}.changelog"


def changelog_specs(settings: Settings, streams: list[TopicSpec]) -> list[TopicSpec]:
    """The compacted changelog topics of the stateful stages, partitioned like their input
    (one of `streams`)."""
    partitions = {spec.name: spec.partitions for spec in streams}
    return [
        TopicSpec(
            changelog_name(settings, stage),
            partitions[source],
            {"cleanup.policy": "compact", **_limit(state_max_bytes(settings, stage))},
            f"State of the {stage} stage, written in the transactions of its outputs.",
            internal=True,
        )
        for stage, source in STATEFUL_STAGES.items()
    ]


def route_specs(settings: Settings) -> list[TopicSpec]:
    """The topics of the subscriber routes declared in `settings.routes_file`."""
    return [
        TopicSpec(
            route.topic,
            route.partitions,
            {
                "retention.ms": str(30 * DAY_MS),
                "cleanup.policy": "delete",
                **_limit(enriched_max_bytes(settings)),
            },
            "Subscriber route: enriched events matching "
            + ", ".join(sorted(route.countries | route.persons | route.orgs)),
        )
        for route in load_routes(settings.routes_file)
    ]


def topic_name(settings: Settings, name: str) -> str:
    """The broker-side name of topic `name` under the configured prefix."""
    return f"{settings.topic_prefix}{name}"
