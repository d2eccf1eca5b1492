"""The `newswire` command: broker, topics, producer, worker, demo, contracts, evaluation."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import typing
from pathlib import Path
from typing import Any

import click

from newswire.cli_errors import debug_requested, explain
from newswire.config import REPO_ROOT, Settings, get_settings, settings_markdown
from newswire.models import DeadLetter
from newswire.security.diagnose import check_connection, explain_security

# The stages a dead letter can name, straight from the contract, so `--stage` cannot drift.
DEAD_LETTER_STAGES = typing.get_args(DeadLetter.model_fields["stage"].annotation)


def _local_kafka(settings: Settings, *, secure: bool = False) -> object:
    from newswire.kafka_local import LocalKafka  # noqa: PLC0415
    from newswire.kafka_local.secure import local_security  # noqa: PLC0415

    return LocalKafka(
        home=settings.kafka_home,
        port=settings.kafka_port,
        controller_port=settings.kafka_controller_port,
        security=local_security(settings.kafka_home, create=secure),
    )


class NewswireGroup(click.Group):
    """The top-level group: any exception a command ends with becomes a short message that
    says what to do (exit status 1), unless a traceback was asked for."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; explain failures instead of printing tracebacks."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if debug_requested(bool(ctx.params.get("debug"))):
                raise
            # Refused credentials, untrusted certificates, ACLs: said by the security module.
            raise click.ClickException(explain_security(exc) or explain(exc)) from None


@click.group(cls=NewswireGroup)
@click.version_option(package_name="newswire")
@click.option(
    "--debug",
    is_flag=True,
    help="Show full tracebacks and client logs (or NEWSWIRE_LOG_LEVEL=DEBUG).",
)
def main(debug: bool) -> None:
    """newswire: streaming news ingestion on Apache Kafka."""
    if debug_requested(debug):
        logging.basicConfig(level=logging.DEBUG)
    else:
        # The Kafka client logs every failed connection attempt; the command says it once.
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


# --- broker -------------------------------------------------------------------------


@main.group()
def kafka() -> None:
    """A local single-node Apache Kafka (KRaft) from Maven Central jars."""


@kafka.command("start")
@click.option(
    "--secure",
    is_flag=True,
    help="SASL_SSL + mTLS listeners, SCRAM users and ACLs (docs/security.md); fixed at first start.",
)
def kafka_start(secure: bool) -> None:
    """Fetch the jars (once), format storage (once) and start the broker; wait until ready."""
    from newswire.kafka_local import LocalKafka, LocalKafkaError  # noqa: PLC0415

    settings = get_settings()
    broker = _local_kafka(settings, secure=secure)
    assert isinstance(broker, LocalKafka)  # noqa: S101 - narrows the lazy import's type
    try:
        took = broker.start()
    except LocalKafkaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"kafka ready at {broker.bootstrap} in {took:.1f}s (home {broker.home})")
    if broker.security is not None:
        from newswire.kafka_local.secure import apply_acls  # noqa: PLC0415
        from newswire.security.acls import newswire_acls  # noqa: PLC0415

        admin = broker.security.admin_settings(broker.bootstrap)
        asyncio.run(apply_acls(admin, newswire_acls(settings)))
        click.echo(
            f"secured: SASL_SSL on {broker.port}, mTLS on {broker.security.ssl_port}; ACLs for "
            f"prefix {settings.topic_prefix!r} and app {settings.app_id!r}; users, passwords "
            f"and certificates in {broker.security.folder}"
        )


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
    """Show each topic's partitions, end offsets and the worker group's lag ('-' where the
    group does not read the topic)."""
    if ctx.invoked_subcommand is not None:
        return
    from newswire.admin import topic_offsets  # noqa: PLC0415
    from newswire.topics import topic_specs  # noqa: PLC0415

    settings = get_settings()
    names = [spec.full_name(settings.topic_prefix) for spec in topic_specs(settings)]
    rows = asyncio.run(topic_offsets(settings, names, settings.app_id))
    if not rows:
        click.echo(
            f"none of newswire's topics exist on {settings.kafka_bootstrap} yet: "
            "create them with `newswire topics create`."
        )
        return
    click.echo(f"{'topic':<40} {'part':>4} {'end':>10} {'committed':>10} {'lag':>8}")
    for row in rows:
        # Output topics are read by subscribers, not by the worker's group: with no
        # committed offset there is no lag to speak of, only an end offset.
        committed = "-" if row.committed is None else str(row.committed)
        lag = "-" if row.committed is None else str(row.lag)
        click.echo(
            f"{row.topic:<40} {row.partition:>4} {row.end_offset:>10} {committed:>10} {lag:>8}"
        )
    missing = len(set(names) - {row.topic for row in rows})
    if missing:
        click.echo(f"{missing} declared topic(s) missing: run `newswire topics create`.")


@topics.command("create")
def topics_create() -> None:
    """Create every declared topic that does not exist yet (idempotent)."""
    from newswire.admin import ensure_topics  # noqa: PLC0415

    for result in asyncio.run(ensure_topics(get_settings())):
        click.echo(f"{'created' if result.created else 'exists '} {result.name}")


@main.command()
@click.option(
    "--bootstrap", default="$BOOTSTRAP", show_default=True, help="Broker address to print."
)
@click.option("--command-config", default="admin.properties", show_default=True)
def acls(bootstrap: str, command_config: str) -> None:
    """Print the kafka-acls commands granting newswire's principals what they need, for the
    configured topic prefix and app id (docs/security.md)."""
    from newswire.security.acls import kafka_acls_commands  # noqa: PLC0415

    for line in kafka_acls_commands(get_settings(), bootstrap, command_config):
        click.echo(line)


