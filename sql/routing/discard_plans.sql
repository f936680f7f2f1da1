-- Forgets the plans this server session has cached (its prepared statements
-- and the foreign-key checks' plans), so the next use plans them anew for the
-- tables as they are now. A routing connection sends it before writing a
-- batch much larger than any it wrote before (Statements::outgrown): a plan
-- cached while `signals` held a few rows (a follower that started on a
-- nearly empty table) scans the whole table for each of the batch's
-- foreign-key checks of venue_routing_history -> signals, which makes a
-- burst of 10 000 quadratic until autovacuum's next ANALYZE.
DISCARD PLANS
