"""Turns the exceptions a command can end with into one or two lines a user can act on.

The CLI shows these instead of tracebacks (unless `--debug` or NEWSWIRE_LOG_LEVEL=DEBUG
asks for them). Each explanation says what went wrong and what to do about it."""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path

import yaml
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pydantic import ValidationError

from newswire.config import Settings

DEBUG_HINT = "(run with --debug for the full traceback)"


def debug_requested(flag: bool) -> bool:
    """Whether tracebacks should be shown: the `--debug` flag or NEWSWIRE_LOG_LEVEL=DEBUG.
    Read from the environment directly: the settings themselves may be what is broken."""
    return flag or os.environ.get("NEWSWIRE_LOG_LEVEL", "").strip().upper() == "DEBUG"


def bootstrap_in_use() -> str:
    """The broker address commands use, read without validating the other settings."""
    return (
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        or os.environ.get("NEWSWIRE_BOOTSTRAP_SERVERS")
        or str(Settings.model_fields["bootstrap_servers"].default)
    )


def broker_unreachable_message(bootstrap: str | None = None) -> str:
    """What to say when no broker answers at the configured address."""
    where = bootstrap or bootstrap_in_use()
    return (
        f"cannot reach Kafka at {where}.\n"
        "Start the local broker with `newswire kafka start`, or set NEWSWIRE_BOOTSTRAP_SERVERS "
        "(KAFKA_BOOTSTRAP_SERVERS wins when set) to your broker's address."
    )


def is_broker_unreachable(exc: BaseException) -> bool:
    """Whether `exc` means the broker could not be reached (refused, unknown host, timed out)."""
    if isinstance(exc, KafkaConnectionError | KafkaTimeoutError | ConnectionError):
        return True
    if isinstance(exc, KafkaError) and "bootstrap" in str(exc).lower():
        return True
    return isinstance(exc, TimeoutError) and not str(exc)


def _accepted_values(annotation: object) -> str:
    """A few words describing what a setting of type `annotation` accepts."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_accepted_values(a) for a in parts) + " (or unset)"
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    names: dict[object, str] = {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        str: "text",
        Path: "a file or folder path",
    }
    return names.get(annotation) or str(getattr(annotation, "__name__", annotation))


def settings_error_message(exc: ValidationError) -> str:
    """Each bad setting by its environment variable, what was given and what is accepted."""
    lines = []
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else ""
        field = Settings.model_fields.get(name)
        variable = f"NEWSWIRE_{name.upper()}"
        reason = str(error["msg"]).removeprefix("Value error, ")
        if field is None or "Secret" in str(field.annotation):
            # A rule across settings (its input is all of them) or a secret: never echo it.
            lines.append(f"{reason}.")
            continue
        given = os.environ.get(variable, error.get("input"))
        accepted = _accepted_values(field.annotation) if field is not None else ""
        lines.append(
            f"{variable}={given!r} is not valid: {reason}"
            + (f"; expected {accepted}" if accepted else "")
            + "."
        )
    return "\n".join(lines)


def is_settings_error(exc: BaseException) -> bool:
    """Whether `exc` is the settings model refusing the environment."""
    return isinstance(exc, ValidationError) and exc.title == Settings.__name__


def validation_message(exc: ValidationError) -> str:
    """A validation error in one line: each bad field and why, without pydantic's URLs.
    Routes name their file's variable, since that is what the user edits."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
        for e in exc.errors(include_url=False)[:5]
    )
    if exc.title == "RouteTable":
        where = os.environ.get("NEWSWIRE_ROUTES_FILE", "the routes file")
        return f"NEWSWIRE_ROUTES_FILE ({where}) is not valid: {problems}."
    return f"{exc.title} is not valid: {problems}."


def explain(exc: BaseException) -> str:  # noqa: PLR0911 - one return per kind of failure reads best
    """One or two lines saying what went wrong and what to do, for any exception."""
    if is_settings_error(exc):
        assert isinstance(exc, ValidationError)  # noqa: S101 - narrows for mypy
        return settings_error_message(exc)
    if isinstance(exc, ValidationError):
        return validation_message(exc)
    if isinstance(exc, yaml.YAMLError):
        first = " ".join(str(exc).split())
        return f"not valid YAML (check NEWSWIRE_ROUTES_FILE): {first[:200]}"
    if is_broker_unreachable(exc):
        return broker_unreachable_message()
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {exc.filename or exc}; check the path and try again."
    if isinstance(exc, IsADirectoryError | NotADirectoryError | PermissionError):
        return f"cannot read {exc.filename}: {exc.strerror}."
    if isinstance(exc, KafkaError):
        return f"Kafka refused the request: {exc}. {DEBUG_HINT}"
    return f"{type(exc).__name__}: {exc} {DEBUG_HINT}"
