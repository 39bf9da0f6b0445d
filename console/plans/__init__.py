"""Plans and metrics: what is sold and what is counted, and a customer's subscription to a
plan."""
