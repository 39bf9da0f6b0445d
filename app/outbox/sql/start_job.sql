UPDATE outbox SET state = 'running', started_at = :now, runs = runs + 1,
                  available_at = :lease_until
WHERE id = :id AND kind = 'job' AND (state IN ('pending', 'relayed')
  OR (state = 'running' AND available_at <= :now))
RETURNING runs
