"""The catalog in the console: metrics, plans (charges, tiers, base fee, thresholds), bundles,
the signup bonus, webhook endpoints and payment methods. Admins edit — every change reviewed
before it is saved, through the GraphQL schema (which audits it) —; viewers read."""
