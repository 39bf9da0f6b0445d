SELECT id FROM subscriptions WHERE status <> 'terminated' AND (next_billing_at <= :now OR next_billing_at IS NULL) ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED
