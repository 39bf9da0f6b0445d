INSERT INTO invoice_sequences (series, last_number) VALUES (:series, 1) ON CONFLICT (series) DO UPDATE SET last_number = invoice_sequences.last_number + 1 RETURNING last_number
