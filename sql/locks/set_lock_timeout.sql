-- Bounds every lock wait of the current transaction to $1 milliseconds (lock_timeout, transaction
-- scope): a wait beyond it fails with SQLSTATE 55P03 instead of hanging.
SELECT set_config('lock_timeout', $1::text, true) AS lock_timeout
