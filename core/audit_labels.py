"""What the audit log calls each action: "新建组织" rather than ``org.create``.

Core labels its own actions (accounts, files, messages); each domain package contributes its
own through the hook ``audit.action_labels`` (a dict in its ``audit_labels.py``, declared in
its plugin.py), so core names no domain action. `tests/core/test_audit_labels.py` reads every
action string the code passes to the audit chain and fails on one without a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import hooks

LABELS = {
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.create_admin": _l("Administrator account created"),
    "user.grant": _l("Role granted"),
    "user.revoke": _l("Role revoked"),
    "user.password_changed": _l("Password changed"),
    "attachment.add": _l("File attached"),
    "attachment.withdraw": _l("File withdrawn"),
    "message.resent": _l("Message sent again"),
    "messages.channels_set": _l("Notification channels set"),
}


def all_labels() -> dict:
    """Every known action → its label (core's and every package's)."""
    return {**LABELS, **hooks.merged("audit.action_labels")}


def action_label(action: str) -> str:
    """The action in words; an action nobody labelled shows as it is (never hidden)."""
    label = all_labels().get(action)
    return str(label) if label is not None else action
