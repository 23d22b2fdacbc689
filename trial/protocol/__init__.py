"""Protocol files: validation, loading from disk, and storing as versioned trial definitions."""
from .fields import ProtocolError
from .loader import LoadedProtocol, load_file
from .schema import Protocol, parse
from .store import StoreResult, current_protocol, store

__all__ = ["LoadedProtocol", "Protocol", "ProtocolError", "StoreResult", "current_protocol", "load_file", "parse",
           "store"]
