"""Subscriber routes: enriched events copied to extra topics by country or entity."""

from newswire.routing.routes import Route, load_routes, matching_routes

__all__ = ["Route", "load_routes", "matching_routes"]
