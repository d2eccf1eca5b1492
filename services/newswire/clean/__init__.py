"""Cleaning: from a fetched page or text to the article's own text (pure functions)."""

from newswire.clean.article import CleanResult, clean_article
from newswire.clean.urls import canonical_url

__all__ = ["CleanResult", "canonical_url", "clean_article"]
