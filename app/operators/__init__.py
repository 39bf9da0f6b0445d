"""Console operators: people who log in to the web console, with a role (admin or viewer)."""
