"""Console operators: people who log in to the web console, with a role (admin or viewer)."""

from app.operators.repository import by_email
from app.operators.service import create, reset_password

__all__ = ["by_email", "create", "reset_password"]
