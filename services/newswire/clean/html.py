"""Turns an HTML page into the lines of its article, dropping non-content elements."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

_DROP_TAGS = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button, select, figure figcaption"
_FURNITURE_ATTR = re.compile(
    r"(^|[\s_-])(share|social|cookie|consent|newsletter|subscribe|related|advert|ad-slot|promo|"
    r"breadcrumb|comments?|sidebar|menu|navbar|footer|masthead|paywall|popup|modal)([\s_-]|$)",
    re.IGNORECASE,
)
_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, dd, dt, figcaption, td"


def _is_furniture(node: Node) -> bool:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
    return bool(_FURNITURE_ATTR.search(label)) or attrs.get("aria-hidden") == "true"


def html_to_lines(html: str) -> tuple[str | None, list[str]]:
    """The page's headline (first <h1>, else <title>) and the text of its content blocks,
    one block a line. Scripts, navigation, footers and share/ad containers are dropped."""
    tree = HTMLParser(html)
    title_node = tree.css_first("h1") or tree.css_first("title")
    title = title_node.text(strip=True) if title_node else None
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    for node in tree.css("[class], [id], [role], [aria-hidden]"):
        if node.parent is not None and _is_furniture(node):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    if root is None:
        return title, []
    lines: list[str] = []
    for block in root.css(_BLOCKS):
        # A block nested in another block is read with its parent.
        if any(ancestor.tag in {"p", "li", "blockquote", "pre"} for ancestor in _ancestors(block)):
            continue
        text = block.text(separator=" ", strip=False)
        text = " ".join(text.split())
        if text:
            lines.append(text)
    if not lines:
        lines = [line for line in root.text(separator="\n").split("\n") if line.strip()]
    return title, lines


def _ancestors(node: Node) -> list[Node]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found