# --- producing and processing ------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--source", default="local-file", show_default=True, help="Outlet name for text files."
)
@click.option("--url", default=None, help="The article's URL (one text file or stdin only).")
@click.option(
    "--id", "article_id", default=None, help="The article's id (one text file or stdin only)."
)
def produce(paths: tuple[str, ...], source: str, url: str | None, article_id: str | None) -> None:
    """Publish articles from files, folders, JSON Lines or '-' (stdin) to the raw topic.

    A text without a URL gets an id from its content: sending it again is the same article,
    an edited copy is a new one (give --id or --url to keep one identity across edits)."""
    from newswire.client import AsyncClient  # noqa: PLC0415
    from newswire.ingest.files import (  # noqa: PLC0415
        article_from_text,
        articles_from_path,
        articles_from_stdin,
    )

    identity = url is not None or article_id is not None
    if identity and (len(paths) != 1 or (paths[0] != "-" and Path(paths[0]).is_dir())):
        raise click.UsageError("--url and --id name one article: give one text file or '-'.")
    try:
        if identity and paths[0] != "-":
            path = Path(paths[0])
            articles = [
                article_from_text(
                    path.name,
                    path.read_text(encoding="utf-8"),
                    source=source,
                    body_format="html" if path.suffix.lower() in {".html", ".htm"} else "text",
                    url=url,
                    article_id=article_id,
                )
            ]
        else:
            articles = [
                article
                for path in paths
                for article in (
                    articles_from_stdin(source=source, url=url, article_id=article_id)
                    if path == "-"
                    else articles_from_path(Path(path), source=source)
                )
            ]
    except FileNotFoundError as exc:
        raise click.ClickException(f"no such file or folder: {exc.filename}") from None
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if not articles:
        raise click.ClickException("nothing to publish: the input holds no articles.")

    async def run() -> list[str]:
        async with AsyncClient(get_settings(), component="cli") as client:
            return await client.publish_many(articles)

    for published in asyncio.run(run()):
        click.echo(published)


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
@click.option(
    "--stage",
    multiple=True,
    type=click.Choice(DEAD_LETTER_STAGES),
    help="Only letters from this stage (repeatable).",
)
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
    line = f"read={report.read} {verb}={report.total_replayed} skipped=({skipped})"
    if report.left:
        others = ", ".join(f"{stage}: {n}" for stage, n in sorted(report.left.items()))
        line += f" left for their own --stage=({others})"
    click.echo(line)


@main.command()
def worker() -> None:
    """Run a processing worker (clean, dedup, tag) in the foreground."""
    from newswire.observability.logs import configure_logging  # noqa: PLC0415
    from newswire.worker.app import run_worker  # noqa: PLC0415

    settings = get_settings()
    # faust would log a 60-line traceback for a broker that is not there, and retry refused
    # credentials forever: connect once first, so either ends here in a line or two.
    asyncio.run(check_connection(settings, timeout_s=10.0))
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
    "--country",
    multiple=True,
    help="Only events tagged with this country: ISO code, name or demonym (repeatable).",
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
    """Follow TOPIC (a full name or a short one such as 'enriched') and print its events.

    Filters of different kinds must all match (--country SY --org UN: Syrian stories that
    name the UN); several values of one kind match any (--country SY --country LB)."""
    from newswire.subscribe.filters import UnknownCountryError  # noqa: PLC0415
    from newswire.subscribe.tail import UnknownTopicError, run_tail  # noqa: PLC0415

    try:
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
    except UnknownTopicError as exc:
        raise click.BadParameter(str(exc), param_hint="TOPIC") from None
    except UnknownCountryError as exc:
        raise click.BadParameter(str(exc), param_hint="--country") from None


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


def missing_texts(gold: Path, texts: Path) -> list[str]:
    """The document files the gold file names (`NAME` or `NAME#LINE`) that `texts` lacks."""
    import orjson  # noqa: PLC0415

    names: list[str] = []
    for number, line in enumerate(gold.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = str(orjson.loads(line)["doc"])
        except (ValueError, KeyError, TypeError):
            raise click.ClickException(
                f"{gold}, line {number}: not a gold record (a JSON object with a 'doc' field)."
            ) from None
        name = doc.partition("#")[0]
        if name not in names:
            names.append(name)
    return [name for name in names if not (texts / name).is_file()]


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

    missing = missing_texts(gold, texts)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise click.ClickException(
            f"{texts} lacks {len(missing)} file(s) the gold names: {shown}.\n"
            "Give --texts the folder that holds every document of the gold file."
        )

    for line in evaluate_gold(gold, texts, predictions):
        click.echo(line)


@evaluate.command("stories")
@click.option("--gold", type=click.Path(exists=True, path_type=Path), required=True)
@click.option(
    "--texts",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    multiple=True,
    help="Folder of the documents' files; repeat to search several in order.",
)
@click.option(
    "--predictions", type=click.Path(path_type=Path), help='Write {"doc", "story"} lines.'
)
def eval_stories(gold: Path, texts: tuple[Path, ...], predictions: Path | None) -> None:
    """Story clustering against gold story labels: pairwise and B-cubed scores."""
    from newswire.stories.evaluate import evaluate_stories  # noqa: PLC0415

    for line in evaluate_stories(gold, texts, predictions):
        click.echo(line)


if __name__ == "__main__":
    main()
