SELECT CASE WHEN kind = 'live' THEN 'live' ELSE topic END AS kind, count(*), min(created_at),
       false AS dead
FROM outbox WHERE {open} GROUP BY 1
UNION ALL
SELECT CASE WHEN kind = 'live' THEN 'live' ELSE topic END, count(*), NULL, true
FROM outbox WHERE state = 'dead' GROUP BY 1
