"""Data locks: immutable, content-hashed snapshots of a trial's data, and their exports.

`service` creates and ends locks (`lock_in_force(trial)` tells correction services to demand a
reason); `snapshot` reads the covered records; `compare` lists post-lock changes and differences
between versions; `dataset` turns a lock into what `trial.exports` writes; `views` holds the pages
(blueprint `bp`) and `trial.api.datalocks` the API routes.
"""
from __future__ import annotations

from .compare import Changes, compare_locks, post_lock_changes
from .service import create_lock, lock_in_force, locks_of, supersede, unlock
from .views import bp

__all__ = ["Changes", "bp", "compare_locks", "create_lock", "lock_in_force", "locks_of", "post_lock_changes",
           "supersede", "unlock"]
