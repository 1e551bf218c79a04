"""The compound's outbox page (the messages themselves live in core.messaging)."""
