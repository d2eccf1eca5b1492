"""The `newswire` command: broker, topics, producer, worker, demo, contracts, evaluation."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from newswire.config import REPO_ROOT, Settings, get_settings, settings_markdown


def _local_kafka(settings: Settings) -> object:
    from newswire.kafka_local import LocalKafka  # noqa: PLC0415

    return LocalKafka(
        home=settings.kafka_home,
        port=settings.kafka_port,
        controller_port=settings.kafka_controller_port,
    )


@click.group()
@click.version_option(package_name="newswire")
def main() -> None:
    """newswire: streaming news ingestion on Apache Kafka."""


# --- broker -------------------------------------------------------------------------


@main.group()
def kafka() -> None:
    """A local single-node Apache Kafka (KRaft) from Maven Central jars."""


@kafka.command("start")
def kafka_start() -> None:
    """Fetch the jars (once), format storage (once) and start the broker; wait until ready."""
    from newswire.kafka_local import LocalKafka, LocalKafkaError  # noqa: PLC0415

    settings = get_settings()
    broker = _local_kafka(settings)
    assert isinstance(broker, LocalKafka)  # noqa: S101 - narrows the lazy import's type
    try:
        took = broker.start()
    except LocalKafkaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"kafka ready at {broker.bootstrap} in {took:.1f}s (home {broker.home})")


@kafka.command("fetch")
def kafka_fetch() -> None:
    """Gather the broker's jars from Maven Central into the cache (once)."""
    from newswire.kafka_local import LocalKafka, LocalKafkaError  # noqa: PLC0415

    broker = _local_kafka(get_settings())
    assert isinstance(broker, LocalKafka)  # noqa: S101
    try:
        click.echo(f"kafka jars in {broker.ensure_jars()}")
    except LocalKafkaError as exc:
        raise click.ClickException(str(exc)) from exc


@kafka.command("stop")
def kafka_stop() -> None:
    """Stop the broker that `newswire kafka start` started (no other process is touched)."""
    from newswire.kafka_local import LocalKafka  # noqa: PLC0415

    broker = _local_kafka(get_settings())
    assert isinstance(broker, LocalKafka)  # noqa: S101
    click.echo("stopped" if broker.stop() else "not running")


@kafka.command("status")
def kafka_status() -> None:
    """Say whether the local broker runs and answers."""
    from newswire.kafka_local import LocalKafka  # noqa: PLC0415

    broker = _local_kafka(get_settings())
    assert isinstance(broker, LocalKafka)  # noqa: S101
    click.echo(broker.status())


# --- topics -------------------------------------------------------------------------


@main.group(invoke_without_command=True)
@click.pass_context
def topics(ctx: click.Context) -> None:
    """Show each topic's partitions, end offsets and the worker group's lag."""
    if ctx.invoked_subcommand is not None:
        return
    from newswire.admin import PartitionLag, topic_offsets  # noqa: PLC0415
    from newswire.topics import reading_group, topic_specs  # noqa: PLC0415

    settings = get_settings()
    # Each stage commits in a group of its own: a topic's lag is that of its reader.
    specs = topic_specs(settings)

    async def offsets() -> list[PartitionLag]:
        return [
            row
            for spec in specs
            for row in await topic_offsets(
                settings.kafka_bootstrap,
                [spec.full_name(settings.topic_prefix)],
                reading_group(settings, spec.name),
            )
        ]

    rows = asyncio.run(offsets())
    click.echo(f"{'topic':<40} {'part':>4} {'end':>10} {'committed':>10} {'lag':>8}")
    for row in rows:
        committed = "-" if row.committed is None else str(row.committed)
        click.echo(
            f"{row.topic:<40} {row.partition:>4} {row.end_offset:>10} {committed:>10} {row.lag:>8}"
        )


@topics.command("create")
def topics_create() -> None:
    """Create every declared topic that does not exist yet (idempotent)."""
    from newswire.admin import ensure_topics  # noqa: PLC0415

    for result in asyncio.run(ensure_topics(get_settings())):
        click.echo(f"{'created' if result.created else 'exists '} {result.name}")


