"""The KIP-447 requests of `newswire.runner.group_fencing`, without a broker: what goes on
the wire for a `GroupMember`, and that a plain group id is still sent as aiokafka sends it
(the broker-side behaviour is tests/integration/test_group_fencing.py)."""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace
from typing import Any

import aiokafka.producer.sender as sender_module
from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

from newswire.runner.group_fencing import (
    GroupMember,
    OffsetFetchRequestV7,
    StableOffsetFetch,
    TxnOffsetCommitRequestV3,
    send_generation_with_offsets,
)


def _handler(group_id: str) -> Any:
    send_generation_with_offsets()
    txn = SimpleNamespace(transactional_id="app:enrich:w1:ab12", producer_id=7, producer_epoch=3)
    sender = SimpleNamespace(_txn_manager=txn, _retry_backoff=0.1)
    offsets = {TopicPartition("in", 1): OffsetAndMetadata(42, "")}
    return sender_module.TxnOffsetCommitHandler(sender, offsets, group_id)


def test_a_group_member_commits_with_its_generation_in_v3() -> None:
    member = GroupMember("app.enrich", 5, "w1-enrich-1234")
    request = _handler(member).create_request().prepare({28: (0, 4)})
    assert isinstance(request, TxnOffsetCommitRequestV3)
    decoded = TxnOffsetCommitRequestV3.SCHEMA.decode(BytesIO(request.encode()))
    transactional_id, group, producer_id, epoch, generation, member_id, instance = decoded[:7]
    assert (transactional_id, group, producer_id, epoch) == (
        "app:enrich:w1:ab12",
        "app.enrich",
        7,
        3,
    )
    assert (generation, member_id, instance) == (5, "w1-enrich-1234", None)
    [(topic, [(partition, offset, leader_epoch, metadata, _)], _)] = decoded[7]
    assert (topic, partition, offset, leader_epoch, metadata) == ("in", 1, 42, -1, "")


def test_a_plain_group_id_is_sent_as_aiokafka_sends_it() -> None:
    request = _handler("app.enrich").create_request().prepare({28: (0, 4)})
    assert request.API_VERSION == 0


def test_the_stable_offset_read_asks_for_stable_offsets() -> None:
    request = StableOffsetFetch("app.enrich", {"in": [0, 2]}).prepare({9: (0, 8)})
    assert isinstance(request, OffsetFetchRequestV7)
    group, topics, require_stable, _ = OffsetFetchRequestV7.SCHEMA.decode(BytesIO(request.encode()))
    assert (group, [(t, p) for t, p, _ in topics], require_stable) == (
        "app.enrich",
        [("in", [0, 2])],
        True,
    )
