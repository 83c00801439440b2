"""HTML pages: the article's text, without site navigation, scripts and styles."""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment

from caselearn.ingest.base import ExtractedPage, IngestError

DROP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "aside",
    "form",
    "button",
    "iframe",
    "object",
    "head",
}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "address",
    "hr",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def read_html(data: bytes) -> tuple[list[ExtractedPage], str | None, list[str]]:
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:  # lxml is tolerant; only truly broken input lands here
        raise IngestError("corrupt", f"the HTML cannot be parsed ({exc})") from exc
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else None
    for tag in soup.find_all(DROP):
        tag.decompose()
    root = (
        soup.find("main")
        or soup.find(attrs={"role": "main"})
        or soup.find("article")
        or soup.body
        or soup
    )
    if root is not soup.body and root is not soup:
        # Site chrome lives outside <main>; inside it, headers and footers belong to the text.
        pass
    else:
        for tag in root.find_all(["header", "footer"]):
            tag.decompose()
    parts: list[str] = []
    _walk(root, parts)
    text = "".join(parts)
    heading = soup.find("h1")
    if not title and heading:
        title = " ".join(heading.get_text().split())
    return [ExtractedPage(1, text)], title or None, []


def _walk(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            parts.append(" ".join(str(child).split(" ")).replace("\n", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            parts.append("\n")
        elif name in ("td", "th"):
            parts.append(" | " if child.find_previous_sibling(["td", "th"]) else "")
            _walk(child, parts)
        elif name == "li":
            parts.append(
                "\n" + ("• " if child.parent is not None and child.parent.name == "ul" else "")
            )
            if child.parent is not None and child.parent.name == "ol":
                items = [li for li in child.parent.find_all("li", recursive=False)]
                start = int(child.parent.get("start", 1) or 1)
                parts.append(f"{start + items.index(child)}. ")
            _walk(child, parts)
            parts.append("\n")
        elif name in BLOCKS:
            parts.append("\n\n" if name in HEADINGS or name == "p" else "\n")
            _walk(child, parts)
            parts.append("\n\n" if name in HEADINGS or name == "p" else "\n")
        else:
            _walk(child, parts)
