SELECT b.id, b.usage_minor, b.billed_minor, b.level_minor
FROM billing_periods b
WHERE b.subscription_id = $1 AND b.closed_at IS NULL
  AND b.period_start <= $2 AND $2 < b.period_end
FOR UPDATE
