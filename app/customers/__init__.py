"""Customers: who is billed, found by the external id the product knows them by."""

from app.customers.models import Customer
from app.customers.repository import by_external_id, get_by_external_id, lock
from app.customers.service import EMAIL, CustomerInput, create

__all__ = [
    "EMAIL",
    "Customer",
    "CustomerInput",
    "by_external_id",
    "create",
    "get_by_external_id",
    "lock",
]
