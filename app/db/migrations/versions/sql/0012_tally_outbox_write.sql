CREATE OR REPLACE FUNCTION tally_outbox_write(
  p_kind text, p_topic text, p_payload jsonb, p_created_at timestamptz,
  p_available_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  written bigint;
BEGIN
  INSERT INTO outbox (kind, topic, payload, created_at, available_at, attempts)
  VALUES (p_kind, p_topic, p_payload, p_created_at, p_available_at, 0)
  RETURNING id INTO written;
  -- Delivered at commit only (and once per transaction, however many rows it wrote): the
  -- relay's LISTEN hands the rows on within milliseconds of the commit.
  PERFORM pg_notify('tally_outbox', '');
  RETURN written;
END
$fn$
