"""The audit log: who did what, to whom, when and why, in plain words. Append-only."""
