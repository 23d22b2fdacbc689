"""A participant's way through an online questionnaire: the draft (save and resume) and the submission.

The questionnaire of a visit is its timepoint's instruments (protocol order) less any already
recorded for it (a paper form entered by staff wins; its instrument is not asked again). Answers
so far live sealed in one QuestionnaireDraft per visit with the step to resume at. Submitting
scores every instrument, stores one sealed Response each, completes the visit, spends the link,
deletes the draft and writes one audit entry - all in the caller's one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit, clock
from ..errors import InvalidInput
from ..extensions import db
from ..forms.questionnaire import Answers, Part, Question, QuestionnaireForm, questionnaire_form
from ..models import QuestionnaireDraft, QuestionnaireLink, Response, Visit
from ..protocol import Protocol, current_protocol
from ..questionnaires import instrument_for, score
from ..sealing import seal_json, unseal_json
from .responses import complete_if_all_recorded, store_response
from .texts import instrument_texts

ACTOR = "participant-link"     # audit actor for what a participant does through a link (no personal data)


@dataclass
class Journey:
    link: QuestionnaireLink
    protocol: Protocol
    form: QuestionnaireForm
    draft: QuestionnaireDraft | None
    answers: Answers

    @property
    def visit(self) -> Visit:
        return self.link.visit

    def summary(self) -> list[tuple[Part, list[tuple[Question, int, object]]]]:
        """For the review page: each part's asked questions with their page number and answer."""
        asked, pages = set(self.form.asked(self.answers)), iter(range(1, len(self.form.questions) + 1))
        return [(part, [(q, number, self.answers.get(part.code, {}).get(q.code))
                        for q, number in zip(part.questions, pages, strict=False) if number - 1 in asked])
                for part in self.form.parts]

    @property
    def resume_step(self) -> int:
        """Index into form.questions to resume at; len(questions) means the review page."""
        return min(self.draft.step, len(self.form.questions)) if self.draft is not None else 0


def recorded_instruments(visit: Visit) -> set[str]:
    screening_id = visit.participant.screening_id
    return set(db.session.scalars(select(Response.instrument).where(
        Response.screening_id == screening_id, Response.timepoint == visit.timepoint)))


def remaining_instruments(p: Protocol, visit: Visit) -> list[str]:
    timepoint = p.timepoint(visit.timepoint)
    recorded = recorded_instruments(visit)
    return [code for code in (timepoint.instruments if timepoint else ()) if code not in recorded]


def open_journey(link: QuestionnaireLink, language: str) -> Journey:
    p = current_protocol(link.participant.trial)
    definitions = [instrument_for(p, code) for code in remaining_instruments(p, link.visit)]
    form = questionnaire_form(definitions, language, instrument_texts())
    draft = db.session.scalars(select(QuestionnaireDraft).where(
        QuestionnaireDraft.visit_id == link.visit_id)).one_or_none()
    saved = unseal_json(draft, "answers") if draft is not None else {}
    return Journey(link, p, form, draft, form.pruned(saved or {}))


def save_draft(journey: Journey, answers: Answers, step: int) -> None:
    draft = journey.draft
    if draft is None:
        draft = QuestionnaireDraft(visit_id=journey.link.visit_id)
        db.session.add(draft)
        journey.draft = draft
    seal_json(draft, "answers", answers)
    draft.step, draft.language, draft.updated_at = step, journey.form.language, clock.now()
    journey.answers = answers
    db.session.flush()


def remember_language(journey: Journey | None, link: QuestionnaireLink, language: str) -> None:
    """The participant's choice of language, kept on the screening (and the draft) for next time."""
    link.participant.screening.language = language
    if journey is not None and journey.draft is not None:
        journey.draft.language = language
    db.session.flush()


def submit(journey: Journey) -> list[Response]:
    """Store the answers as Responses and complete the visit; InvalidInput if none were given."""
    if not any(journey.answers.get(part.code) for part in journey.form.parts):
        raise InvalidInput("no answers", errors={"answers": "answer at least one question"})
    link, visit = journey.link, journey.visit
    participant = link.participant
    today = clock.today(participant.trial.timezone)
    scored = [score(journey.protocol, part.code, journey.answers.get(part.code, {}))
              for part in journey.form.parts]
    responses = [store_response(participant, visit, instrument, answers, scores, mode="online",
                                completed_on=today, actor=ACTOR) for instrument, answers, scores in scored]
    complete_if_all_recorded(journey.protocol, visit, "online")
    link.used_at = clock.now()
    audit.record(db.session, actor=ACTOR, action="questionnaire.submitted", trial_code=participant.trial.code,
                 entity=f"participant:{participant.code}",
                 details={"timepoint": visit.timepoint, "mode": "online",
                          "instruments": [part.code for part in journey.form.parts]})
    db.session.flush()
    return responses
