-- Whether the hold of `setup-agent-where --hold-multi on` is installed and
-- enabled on `signals` (a trigger disabled by hand holds nothing).
SELECT EXISTS (
    SELECT 1
    FROM pg_trigger AS t
    WHERE t.tgrelid = to_regclass('signals')
      AND t.tgname = 'agent_where_hold_multi'
      AND NOT t.tgisinternal
      AND t.tgenabled <> 'D'
) AS hold_multi
