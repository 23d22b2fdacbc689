"""All models, imported here so the metadata is complete for Alembic and the drift test."""
from .audit import AuditEvent, AuditHead
from .base import Base
from .trial import Arm, ConsentDocument, Site, Trial, TrialVersion
from .user import Membership, Role, User, membership_site

__all__ = ["Arm", "AuditEvent", "AuditHead", "Base", "ConsentDocument", "Membership", "Role", "Site", "Trial",
           "TrialVersion", "User", "membership_site"]
