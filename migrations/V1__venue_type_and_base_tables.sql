-- Agent Where, migration 1: the `venue_t` enum with `MULTI`, and the Maxxit base tables.
--
-- On an existing Maxxit database this only adds the `MULTI` enum value: every
-- `CREATE` below is guarded and leaves existing objects alone. On an empty
-- database it creates minimal tables compatible with the Maxxit schema.
-- `MULTI` is used by later migrations only: PostgreSQL forbids using an enum
-- value in the transaction that added it.

DO $$
BEGIN
    IF to_regtype('venue_t') IS NULL THEN
        CREATE TYPE venue_t AS ENUM ('SPOT', 'GMX', 'HYPERLIQUID', 'OSTIUM', 'MULTI');
    END IF;
END
$$;

ALTER TYPE venue_t ADD VALUE IF NOT EXISTS 'MULTI';

CREATE TABLE IF NOT EXISTS agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_wallet text NOT NULL,
    name text NOT NULL,
    venue venue_t NOT NULL,
    profit_receiver_address text NOT NULL
);

CREATE TABLE IF NOT EXISTS signals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_symbol text NOT NULL,
    venue venue_t NOT NULL,
    side text NOT NULL,
    size_model jsonb NOT NULL,
    risk_model jsonb NOT NULL,
    source_tweets text[] DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    skipped_reason text
);

CREATE INDEX IF NOT EXISTS signals_agent_id_created_at_idx ON signals (agent_id, created_at);

CREATE TABLE IF NOT EXISTS venue_markets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue venue_t NOT NULL,
    token_symbol text NOT NULL,
    market_name text NOT NULL,
    market_index integer,
    is_active boolean NOT NULL DEFAULT true,
    min_position numeric(20, 8),
    max_leverage integer,
    "group" text,
    current_price numeric(20, 8),
    last_synced timestamptz NOT NULL DEFAULT now(),
    metadata jsonb,
    CONSTRAINT venue_markets_venue_token_symbol_key UNIQUE (venue, token_symbol)
);

CREATE INDEX IF NOT EXISTS venue_markets_venue_is_active_idx ON venue_markets (venue, is_active);
