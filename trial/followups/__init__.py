"""Follow-up (issue 7): the dispatcher that opens windows and sends invitations and reminders,
withdrawals and events, follow-up responses, randomization-date corrections, and the numbers
the follow-up pages show.

Other code calls these; each service flushes and the caller commits once.
"""
from .corrections import correct_randomization_date
from .dashboard import contact_history, followup_overview, needs_phone_call
from .dispatcher import PassReport, run_pass
from .events import erasure_requests, record_event, withdraw
from .responses import correct_response, record_response
from .scheduler import start_background_scheduler

__all__ = ["PassReport", "contact_history", "correct_randomization_date", "correct_response",
           "erasure_requests", "followup_overview", "needs_phone_call", "record_event", "record_response",
           "run_pass", "start_background_scheduler", "withdraw"]
