  SELECT r.id AS rule_id, r.wallet_id, r.trigger, r.discount_percent,
         CASE WHEN r.method = 'fixed' THEN r.credits ELSE r.credits - w.balance END AS credits
  FROM recharge_rules r JOIN wallets w ON w.id = r.wallet_id
  WHERE r.wallet_id = ANY(:ids) AND r.enabled AND {condition}
