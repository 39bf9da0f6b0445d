UPDATE payments SET updated_at = :now WHERE id IN (
  SELECT p.id FROM payments p
  WHERE p.status IN ('pending', 'processing') AND p.updated_at <= :cutoff
    AND NOT EXISTS (SELECT 1 FROM outbox o
      WHERE o.{open} AND o.topic IN ('{charge}', '{refresh}')
        AND o.payload ->> 'payment_id' = p.id::text)
  ORDER BY p.id LIMIT :limit FOR UPDATE SKIP LOCKED
) RETURNING id
