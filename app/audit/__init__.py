"""The audit log: who did what, to whom, when and why, in plain words. Append-only."""

from app.audit.models import ActorKind
from app.audit.service import Action, Actor, record

__all__ = ["Action", "Actor", "ActorKind", "record"]
