"""Follow-up rules that need no database: which message a visit needs today, and which status wins.

Pure (standard library only, no clock): the dispatcher passes the trial's local date and what it
already wrote for the visit, so the same inputs always give the same decision and a second pass
on the same day decides nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["FINAL_STATUSES", "FOLLOWED_STATUSES", "OUTSTANDING", "STOPS_FOLLOW_UP", "SentMessage",
           "next_message", "stronger_status"]

# Participant statuses of the contract (interfaces section 6) and what each means for contact.
FOLLOWED_STATUSES = ("active", "withdrawn-intervention")      # intention to treat: still invited
STOPS_FOLLOW_UP = ("withdrawn-follow-up", "withdrawn-all", "died", "lost-to-follow-up")
FINAL_STATUSES = ("withdrawn-all", "died")                     # nothing may be recorded after these
# A later event replaces the status only when it is stronger; the order follows how much contact it
# stops, and on a tie CONSORT's "more definitive" order (trial/consort/compute.py).
_STRENGTH = {"active": 0, "withdrawn-intervention": 1, "lost-to-follow-up": 2, "withdrawn-follow-up": 3,
             "withdrawn-all": 4, "died": 5}

# Outbox states in which a message may still go out.
OUTSTANDING = ("pending", "sending")


@dataclass(frozen=True)
class SentMessage:
    """What the rule needs to know about one message already written for a visit."""

    kind: str               # "invitation" | "reminder"
    sequence: int           # 0 for the invitation, n for the n-th reminder of the protocol
    status: str             # outbox status: pending, sending, sent, failed, cancelled, no-address
    sent_on: date | None    # the trial's local date it went out, if it did


def stronger_status(current: str, new: str) -> str:
    """The participant's status after an event of kind `new`: the stronger of the two."""
    return new if _STRENGTH[new] > _STRENGTH[current] else current


def next_message(opens_on: date, closes_on: date, reminders_on: Sequence[date], today: date,
                 existing: Iterable[SentMessage]) -> tuple[str, int] | None:
    """The (kind, sequence) a visit whose window is open needs today, or None.

    - The invitation goes as soon as the window is open.
    - A reminder goes on its day only after an earlier message was actually sent, and only one
      at a time: while anything is still queued nothing new is written.
    - Catching up never sends a burst: after a pause (dispatcher or mail server down) only the
      latest reminder that is due is written, and only if its day came after the last message
      went out, so a late invitation is not followed by a reminder on the same day.
    - No reminders follow an invitation that could not be sent (no address, refused, cancelled).
    """
    if not opens_on <= today <= closes_on:
        return None
    messages = list(existing)
    if not any(m.kind == "invitation" for m in messages):
        return ("invitation", 0)
    if any(m.status in OUTSTANDING for m in messages):
        return None
    sent = [m.sent_on for m in messages if m.status == "sent" and m.sent_on is not None]
    if not sent:
        return None
    last_contact = max(sent)
    written = max((m.sequence for m in messages if m.kind == "reminder"), default=0)
    due = [n for n, day in enumerate(reminders_on, start=1) if written < n and last_contact < day <= today]
    return ("reminder", max(due)) if due else None
