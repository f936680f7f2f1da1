-- Benchmark: start a measurement from a clean checkpoint (needs superuser or pg_checkpoint).
CHECKPOINT
