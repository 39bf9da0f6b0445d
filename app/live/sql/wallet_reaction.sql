live_changed AS ({messages}),
live_written AS (
  SELECT tally_outbox_write('live', '{many}', jsonb_build_object('messages', jsonb_agg(
           jsonb_build_array('wallet:' || wallet_id, message) ORDER BY wallet_id)),
         :now, :now) AS id
  FROM live_changed HAVING count(*) > 0
)
