"""URL canonicalisation: one spelling per page, so re-fetches are recognised."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "smid",
        "smtyp",
        "sr_share",
        "share",
        "amp",
        "output",
        "s_cid",
        "spm",
        "_ga",
        "_gl",
        "taid",
        "at_medium",
        "at_campaign",
        "rss",
        "src",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """`url` with scheme and host lower-cased, 'www.' and default ports dropped, tracking
    parameters and the fragment removed, remaining parameters sorted, and a trailing
    slash removed from non-root paths. Non-HTTP URIs are returned stripped only."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    if parts.port and parts.port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_NAMES
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    # http and https serve the same article: one scheme keeps re-fetches together.
    return urlunsplit(("https", host, path, urlencode(query), ""))
