SELECT w.id AS wallet_id, jsonb_build_object(
  'type', 'wallet.updated', 'coalesce', 'wallet.updated',
  'wallet_id', w.id, 'customer_id', w.customer_id, 'currency', w.currency,
  'balance', (w.balance - {balance_due})::text, 'debt', w.debt::text,
  'reference_balance', w.reference_balance::text,
  'entry', CASE WHEN e.id IS NOT NULL THEN jsonb_build_object(
    'id', e.id, 'kind', e.kind, 'credits', e.credits::text,
    'balance_after', e.balance_after::text, 'description', e.description,
    'metric_code', e.metric_code, 'units', e.units::text, 'unit_label', e.unit_label,
    'created_at', to_char(e.created_at AT TIME ZONE 'UTC', {utc_iso})) END,
  'expiring', (
    SELECT jsonb_agg(jsonb_build_array(
             to_char(x.at AT TIME ZONE 'UTC', {utc_iso}), x.credits::text) ORDER BY x.at)
    FROM (SELECT g.expires_at AS at, sum(g.remaining) AS credits FROM grants g
          WHERE g.wallet_id = w.id AND g.remaining > 0 AND g.expires_at > :now
          GROUP BY g.expires_at ORDER BY g.expires_at LIMIT {soon}) x),
  'committed_at', CAST(:committed_at AS text)) AS message
FROM wallets w
LEFT JOIN LATERAL (
  SELECT * FROM ledger_entries le WHERE le.wallet_id = w.id ORDER BY le.id DESC LIMIT 1
) e ON true
WHERE w.id = ANY(:ids)
