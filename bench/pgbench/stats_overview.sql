-- GET /api/v1/stats/overview?unit=U: SQL_OVERVIEW of api/stats.c. $1 :actor_unit, $2 NULL,
-- $3 :unit, $4 and $5 NULL (no from/to), $6 NULL (the units of today).
SELECT stats_overview(:actor_unit, NULL::uuid, :unit, NULL::date, NULL::date, NULL::date)::text;
