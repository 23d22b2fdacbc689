"""The pure rule deciding which message a visit needs today, run over whole windows."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from trial.followups.rules import SentMessage, next_message, stronger_status

OPENS = date(2014, 7, 1)
CLOSES = OPENS + timedelta(days=56)
DAYS = [OPENS + timedelta(days=n) for n in range(-3, 60)]


def simulate(reminder_days: list[int], dispatcher_up: set[date],
             mail_up: set[date]) -> list[tuple[str, int, date]]:
    """Passes on the days the dispatcher runs; queued messages go on the first pass the mail server is up."""
    planned = (OPENS + timedelta(days=n) for n in reminder_days)
    reminders_on = sorted({day for day in planned if day <= CLOSES})
    written: list[SentMessage] = []
    sent: list[tuple[str, int, date]] = []
    for day in DAYS:
        if day not in dispatcher_up:
            continue
        decision = next_message(OPENS, CLOSES, reminders_on, day, written)
        if decision is not None:
            assert OPENS <= day <= CLOSES
            written.append(SentMessage(*decision, status="pending", sent_on=None))
        if day in mail_up:
            for n, message in enumerate(written):
                if message.status == "pending":
                    written[n] = SentMessage(message.kind, message.sequence, "sent", day)
                    sent.append((message.kind, message.sequence, day))
    return sent


def test_with_daily_passes_the_invitation_and_each_reminder_go_on_their_days() -> None:
    every_day = set(DAYS)
    assert simulate([7, 14], every_day, every_day) == [
        ("invitation", 0, OPENS), ("reminder", 1, date(2014, 7, 8)), ("reminder", 2, date(2014, 7, 15))]


def test_after_a_dispatcher_pause_only_the_latest_due_reminder_goes() -> None:
    paused = {OPENS + timedelta(days=n) for n in range(6, 15)}
    sent = simulate([7, 14], set(DAYS) - paused, set(DAYS))
    assert sent == [("invitation", 0, OPENS), ("reminder", 2, OPENS + timedelta(days=15))]


def test_a_reminder_after_the_window_closes_is_never_written() -> None:
    every_day = set(DAYS)
    assert [kind for kind, _, _ in simulate([7, 70], every_day, every_day)] == ["invitation", "reminder"]


@given(reminder_days=st.lists(st.integers(0, 70), max_size=5),
       dispatcher_up=st.sets(st.sampled_from(DAYS)), mail_up=st.sets(st.sampled_from(DAYS)))
def test_whatever_is_down_a_visit_gets_at_most_one_message_a_day_in_protocol_order(
        reminder_days: list[int], dispatcher_up: set[date], mail_up: set[date]) -> None:
    sent = simulate(reminder_days, dispatcher_up, mail_up)
    days = [day for _, _, day in sent]
    assert days == sorted(set(days))                              # never two on one day
    assert all(kind == "invitation" for kind, _, _ in sent[:1])   # the invitation first
    sequences = [sequence for _, sequence, _ in sent]
    assert sequences == sorted(set(sequences))                    # each reminder once, in order
    planned = len({n for n in reminder_days if n <= 56})
    assert all(1 <= n <= planned for n in sequences[1:])


@given(dispatcher_up=st.sets(st.sampled_from(DAYS), min_size=1))
def test_with_the_mail_server_up_the_invitation_goes_on_the_first_pass_in_the_window(
        dispatcher_up: set[date]) -> None:
    in_window = sorted(d for d in dispatcher_up if OPENS <= d <= CLOSES)
    sent = simulate([7, 14], dispatcher_up, set(DAYS))
    assert [day for kind, _, day in sent if kind == "invitation"] == in_window[:1]


def test_a_stronger_status_replaces_a_weaker_one_and_not_the_other_way() -> None:
    assert stronger_status("active", "withdrawn-intervention") == "withdrawn-intervention"
    assert stronger_status("withdrawn-intervention", "withdrawn-follow-up") == "withdrawn-follow-up"
    assert stronger_status("withdrawn-follow-up", "withdrawn-intervention") == "withdrawn-follow-up"
    assert stronger_status("lost-to-follow-up", "died") == "died"
    assert stronger_status("withdrawn-all", "lost-to-follow-up") == "withdrawn-all"
