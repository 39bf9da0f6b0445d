UPDATE recharges SET status = 'failed', failure_reason = :reason, settled_at = :now,
                     updated_at = :now
WHERE id IN (
  SELECT r.id FROM recharges r
  WHERE r.rule_id IS NOT NULL AND r.status = 'pending' AND r.invoice_id IS NULL
    AND r.created_at <= :cutoff
    AND NOT EXISTS (SELECT 1 FROM outbox o
      WHERE o.{open} AND o.topic = 'recharge.start'
        AND o.payload ->> 'recharge_id' = r.id::text)
  ORDER BY r.id LIMIT :limit FOR UPDATE SKIP LOCKED
) RETURNING id
