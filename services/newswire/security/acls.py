"""Who may do what on the cluster: the least-privilege ACLs of newswire's principals.

One source of truth: the local secured broker applies these rules, and `docs/security.md`
shows them as `kafka-acls` commands for a production cluster. Names follow the settings
(topic prefix, application id), and the topics are those `newswire.topics` declares, so a
topic added there is covered by its role without editing this module:

- worker: reads raw and the internal stages, writes internal stages and every output; owns
  every group, transactional id and topic whose name starts with the application id
  (its changelogs and other internal topics, which it may create);
- ingest: writes raw, and the dead-letter topic (input it refuses is kept there);
- subscriber: reads every published topic (not raw, internal or dead letters), with groups
  named after itself;
- operator: creates newswire's topics, reads dead letters and replays them (writes raw and
  the internal stages) under its replay groups, and may describe every topic and the
  worker's group (lag).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from newswire.config import Settings
from newswire.topics import DEADLETTER, RAW, topic_specs


class Resource(IntEnum):
    """Kafka's resource type codes."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class Pattern(IntEnum):
    """Kafka's resource pattern type codes."""

    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """Kafka's ACL operation codes (the ones newswire grants)."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8
    DESCRIBE_CONFIGS = 10


@dataclass(frozen=True, slots=True)
class Principals:
    """The Kafka principal of each newswire role, e.g. 'User:worker'."""

    worker: str = "User:worker"
    ingest: str = "User:ingest"
    subscriber: str = "User:subscriber"
    operator: str = "User:operator"


@dataclass(frozen=True, slots=True)
class AclRule:
    """One ALLOW rule: `principal` may do `operation` on the resource(s) named."""

    principal: str
    operation: Operation
    resource: Resource
    name: str
    pattern: Pattern = Pattern.LITERAL

    def kafka_acls_args(self) -> list[str]:
        """The same rule as arguments of Kafka's `kafka-acls.sh --add`."""
        option = {
            Resource.TOPIC: "--topic",
            Resource.GROUP: "--group",
            Resource.TRANSACTIONAL_ID: "--transactional-id",
            Resource.CLUSTER: "--cluster",
        }[self.resource]
        target = [option] if self.resource is Resource.CLUSTER else [option, self.name]
        return [
            "--allow-principal",
            self.principal,
            "--operation",
            self.operation.name.title().replace("_", ""),
            *target,
            "--resource-pattern-type",
            self.pattern.name.lower(),
        ]


def newswire_acls(settings: Settings, who: Principals | None = None) -> list[AclRule]:
    """Every ACL newswire's roles need on the topics, groups and transactional ids that
    `settings` name."""
    who = who or Principals()
    rules: list[AclRule] = []

    def allow(
        principal: str, resource: Resource, name: str, *ops: Operation, prefixed: bool = False
    ) -> None:
        pattern = Pattern.PREFIXED if prefixed else Pattern.LITERAL
        rules.extend(AclRule(principal, op, resource, name, pattern) for op in ops)

    read, write, create, describe = (
        Operation.READ,
        Operation.WRITE,
        Operation.CREATE,
        Operation.DESCRIBE,
    )
    topic, group, txn = Resource.TOPIC, Resource.GROUP, Resource.TRANSACTIONAL_ID
    app = settings.app_id
    for spec in topic_specs(settings):
        name = spec.full_name(settings.topic_prefix)
        if spec.name == RAW:
            allow(who.worker, topic, name, read)
            allow(who.ingest, topic, name, write)
            allow(who.operator, topic, name, write)
        elif spec.name == DEADLETTER:
            allow(who.worker, topic, name, write)
            allow(who.ingest, topic, name, write)
            allow(who.operator, topic, name, read)
        elif spec.internal:
            allow(who.worker, topic, name, read, write)
            allow(who.operator, topic, name, write)
        else:
            allow(who.worker, topic, name, write)
            allow(who.subscriber, topic, name, read)
        # The operator runs `newswire topics create` and `newswire topics` (lag).
        allow(who.operator, topic, name, describe, create)
    # The worker's own namespace: changelogs, faust's internal topics, groups, transactions.
    allow(who.worker, topic, app, read, write, create, Operation.DESCRIBE_CONFIGS, prefixed=True)
    allow(who.worker, group, app, read, prefixed=True)
    allow(who.worker, txn, app, write, describe, prefixed=True)
    subscriber_name = who.subscriber.partition(":")[2]
    allow(who.subscriber, group, subscriber_name, read, prefixed=True)
    # One replay group per stage: <app_id>.replay.<stage>.
    allow(who.operator, group, f"{app}.replay", read, prefixed=True)
    allow(who.operator, group, app, describe)
    return rules


def kafka_acls_commands(
    settings: Settings, bootstrap: str = "$BOOTSTRAP", command_config: str = "admin.properties"
) -> list[str]:
    """`newswire_acls(settings)` as `kafka-acls.sh --add` command lines, one rule each."""
    return [
        f"kafka-acls.sh --bootstrap-server {bootstrap} --command-config {command_config} "
        f"--add {' '.join(rule.kafka_acls_args())}"
        for rule in newswire_acls(settings)
    ]
