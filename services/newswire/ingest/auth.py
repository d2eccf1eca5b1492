"""Who may post to HTTP ingest, and how often: named bearer tokens and a per-token rate
limit, as one aiohttp middleware.

Ingest refuses to start with no token configured unless `NEWSWIRE_INGEST_ALLOW_ANONYMOUS`
says so (and then warns). Health and metrics stay open for probes and scrapers; every other
path needs a token. The rate limit is a token bucket per token name, kept in this process:
N ingest processes admit up to N times the rate."""

from __future__ import annotations

import hmac
import math
import time

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry, Counter

from newswire.config import Settings
from newswire.security.tokens import NamedToken, TokenConfigError, ingest_tokens

log = structlog.get_logger("newswire.ingest")

ANONYMOUS = "anonymous"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
TOKEN_NAME_KEY = web.RequestKey("token_name", str)


class TokenBucket:
    """`rate` requests a second on average, up to `burst` at once."""

    __slots__ = ("_burst", "_level", "_rate", "_updated")

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._level = self._burst
        self._updated = time.monotonic()

    def take(self, now: float | None = None) -> float:
        """Take one request's worth: 0.0 when allowed, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        self._level = min(self._burst, self._level + max(0.0, now - self._updated) * self._rate)
        self._updated = now
        if self._level >= 1.0:
            self._level -= 1.0
            return 0.0
        return (1.0 - self._level) / self._rate


class IngestAuth:
    """The configured tokens and their rate limits."""

    def __init__(self, tokens: list[NamedToken], rate_per_s: float, burst: int) -> None:
        self.tokens = tokens
        self._rate = rate_per_s
        self._burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestAuth:
        """The tokens of `settings`; raises TokenConfigError when there are none and
        running without authentication was not asked for explicitly."""
        tokens = ingest_tokens(settings)
        if not tokens and not settings.ingest_allow_anonymous:
            raise TokenConfigError(
                "HTTP ingest needs NEWSWIRE_INGEST_TOKEN or NEWSWIRE_INGEST_TOKENS_FILE; "
                "set NEWSWIRE_INGEST_ALLOW_ANONYMOUS=true to run it without authentication"
            )
        return cls(tokens, settings.ingest_rate_per_s, settings.ingest_rate_burst)

    @property
    def required(self) -> bool:
        """Whether requests must carry a token."""
        return bool(self.tokens)

    def identify(self, authorization: str) -> str | None:
        """The name of the token an `Authorization` header carries, None if none matches.
        Every token is compared, in constant time, so timing says nothing about which."""
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return None
        offered = given.strip().encode()
        found = None
        for token in self.tokens:
            if hmac.compare_digest(offered, token.token.encode()):
                found = token.name
        return found

    def wait_before(self, name: str) -> float:
        """0.0 when `name` may make a request now, else the seconds it must wait."""
        if self._rate <= 0:
            return 0.0
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = TokenBucket(self._rate, self._burst)
        return bucket.take()


def _refusal(status: int, message: str, headers: dict[str, str]) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def auth_middleware(auth: IngestAuth, registry: CollectorRegistry) -> Middleware:
    """Refuses requests without a valid token (401) or over their token's rate (429 with
    Retry-After); records the token's name on the request for the access log."""
    requests = Counter(
        "newswire_ingest_token_requests",
        "HTTP ingest requests by caller (token name) and outcome: accepted, unauthorised, limited.",
        ["caller", "outcome"],
        registry=registry,
    )
    if not auth.required:
        log.warning(
            "ingest.auth_disabled",
            reason="NEWSWIRE_INGEST_ALLOW_ANONYMOUS is set and no token is configured: "
            "anyone who reaches this port can publish",
        )

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        name: str | None = ANONYMOUS
        if auth.required:
            name = auth.identify(request.headers.get("Authorization", ""))
        if name is None:
            requests.labels(caller="-", outcome="unauthorised").inc()
            return _refusal(
                401,
                "missing or wrong bearer token",
                {"WWW-Authenticate": 'Bearer realm="newswire"'},
            )
        request[TOKEN_NAME_KEY] = name
        wait = auth.wait_before(name)
        if wait > 0:
            requests.labels(caller=name, outcome="limited").inc()
            return _refusal(
                429,
                f"rate limit of token {name!r} exceeded",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        requests.labels(caller=name, outcome="accepted").inc()
        return await handler(request)

    return middleware
