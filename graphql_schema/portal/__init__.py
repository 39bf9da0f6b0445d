"""The customer portal in the API: signed, expiring links for one customer."""
