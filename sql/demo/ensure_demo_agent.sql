-- Creates the demo MULTI agent (fixed id) unless it exists. Returns a row only when it inserted.
INSERT INTO agents (id, creator_wallet, name, venue, profit_receiver_address)
VALUES ($1, '0x000000000000000000000000000000000000dEaD', 'Agent Where demo', 'MULTI',
        '0x000000000000000000000000000000000000dEaD')
ON CONFLICT (id) DO NOTHING
RETURNING id
