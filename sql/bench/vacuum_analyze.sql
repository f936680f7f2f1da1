-- Benchmark base database: fresh statistics and visibility map before it is copied.
VACUUM ANALYZE
