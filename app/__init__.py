"""Tally: the domain and its persistence. Knows nothing of GraphQL, NiceGUI or Dramatiq."""
