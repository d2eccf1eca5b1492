"""The pipeline's stages as plain functions: each takes a message, returns what to publish."""