# --- producing and processing ------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--source", default="local-file", show_default=True, help="Outlet name for text files."
)
def produce(paths: tuple[str, ...], source: str) -> None:
    """Publish articles from files, folders, JSON Lines or '-' (stdin) to the raw topic."""
    from newswire.client import AsyncClient  # noqa: PLC0415
    from newswire.ingest.files import articles_from_path, articles_from_stdin  # noqa: PLC0415

    try:
        articles = [
            article
            for path in paths
            for article in (
                articles_from_stdin(source=source)
                if path == "-"
                else articles_from_path(Path(path), source=source)
            )
        ]
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    async def run() -> list[str]:
        async with AsyncClient(get_settings(), component="cli") as client:
            return await client.publish_many(articles)

    for article_id in asyncio.run(run()):
        click.echo(article_id)


@main.command()
@click.option("--host", default=None, help="Bind address (default NEWSWIRE_INGEST_HOST).")
@click.option("--port", type=int, default=None, help="Port (default NEWSWIRE_INGEST_PORT).")
def ingest(host: str | None, port: int | None) -> None:
    """Serve HTTP ingest: POST /v1/articles, /healthz, /readyz, /metrics."""
    from newswire.ingest.http import run_ingest  # noqa: PLC0415
    from newswire.observability.logs import configure_logging  # noqa: PLC0415

    settings = get_settings()
    overrides = {k: v for k, v in {"ingest_host": host, "ingest_port": port}.items() if v}
    settings = settings.model_copy(update=overrides)
    configure_logging(settings)
    run_ingest(settings)


@main.command()
@click.option("--stage", multiple=True, help="Only letters from this stage (repeatable).")
@click.option("--from-start", is_flag=True, help="Replay every letter, not only new ones.")
@click.option("--dry-run", is_flag=True, help="Say what would be replayed; change nothing.")
@click.option("--limit", type=int, default=None, help="Replay at most this many letters.")
@click.option("--idle", default=3.0, show_default=True, help="Stop after this many idle seconds.")
def replay(
    stage: tuple[str, ...], from_start: bool, dry_run: bool, limit: int | None, idle: float
) -> None:
    """Re-submit dead letters (after a fix) to the topic each first came from."""
    from newswire.ingest.replay import replay_dead_letters  # noqa: PLC0415

    report = asyncio.run(
        replay_dead_letters(
            get_settings(),
            stages=frozenset(stage),
            from_start=from_start,
            dry_run=dry_run,
            limit=limit,
            idle_timeout_s=idle,
            echo=click.echo,
        )
    )
    skipped = ", ".join(f"{why}: {n}" for why, n in sorted(report.skipped.items())) or "none"
    verb = "would replay" if dry_run else "replayed"
    click.echo(f"read={report.read} {verb}={report.total_replayed} skipped=({skipped})")


@main.command()
def worker() -> None:
    """Run a processing worker (clean, dedup, tag) in the foreground."""
    from newswire.observability.logs import configure_logging  # noqa: PLC0415
    from newswire.worker.app import run_worker  # noqa: PLC0415

    settings = get_settings()
    configure_logging(settings)
    sys.argv = [sys.argv[0], "worker"]  # faust's worker reads argv; ours were parsed already
    run_worker(settings)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for the events.")
def demo(paths: tuple[str, ...], timeout: float) -> None:
    """The main job, end to end: broker (unless KAFKA_BOOTSTRAP_SERVERS is set), topics,
    a worker, the seed articles in, the enriched events printed, everything stopped."""
    from newswire.demo import run_demo  # noqa: PLC0415

    inputs = [Path(p) for p in paths] or [REPO_ROOT / "seeds"]
    code = run_demo(inputs, timeout_s=timeout, echo=click.echo)
    sys.exit(code)


