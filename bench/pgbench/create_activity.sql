-- POST /api/v1/activities as a commune account: the request's statements as the server runs them
-- (api/router.c run_route, api/resource.c resource_create): BEGIN, the checks (SQL_CHECKS of
-- api/activities.c), SQL_INSERT, the audit row with the answer read back (api/audit.c
-- SQL_INSERT_THEN around SQL_GET), COMMIT. The server sends them in two exchanges (BEGIN, the
-- checks and the INSERT in one; the audit row, the read-back and COMMIT in the other); pgbench
-- sends one statement at a time, as it needs the new id for the audit row.
-- $1 :actor_unit, $2 NULL, $3 :body (the JSON text the server passes on); audit: :actor
-- (username), :actor_id (user id). bench/run makes one copy per team id.
BEGIN;
SELECT * FROM activity_checks(:actor_unit, NULL::uuid, :body::jsonb, NULL::uuid);
INSERT INTO activities (external_id, team_id, held_on, kind, title, location, people_reached,                        outcomes, note) SELECT x.external_id, x.team_id, x.held_on, x.kind, x.title, x.location,        coalesce(x.people_reached, 0), coalesce(x.outcomes, '{}'), x.note   FROM jsonb_populate_record(NULL::activities, :body::jsonb) x   JOIN teams t ON t.id = x.team_id AND in_scope(:actor_unit, NULL::uuid, t.unit_code, t.enterprise_id) RETURNING id AS new_id, (SELECT unit_code FROM teams WHERE id = team_id) AS new_unit,           (SELECT enterprise_id FROM teams WHERE id = team_id) AS new_enterprise
\gset
WITH audited AS (INSERT INTO audit (actor, actor_id, action, resource, resource_id, unit_code, enterprise_id, changes) VALUES (:actor, :actor_id::uuid, 'create', 'activities', :new_id, :new_unit, NULL::uuid, :body::jsonb)) SELECT activity_doc(a)::text, a.version FROM activities a JOIN teams t ON t.id = a.team_id WHERE a.id = :new_id::uuid AND in_scope(:actor_unit, NULL::uuid, t.unit_code, t.enterprise_id);
COMMIT;
