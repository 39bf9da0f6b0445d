from app.errors import Conflict, NotFound, ValidationFailed

__all__ = ["Conflict", "NotFound", "ValidationFailed"]
