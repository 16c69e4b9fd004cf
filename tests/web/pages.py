"""What the page tests share: a signed-in client, and a small HTML tree to find what sits beside a field.

The tree is built with the standard library's ``html.parser`` so that the tests need no HTML package; it
is forgiving (a stray end tag is ignored) because it only has to read the pages prpath renders.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Protocol

from django.test import Client
from django.utils import timezone

from prpath.accounts.models import User

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# The classes of the element that holds one form field with its label, help and errors.
FIELD_CONTAINER_CLASSES = {"field", "symptom"}


def client_for(user: User | None, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    if user is not None:
        client.force_login(user)
    return client


class Response(Protocol):
    content: bytes


def body(response: Response) -> str:
    return response.content.decode()


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The element's text with runs of white space made single spaces."""
        parts: list[str] = []
        self._collect(parts)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                child._collect(parts)

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def field_container(html: str | bytes, *, name: str | None = None, id_: str | None = None) -> Element:
    """The element that holds the field (its label, input and errors): the nearest ``.field``/``.symptom``."""
    root = parse(html)
    if id_ is not None:
        inputs = root.find_all(id_=id_)
    else:
        assert name is not None
        inputs = [e for e in root.find_all(name=name) if e.tag in {"input", "select", "textarea"}]
    assert inputs, f"no form control {'#' + id_ if id_ else 'named ' + repr(name)} on the page"
    for ancestor in inputs[0].ancestors():
        if ancestor.classes & FIELD_CONTAINER_CLASSES:
            return ancestor
    raise AssertionError(f"the control {name or id_!r} sits in no element of class {FIELD_CONTAINER_CLASSES}")


def error_beside(html: str | bytes, *, name: str | None = None, id_: str | None = None) -> str:
    """The text of the field's container, after checking that it is marked as holding an error."""
    container = field_container(html, name=name, id_=id_)
    assert "field--error" in container.classes, (
        f"the field {name or id_!r} is not marked as in error: <{container.tag} class={container.attrs.get('class')!r}>"
    )
    return container.text()


def procedure_form(clinic: Any, operator: Any) -> dict[str, str]:
    """The procedure form as a physician fills it: an injection an hour ago, clinic time."""
    local = timezone.now().astimezone(zoneinfo.ZoneInfo(clinic.time_zone)) - dt.timedelta(hours=1)
    return {
        "performed_at": local.strftime("%Y-%m-%dT%H:%M"),
        "target": "facet_joint",
        "spinal_level": "L5-S1",
        "side": "left",
        "image_guidance": "fluoroscopy",
        "blood_drawn_ml": "30",
        "spin_protocol": "one spin",
        "platelet_concentration_x": "4",
        "leukocytes": "poor",
        "activation": "none",
        "volume_injected_ml": "2",
        "operator": str(operator.pk),
    }
