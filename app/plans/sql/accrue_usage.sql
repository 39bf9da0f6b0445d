UPDATE subscription_usage AS u SET accrued = t.a
FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::numeric[]) AS t(s, m, p, a)
WHERE u.subscription_id = t.s AND u.metric_id = t.m AND u.period_start = t.p
