"""Security: how newswire authenticates to Kafka and how its own ports authenticate callers."""
