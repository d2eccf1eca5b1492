"""The stage runner: exactly-once consume-transform-produce on Kafka transactions.

A stage is a declaration (`Stage`): its input topic, how a record decodes, and an async
`handle(items, state)` that returns one result per item: the events to publish (`Emit`)
or a `DeadLetter`. `StageRunner` runs it in the consumer group `<app_id>.<stage>` and owns
everything else: read_committed consumption, adaptive batches, one Kafka transaction per
input partition and batch (outputs, dead letters, state changes and the input offsets
commit together or not at all), delivery confirmed before the commit, exceptions turned
into dead letters, metrics and log context after the commit only.

State, for a stage declared with `stateful=True`:
- `handle` receives `state`, a `MutableMapping[bytes, bytes]` for the input partition
  the batch came from (every item of a stateful batch comes from the same partition).
  Read and write it like a dict; keep whatever structure you need in key prefixes.
- Every change is written to the stage's compacted changelog topic
  (`<prefix><app_id>.<stage>.changelog`, partitioned like the input; declare the stage in
  `newswire.topics.STATEFUL_STAGES` so `newswire topics create` makes it) inside the same
  transaction as the outputs it caused. An aborted batch leaves no trace in it.
- If `handle` raises, the batch's changes are undone before the items are retried one by
  one, so state never holds the effect of an item that was not published.
- The store in memory is only a cache of the changelog: on assignment it catches up
  (read_committed) from where it stopped, so it is right after a crash, an abort, or
  another worker having owned the partition meanwhile. Never keep state elsewhere (module
  globals, instance attributes) if it must survive: it would not be rolled back.
- A stage that keeps indexes derived from the store (outside it) must rebuild them when
  `state.epoch` changes (a `PartitionStore` attribute): it changes whenever entries the
  stage may have read were undone (failed batch, aborted transaction) or restored.
- Values must be bounded: the changelog's `max.message.bytes` is 64 KiB unless
  `newswire.topics.state_max_bytes` derives a larger bound for the stage (the story
  stage's, from `newswire.stories.bounds`). A change the changelog still refuses for its
  content (too large, corrupt) is pinned on the record that made it, as a refused output
  is: the partition is retried a record at a time, that record is dead-lettered at the
  stage's `fail_stage` with the reason and its changes are discarded, and the rest of the
  batch gets its outcomes. Any other changelog failure is shared by the batch and retried.

A second stateful step inside an existing stage (e.g. story clustering between tagging and
publishing) uses the same `state` mapping with its own key prefix, so its changes commit
in the same transaction as that stage's outputs.
"""

from newswire.runner.broker import BrokerWatch
from newswire.runner.runner import StageRunner
from newswire.runner.stage import Emit, Item, Result, Stage, State
from newswire.runner.store import PartitionStore

__all__ = [
    "BrokerWatch",
    "Emit",
    "Item",
    "PartitionStore",
    "Result",
    "Stage",
    "StageRunner",
    "State",
]
