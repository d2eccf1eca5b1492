"""A real single-node Apache Kafka (KRaft) broker from Maven Central jars, for machines without Docker."""

from newswire.kafka_local.launcher import LocalKafka, LocalKafkaError

__all__ = ["LocalKafka", "LocalKafkaError"]
