"""The public Python client for scrapers: `AsyncClient` for asyncio code, `Client` for
everything else. Both validate articles as the worker will, batch sends, block when too
many are in flight (back-pressure from a slow broker) and return the assigned ids. A send
the broker did not acknowledge raises DeliveryError (from `publish_many` and `flush` too),
which says which ids were delivered; ids are stable, so sending again is safe.

    from newswire.client import Client

    with Client(bootstrap_servers="localhost:9092") as client:
        article_id = client.publish({"url": "https://example.com/a", "source": "Example",
                                     "body": "..."})
"""

from newswire.client.async_client import AsyncClient, DeliveryError
from newswire.client.sync_client import Client
from newswire.ingest.payload import FieldError, InvalidArticleError

__all__ = ["AsyncClient", "Client", "DeliveryError", "FieldError", "InvalidArticleError"]
