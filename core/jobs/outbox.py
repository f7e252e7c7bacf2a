"""Notification outbox: rows written in the state change's own transaction, sent later.

A notification is therefore sent if and only if the change committed. ``dispatch_pending``
is the job that sends them (inline without Redis, on a worker with it); senders are
pluggable, the console sender prints for development.
"""
from __future__ import annotations

import logging

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.platform.clock import now
from core.platform.models import OutboxMessage

log = logging.getLogger(__name__)


_INSERT = insert(OutboxMessage.__table__)


def add(session: Session, *, event: str, recipient_kind: str, recipient: str, subject: str,
        body: str, application_id: int | None = None, channel: str = "sms") -> None:
    """Write one message in the caller's transaction.

    A plain INSERT, executed now (not an object left for the unit of work to flush): state
    changes write one or two messages each, and a flush costs several times a statement.
    """
    add_many(session, [{"event": event, "application_id": application_id,
                        "recipient_kind": recipient_kind, "recipient": recipient,
                        "channel": channel, "subject": subject, "body": body}])


def add_many(session: Session, messages: list[dict]) -> None:
    """Write several messages (each with :func:`add`'s arguments) in one round trip."""
    rows = [{"application_id": None, "channel": "sms", **m} for m in messages]
    if rows:  # (executemany costs more than a single execute for one row)
        session.execute(_INSERT, rows if len(rows) > 1 else rows[0])


class ConsoleSender:
    """Development sender: prints the message instead of sending an SMS."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, message: OutboxMessage) -> None:
        from core.platform.identifiers import mask_phone
        recipient = message.recipient or ""
        if message.channel == "sms" or recipient.isdigit():
            recipient = mask_phone(recipient)
        line = f"[通知 {message.channel} → {message.recipient_kind}:{recipient}] {message.subject}：{message.body}"
        if self.stream is not None:
            self.stream.write(line + "\n")
        else:
            log.info("%s", line)


SENDERS = {"console": ConsoleSender}


def dispatch_pending(quanke, *, limit: int = 200) -> int:
    """Send unsent messages, each marked sent in its own transaction (a worker dying mid-batch
    re-sends at most the message it was on). Returns how many were sent."""
    sender = SENDERS[quanke.config["NOTIFICATION_SENDER"]]()
    with quanke.db.session() as session:
        ids = session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
                              .order_by(OutboxMessage.id).limit(limit)).all()
    sent = 0
    for message_id in ids:
        with quanke.db.session() as session:
            stmt = select(OutboxMessage).where(OutboxMessage.id == message_id,
                                               OutboxMessage.sent_at.is_(None))
            if quanke.db.is_postgres:
                stmt = stmt.with_for_update(skip_locked=True)
            message = session.scalar(stmt)
            if message is None:
                continue  # another worker has it, or sent it already
            message.attempts += 1
            try:
                sender.send(message)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the rest
                message.last_error = repr(exc)[:500]
                log.warning("outbox message %s failed: %r", message.id, exc)
                continue
            message.sent_at = now()
            sent += 1
    return sent
