-- bench-routing --follow: inserts $2 pending MULTI signals for agent $1 created now, cycling
-- through the token mix $3, in one statement (one signal of the arrival process, or the burst).
-- Returns their ids.
INSERT INTO signals (agent_id, token_symbol, venue, side, size_model, risk_model)
SELECT $1,
       ($3::text[])[1 + (i % cardinality($3::text[]))],
       'MULTI',
       CASE WHEN i % 3 = 0 THEN 'SHORT' ELSE 'LONG' END,
       jsonb_build_object('type', 'balance-percentage', 'value', 5, 'leverage', 1 + (i % 5)),
       jsonb_build_object('stopLoss', 0.05, 'takeProfit', 0.10)
FROM generate_series(0, $2::bigint - 1) AS i
RETURNING id
