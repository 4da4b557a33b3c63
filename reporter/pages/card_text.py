"""A run's `card.md` read as model-card sections (pure): which heading means what."""

from __future__ import annotations

import re

# card.md headings (lower case, punctuation dropped) -> where the section goes
SECTIONS = {
    "overview": "overview", "model details": "overview", "description": "overview",
    "summary": "overview", "model": "overview",
    "intended use": "use_cases", "intended uses": "use_cases", "use cases": "use_cases",
    "primary intended uses": "use_cases", "uses": "use_cases",
    "users": "users", "intended users": "users", "primary intended users": "users",
    "limitations": "limitations", "known limitations": "limitations", "caveats": "limitations",
    "caveats and recommendations": "limitations", "out of scope use": "limitations",
    "out of scope uses": "limitations",
    "tradeoffs": "tradeoffs", "trade offs": "tradeoffs",
    "ethical considerations": "ethical_considerations", "ethics": "ethical_considerations",
    "risks": "ethical_considerations",
    "training data": "data", "evaluation data": "data", "data": "data", "datasets": "data",
}  # fmt: skip


def card_sections(card: str) -> dict[str, list[str]]:
    """card.md as {kind: [entries]}: a bulleted section gives one entry per bullet.

    Text before the first heading (other than a title) is the overview.
    """
    sections: dict[str, list[str]] = {}
    for _, kind, text in _raw_sections(card):
        if kind and text:
            sections.setdefault(kind, []).extend(_entries(text))
    return sections


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _raw_sections(card: str) -> list[tuple[str, str, str]]:
    """(heading, kind, body text) per section; a level-1 title starts no section."""
    found: list[tuple[str, str, list[str]]] = [("", "overview", [])]
    for line in card.splitlines():
        match = _HEADING.match(line)
        untouched = len(found) == 1 and not any(ln.strip() for ln in found[0][2])
        if match and len(match.group(1)) == 1 and untouched:
            continue  # the card's title
        if match:
            heading = match.group(2)
            found.append((heading, SECTIONS.get(_key(heading), ""), []))
        else:
            found[-1][2].append(line)
    return [(h, k, "\n".join(b).strip()) for h, k, b in found]


def _key(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


def _entries(text: str) -> list[str]:
    bullets = re.findall(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$", text, flags=re.MULTILINE)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if bullets and len(bullets) == len(lines):
        return [b.strip() for b in bullets]
    return [" ".join(text.split())]


def first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split()) if text.strip() else ""


def data_sections(card: str) -> list[tuple[str, str]]:
    """card.md's data sections, by heading ("Training data", "Evaluation data")."""
    return [(heading, text) for heading, kind, text in _raw_sections(card) if kind == "data"]
