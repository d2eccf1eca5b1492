"""Subscriber side: reading topics, filtering events, following them."""
