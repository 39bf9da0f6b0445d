due AS ({startable}),
started AS (
  INSERT INTO recharges (wallet_id, rule_id, trigger, credits, bonus_credits, discount_percent,
                         status, created_at, updated_at)
  SELECT wallet_id, rule_id, trigger, credits, 0, discount_percent, 'pending', :now, :now
  FROM due WHERE credits > 0 ORDER BY wallet_id
  ON CONFLICT (wallet_id) WHERE rule_id IS NOT NULL AND status = 'pending' DO NOTHING
  RETURNING id, rule_id
),
cooled AS (
  UPDATE recharge_rules SET last_triggered_at = :now, updated_at = :now
  FROM started WHERE recharge_rules.id = started.rule_id
)
