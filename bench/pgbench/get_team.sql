-- GET /api/v1/teams/{id} as a district account: SQL_GET of api/teams.c (the stored document).
-- $1 :actor_unit, $2 NULL, $3 :team (bench/run makes one copy of this file per team id).
SELECT coalesce((SELECT d.doc FROM team_documents d WHERE d.team_id = x.id           AND team_document_valid(d.fresh_from, d.fresh_until)), team_doc(x))::text, x.version FROM teams x WHERE x.id = :team::uuid AND in_scope(:actor_unit, NULL::uuid, x.unit_code, x.enterprise_id);
