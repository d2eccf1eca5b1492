"""Fault injection for newswire: a broker that can be stopped, workers that can be killed,
articles with planted copies, and a count of outcomes per id as a subscriber sees them."""
