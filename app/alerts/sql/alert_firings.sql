INSERT INTO alert_firings (wallet_id, kind, value, level, balance, reference_balance, fired_at)
SELECT c.wallet_id, c.kind, c.value, c.level, c.balance, c.reference_balance,
       CAST(:now AS timestamptz)
FROM fired f JOIN crossed c
  ON c.wallet_id = f.wallet_id AND c.kind = f.kind AND c.value = f.value
ORDER BY c.wallet_id, c.level DESC
RETURNING id, wallet_id, kind, value, level, balance, reference_balance, fired_at
