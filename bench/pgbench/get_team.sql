-- GET /api/v1/teams/{id} as a district account: SQL_GET of api/teams.c.
-- $1 :actor_unit, $2 NULL, $3 :team (bench/run makes one copy of this file per team id).
SELECT team_doc(t)::text, t.version FROM teams t WHERE t.id = :team::uuid AND in_scope(:actor_unit, NULL::uuid, t.unit_code, t.enterprise_id);
