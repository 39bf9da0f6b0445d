-- A wallet's period boundaries from :anchor every :months months: the next one after :now.
WITH first_ AS (
  SELECT min(i) AS k FROM generate_series(greatest(1, :guess - 2), :guess + 2) i
  WHERE (CAST(:anchor AS timestamptz) AT TIME ZONE 'UTC' + make_interval(months => i * :months))
        AT TIME ZONE 'UTC' > :now
)
UPDATE wallets
   SET period_anchor = :anchor, period_months = :months, boundary_index = first_.k,
       next_boundary = (CAST(:anchor AS timestamptz) AT TIME ZONE 'UTC'
                        + make_interval(months => first_.k * :months)) AT TIME ZONE 'UTC'
  FROM first_
 WHERE id = :wallet
RETURNING next_boundary
