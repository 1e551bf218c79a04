"""Which records take files, declared by the packages that own them.

A package lists its kinds in `plugin.py` and offers the list to the hook
`attachments.kinds` (a contribution: `[AttachmentKind, …]`):

    ATTACHMENT_KINDS = [AttachmentKind("requests", "request", view="request.view",
                                       attach=("request.view",))]
    HOOKS = {"attachments.kinds": ["compounds.plugin:ATTACHMENT_KINDS"]}

`loader_kind` is the record's kind in core.loader (its URL converter and model); `view` is
the action that shows the record (and so its files); `attach` the actions of which any one
lets a user add files (the record's own form permission) — and withdraw them.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import hooks


@dataclass(frozen=True)
class AttachmentKind:
    #: the API's name: /api/v1/{name}/{id}/attachments
    name: str
    #: core.loader's kind of the record ("request", "credit_record", …)
    loader_kind: str
    view: str
    attach: tuple[str, ...]
    #: what the record is called on a page or in a PDF (lazy text)
    label: object = ""


def declared() -> dict[str, AttachmentKind]:
    """Every kind the packages declared, by API name; two packages may not claim one."""
    found: dict[str, AttachmentKind] = {}
    for contribution in hooks.contributions("attachments.kinds"):
        for kind in contribution:
            if found.get(kind.name, kind) != kind:
                raise ValueError(f"attachment kind {kind.name!r} declared twice")
            found[kind.name] = kind
    return found


def get(name: str) -> AttachmentKind | None:
    return declared().get(name)


def for_loader_kind(loader_kind: str) -> AttachmentKind | None:
    return next((k for k in declared().values() if k.loader_kind == loader_kind), None)
