"""API keys and customer tokens: who is calling, and with which scopes."""

from app.access.auth import authenticate
from app.access.cache import KeyCache
from app.access.models import Scope
from app.access.service import Principal, create, is_active

__all__ = ["KeyCache", "Principal", "Scope", "authenticate", "create", "is_active"]
