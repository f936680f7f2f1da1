-- Agent Where, migration 8: the venues Aevo and Lighter.
--
-- Purely additive, on an empty database and on a Maxxit one alike: `ADD VALUE IF
-- NOT EXISTS` appends each label once (GMX is a Maxxit label already) and is
-- harmless when run again. refinery runs this file in one transaction;
-- PostgreSQL forbids *using* a value in the transaction that added it, and
-- nothing here does: rows for the new venues are written by their syncs, in
-- later transactions.
--
-- The view `routing_decisions` needs no change for them: since migration 7 it
-- reads the venue labels from `venue_t` itself (`enum_range(NULL::venue_t)`)
-- instead of V3's literal list.

ALTER TYPE venue_t ADD VALUE IF NOT EXISTS 'AEVO';
ALTER TYPE venue_t ADD VALUE IF NOT EXISTS 'LIGHTER';
