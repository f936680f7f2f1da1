-- The database clock: the instant every relative window bound and age is measured from.
SELECT now() AS now
