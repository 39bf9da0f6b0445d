SELECT b.id, b.usage_minor, b.billed_minor, b.level_minor
FROM subscriptions s
JOIN billing_periods b ON b.subscription_id = s.id
WHERE s.plan_id = $1 AND s.threshold_amounts IS NULL AND s.status <> 'terminated'
  AND b.closed_at IS NULL AND b.period_start <= $2 AND $2 < b.period_end
ORDER BY b.subscription_id, b.period_start
FOR UPDATE OF b
