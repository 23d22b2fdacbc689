"""Dataset exports of a locked trial: plain data in, ZIP bytes out.

A view or command builds a `DatasetSpec` and row sources from a lock snapshot and calls
`write_lock_export` with a binary stream; nothing here touches the web app or the database.
"""
from __future__ import annotations

from .archive import MANIFEST, MANIFEST_JSON, ManifestEntry, verify_manifest
from .dataset import PARTICIPANT_ID, TIMEPOINT, DatasetSpec, Variable, check_name
from .errors import ExportError, IdentifierRefused
from .identifiers import refuse_direct_identifiers, suggests_identifier
from .layout import codebook_variables, long_variables, wide_variables
from .linkage import write_linkage_key
from .lock_export import FORMATS, ExportFormat, write_lock_export

__all__ = [
    "FORMATS",
    "MANIFEST",
    "MANIFEST_JSON",
    "PARTICIPANT_ID",
    "TIMEPOINT",
    "DatasetSpec",
    "ExportError",
    "ExportFormat",
    "IdentifierRefused",
    "ManifestEntry",
    "Variable",
    "check_name",
    "codebook_variables",
    "long_variables",
    "refuse_direct_identifiers",
    "suggests_identifier",
    "verify_manifest",
    "wide_variables",
    "write_linkage_key",
    "write_lock_export",
]
