UPDATE subscription_usage AS u SET billed = t.b, credits = u.credits + t.c
FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::numeric[], $5::numeric[])
  AS t(s, m, p, b, c)
WHERE u.subscription_id = t.s AND u.metric_id = t.m AND u.period_start = t.p
