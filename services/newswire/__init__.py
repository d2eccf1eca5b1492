"""newswire: streaming news ingestion on Apache Kafka.

The data walks one way: ingest -> raw topic -> clean -> dedup -> tag -> enriched topic.
Text work lives in pure modules (`clean`, `dedup`, `tagging`); the faust agents in
`worker` only decode, call that code and publish.
"""

__version__ = "0.1.0"
