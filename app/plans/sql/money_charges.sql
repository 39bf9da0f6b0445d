SELECT c.plan_id, c.metric_id, c.model, c.unit_price, c.package_size, c.percentage, c.fixed_fee,
       c.free_units, c.free_events, c.min_per_transaction, c.max_per_transaction,
       c.pay_in_advance,
       coalesce(array_agg(t.up_to ORDER BY t.position) FILTER (WHERE t.id IS NOT NULL), '{}')
         AS up_to,
       coalesce(array_agg(t.unit_price ORDER BY t.position) FILTER (WHERE t.id IS NOT NULL), '{}')
         AS tier_prices,
       coalesce(array_agg(t.flat_fee ORDER BY t.position) FILTER (WHERE t.id IS NOT NULL), '{}')
         AS tier_fees,
       coalesce(array_agg(t.rate ORDER BY t.position) FILTER (WHERE t.id IS NOT NULL), '{}')
         AS tier_rates
FROM charges c LEFT JOIN charge_tiers t ON t.charge_id = c.id
WHERE c.pricing = 'money'
GROUP BY c.id
