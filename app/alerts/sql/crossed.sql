w AS (
  SELECT id, balance, reference_balance FROM wallets WHERE id = ANY(:ids)
),
t AS (
  SELECT a.wallet_id, a.kind, a.value FROM alert_thresholds a WHERE a.wallet_id = ANY(:ids)
  UNION ALL
  SELECT w.id, 'percent', d.value FROM w CROSS JOIN (VALUES {defaults}) AS d(value)
  WHERE NOT EXISTS (SELECT 1 FROM alert_settings s WHERE s.wallet_id = w.id)
  UNION ALL
  SELECT w.id, 'depleted', 0 FROM w
),
crossed AS (
  SELECT t.wallet_id, t.kind, t.value, w.balance, w.reference_balance,
         CASE t.kind WHEN 'percent' THEN w.reference_balance * t.value / 100
                     WHEN 'absolute' THEN t.value ELSE 0 END AS level
  FROM t JOIN w ON w.id = t.wallet_id
  WHERE CASE t.kind
          WHEN 'depleted' THEN w.balance <= 0
          WHEN 'percent' THEN w.reference_balance > 0
                              AND w.balance < w.reference_balance * t.value / 100
          ELSE w.balance < t.value
        END
),
rearmed AS (
  DELETE FROM alert_states s
  WHERE s.wallet_id = ANY(:ids) AND NOT EXISTS (
    SELECT 1 FROM crossed c
    WHERE c.wallet_id = s.wallet_id AND c.kind = s.kind AND c.value = s.value)
),
fired AS (
  INSERT INTO alert_states (wallet_id, kind, value, fired_at)
  SELECT wallet_id, kind, value, CAST(:now AS timestamptz) FROM crossed
  ON CONFLICT DO NOTHING
  RETURNING wallet_id, kind, value
)
