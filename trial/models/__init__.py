"""All models, imported here so the metadata is complete for Alembic and the drift test."""
from .audit import AuditEvent, AuditHead
from .base import Base
from .enrollment import (
                         Allocation,
                         ApiToken,
                         Consent,
                         Participant,
                         ParticipantEvent,
                         Response,
                         Screening,
                         StratumCounter,
                         Visit,
)
from .followup import DataLock, LockedRecord, OutboxMessage, PaperEntry, QuestionnaireDraft, QuestionnaireLink
from .trial import Arm, ConsentDocument, Site, Trial, TrialVersion
from .user import Membership, Role, User, membership_site

__all__ = ["Allocation", "ApiToken", "Arm", "AuditEvent", "AuditHead", "Base", "Consent", "ConsentDocument",
           "DataLock", "LockedRecord", "Membership", "OutboxMessage", "PaperEntry", "Participant", "ParticipantEvent",
           "QuestionnaireDraft", "QuestionnaireLink", "Response", "Role", "Screening", "Site", "StratumCounter",
           "Trial", "TrialVersion", "User", "Visit", "membership_site"]
