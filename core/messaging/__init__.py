"""Reaching people (the outbox): every message to anyone is a row — in-app, e-mail or SMS —
written in the same transaction as the event that causes it; external channels are sent by
the queue's consumer. `notify` is the one way a package says something to someone."""
