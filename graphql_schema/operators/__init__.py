"""Console operators in the API: list, create, disable, enable (admin scope)."""
