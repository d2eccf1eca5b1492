"""Generates the published contracts in `schemas/` from the pydantic models.

One JSON Schema file per event and version (`RawArticle.v1.json`, ...) and an AsyncAPI 3
document (`asyncapi.yaml`) describing topics, keys, headers and messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import BaseModel

from newswire import __version__
from newswire.config import Settings
from newswire.models import DeadLetter, DuplicateNotice, EnrichedArticle, RawArticle, StoryUpdate
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, STORIES, topic_specs
from newswire.wire import EVENT_TYPES

PUBLIC_EVENTS: dict[str, type[BaseModel]] = {
    RAW: RawArticle,
    ENRICHED: EnrichedArticle,
    DUPLICATES: DuplicateNotice,
    DEADLETTER: DeadLetter,
    STORIES: StoryUpdate,
}
HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka protocol binding, binary content mode.",
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Event id: article id and event kind."},
        "ce_type": {"type": "string", "description": "io.newswire.<kind>.v<schema_version>"},
        "ce_source": {"type": "string", "description": "newswire/<component>/<host>"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_dataschema": {
            "type": "string",
            "description": "Path of the JSON Schema under schemas/.",
        },
        "ce_traceparent": {
            "type": "string",
            "description": "W3C traceparent; carries the trace id end to end.",
        },
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def schema_filename(model: type[BaseModel]) -> str:
    """The file name of `model`'s JSON Schema at the model's current schema version."""
    return f"{model.__name__}.v{schema_version(model)}.json"


def schema_version(model: type[BaseModel]) -> int:
    """The schema version `model` declares (the default of its `schema_version` field)."""
    version = model.model_fields["schema_version"].default
    if not isinstance(version, int):
        raise TypeError(f"{model.__name__} declares no integer schema_version")
    return version


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON Schema with an $id: what newswire accepts for the raw article (fields
    with defaults may be left out), what it publishes for every other event."""
    schema = model.model_json_schema(mode="validation" if model is RawArticle else "serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_filename(model),
        **schema,
    }


def asyncapi(settings: Settings) -> dict[str, Any]:
    """The AsyncAPI 3.0 document for newswire's public topics."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for spec in topic_specs(settings):
        if spec.internal:
            continue
        model = PUBLIC_EVENTS.get(spec.name, EnrichedArticle)  # route topics carry enriched events
        name = model.__name__
        messages[name] = {
            "name": name,
            "title": name,
            "summary": (model.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "headers": HEADERS_SCHEMA,
            "payload": {"$ref": f"./{schema_filename(model)}"},
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": "Story id."
                        if model is StoryUpdate
                        else "Stable article id.",
                    },
                    "bindingVersion": "0.5.0",
                }
            },
            "x-cloudevents-type": EVENT_TYPES[model],
        }
        channel_id = spec.name.replace(".", "_")
        channels[channel_id] = {
            "address": spec.name,
            "description": spec.description,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "kafka": {
                    "topic": spec.name,
                    "partitions": spec.partitions,
                    "topicConfiguration": {
                        "retention.ms": int(spec.configs["retention.ms"]),
                        "cleanup.policy": spec.configs["cleanup.policy"].split(","),
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        action = "receive" if spec.name == RAW else "send"
        operations[f"{action}_{channel_id}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"newswire {'reads' if action == 'receive' else 'publishes'} {spec.name}",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "newswire",
            "version": __version__,
            "description": "Streaming news ingestion: raw articles in; enriched events, duplicate notices "
            "and dead letters out. Topic names take the configured NEWSWIRE_TOPIC_PREFIX.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered_contracts() -> dict[str, bytes]:
    """Every file of `schemas/`, by name, as it should read now."""
    files = {
        schema_filename(model): orjson.dumps(
            json_schema(model), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        )
        + b"\n"
        for model in PUBLIC_EVENTS.values()
    }
    # Documented with the defaults, not with whatever this machine's environment says.
    defaults = Settings.model_construct()
    files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(defaults), sort_keys=False).encode()
    return files


def write_contracts(out: Path) -> list[Path]:
    """Write the contracts into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in rendered_contracts().items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def check_contracts(out: Path) -> list[str]:
    """Names of files in `out` that are missing or differ from the models (empty: no drift)."""
    return [
        name
        for name, data in rendered_contracts().items()
        if not (out / name).exists() or (out / name).read_bytes() != data
    ]