@main.command()
@click.argument("topic")
@click.option("--count", type=int, default=None, help="Stop after this many events.")
@click.option("--timeout", type=float, default=None, help="Stop after this many idle seconds.")
@click.option("--from-start/--from-end", default=True, show_default=True)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON Lines instead of a readable summary."
)
@click.option(
    "--country", multiple=True, help="Only events tagged with this ISO code (repeatable)."
)
@click.option("--person", multiple=True, help="Only events naming this person (repeatable).")
@click.option("--org", multiple=True, help="Only events naming this organisation (repeatable).")
def tail(
    topic: str,
    count: int | None,
    timeout: float | None,
    from_start: bool,
    as_json: bool,
    country: tuple[str, ...],
    person: tuple[str, ...],
    org: tuple[str, ...],
) -> None:
    """Follow TOPIC (a full name or a short one such as 'enriched') and print its events."""
    from newswire.subscribe.tail import run_tail  # noqa: PLC0415

    run_tail(
        get_settings(),
        topic,
        count=count,
        timeout_s=timeout,
        from_start=from_start,
        as_json=as_json,
        countries=country,
        persons=person,
        orgs=org,
        echo=click.echo,
    )


# --- contracts and configuration ---------------------------------------------------


@main.command()
@click.option("--check", is_flag=True, help="Fail if schemas/ differs from the models.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=REPO_ROOT / "schemas", show_default=True
)
def schemas(check: bool, out: Path) -> None:
    """Generate the JSON Schema and AsyncAPI files under schemas/ from the models."""
    from newswire.contracts import check_contracts, write_contracts  # noqa: PLC0415

    if check:
        drift = check_contracts(out)
        if drift:
            raise click.ClickException(
                "schemas/ is out of date: " + ", ".join(drift) + " (run `newswire schemas`)"
            )
        click.echo("schemas/ matches the models")
        return
    for path in write_contracts(out):
        click.echo(f"wrote {path}")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the settings reference as Markdown.")
def config(markdown: bool) -> None:
    """Show the effective settings (or their reference as Markdown)."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    for name, value in get_settings().model_dump().items():
        click.echo(f"NEWSWIRE_{name.upper()}={value}")
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        click.echo(f"KAFKA_BOOTSTRAP_SERVERS={os.environ['KAFKA_BOOTSTRAP_SERVERS']} (wins)")


# --- evaluation --------------------------------------------------------------------


@main.group("eval")
def evaluate() -> None:
    """Measure quality on labelled data."""


@evaluate.command("dedup")
@click.argument("pairs", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--predictions", type=click.Path(path_type=Path), help="Write one verdict per pair here."
)
@click.option("--threshold", type=float, default=None, help="Override NEWSWIRE_DEDUP_THRESHOLD.")
def eval_dedup(pairs: Path, predictions: Path | None, threshold: float | None) -> None:
    """Precision and recall of near-duplicate detection on labelled pairs (JSON Lines)."""
    from newswire.dedup.evaluate import evaluate_pairs  # noqa: PLC0415

    settings = get_settings()
    report = evaluate_pairs(
        pairs, threshold if threshold is not None else settings.dedup_threshold, predictions
    )
    click.echo(f"pairs={report.total} tp={report.tp} fp={report.fp} fn={report.fn} tn={report.tn}")
    click.echo(f"precision={report.precision:.3f} recall={report.recall:.3f} f1={report.f1:.3f}")


@evaluate.command("tagging")
@click.option("--gold", type=click.Path(exists=True, path_type=Path), required=True)
@click.option(
    "--texts", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@click.option(
    "--predictions", type=click.Path(path_type=Path), help="Write predictions in the gold's format."
)
def eval_tagging(gold: Path, texts: Path, predictions: Path | None) -> None:
    """Countries, persons, organisations and primary country against gold labels."""
    from newswire.tagging.evaluate import evaluate_gold  # noqa: PLC0415

    for line in evaluate_gold(gold, texts, predictions):
        click.echo(line)


if __name__ == "__main__":
    main()
