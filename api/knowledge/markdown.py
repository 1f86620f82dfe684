"""Articles' Markdown as HTML, safely: CommonMark with tables, no raw HTML (it is shown
as text), and links only to http(s), mailto and the console's own paths (markdown-it's
link check refuses javascript:, vbscript:, file: and data:)."""

from __future__ import annotations

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


def html(body: str) -> str:
    return str(_MD.render(body))
