-- 55_team_documents: every team's document kept built (020_h14_team_documents.sql).
--
-- team_doc(t) (25_documents.sql) stays the one definition of a team's document; what is
-- stored is its text as built by the transaction that last changed something it is built from:
--   - the team itself (insert, update; a deleted team's document goes with it);
--   - its members (insert; update of what the document reads; delete): member_count, leader,
--     compliance;
--   - the structure rules of its province (rules_of, 20_rules.sql): the province's own rows, or
--     the defaults for a province without;
--   - the province its unit lies in (unit_province: units.ancestors[1]), when a unit moves to
--     another province.
-- A unit's new key (unit_pass_code) reaches the team as an update of its unit_code, and rebuilds.
--
-- Two writers at once. Each trigger first locks the stored rows it rebuilds (in one order), then
-- builds them in a statement of its own: in READ COMMITTED that statement's snapshot is taken
-- after the lock, so it sees what every writer it waited for committed. Of two transactions that
-- change one team's members at the same moment, the second to take the lock builds from both.
--
-- Time. A member counts until its left_on (active_members: current_date). A stored document holds
-- from the latest left_on of the team on or before the day it was built to before the first one
-- after it (fresh_from, fresh_until); on another day team_document_valid() is false and a reader
-- builds the document afresh, as without the store.
--
-- Unit figures. With the documents, each commune's team figures are kept in unit_team_figures
-- (023_h14_unit_team_figures.sql): its active teams, the compliant ones, their active members and
-- those trained, summed from the stored documents, and the distinct hamlets of its active teams
-- (teams.hamlet_key; 026_overview_unit_totals.sql), in the same statement, under the same kind of
-- lock (a unit's row after its teams' documents, so every writer locks in one order). They hold on
-- the days all those documents hold; stats_overview (40_stats.sql) reads them for today's units.
--
-- Readers: the API reads coalesce(the stored document if valid, team_doc(t)) (api/teams.c), so
-- a team whose document is missing (a bulk load that skipped the triggers) is still answered
-- right. team_documents_sync() builds the missing ones, and rebuilds all when a definition they
-- depend on changed; the server runs it after every migration (95_derived.sql).

-- Is a stored document with these bounds the one of today?
CREATE OR REPLACE FUNCTION team_document_valid(fresh_from date, fresh_until date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (fresh_from IS NULL OR fresh_from <= current_date) AND (fresh_until IS NULL OR current_date < fresh_until)
$$;

-- Builds the stored documents of these teams (those no longer there are skipped), then the
-- figures of their units and of p_units (units a team left). In the zone the server's connections
-- read in (db/pool.c), whoever writes: a document's timestamps and the day its members are counted
-- on are those of Vietnam.
CREATE OR REPLACE FUNCTION team_documents_refresh(p_teams uuid[], p_units text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql SET TimeZone = 'Asia/Ho_Chi_Minh' AS $$
BEGIN
    IF p_teams IS NULL OR cardinality(p_teams) = 0 THEN
        PERFORM unit_team_figures_refresh(p_units);
        RETURN;
    END IF;
    -- A row to lock for each (a new team's is seen by this transaction only, until it commits).
    INSERT INTO team_documents (team_id, doc)
    SELECT t.id, '{}' FROM teams t WHERE t.id = ANY (p_teams) ORDER BY t.id
    ON CONFLICT (team_id) DO NOTHING;
    PERFORM 1 FROM team_documents WHERE team_id = ANY (p_teams) ORDER BY team_id FOR UPDATE;
    -- A new statement, hence a new snapshot: what the writers waited for committed is seen.
    UPDATE team_documents d SET doc = team_doc(t), fresh_from = f.lo, fresh_until = f.hi,
                                members_trained = f.trained
      FROM teams t,
           LATERAL (SELECT max(m.left_on) FILTER (WHERE m.left_on <= current_date) AS lo,
                           min(m.left_on) FILTER (WHERE m.left_on > current_date) AS hi,
                           count(*) FILTER (WHERE m.trained_on IS NOT NULL
                                              AND (m.left_on IS NULL OR m.left_on > current_date)) AS trained
                      FROM members m WHERE m.team_id = t.id) f
     WHERE d.team_id = t.id AND t.id = ANY (p_teams);
    PERFORM unit_team_figures_refresh(ARRAY(SELECT t.unit_code FROM teams t WHERE t.id = ANY (p_teams)
                                            UNION SELECT unnest(p_units)));
END $$;

-- Sums the team figures of these units from their teams' stored documents.
CREATE OR REPLACE FUNCTION unit_team_figures_refresh(p_units text[]) RETURNS void LANGUAGE plpgsql
SET TimeZone = 'Asia/Ho_Chi_Minh' AS $$
BEGIN
    IF p_units IS NULL OR cardinality(p_units) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO unit_team_figures (unit_code)
    SELECT u.code FROM units u WHERE u.code = ANY (p_units) ORDER BY u.code
    ON CONFLICT (unit_code) DO NOTHING;
    PERFORM 1 FROM unit_team_figures WHERE unit_code = ANY (p_units) ORDER BY unit_code FOR UPDATE;
    -- A new statement, hence a new snapshot, as above.
    UPDATE unit_team_figures f
       SET teams_active = x.active, teams_compliant = x.compliant, members_active = x.members,
           members_trained = x.trained, hamlets_with_team = x.hamlets, fresh_from = x.lo,
           fresh_until = CASE WHEN x.missing THEN '-infinity' ELSE x.hi END
      FROM (SELECT u.code,
                   count(*) FILTER (WHERE a.active) AS active,
                   count(*) FILTER (WHERE a.active AND (d.doc -> 'compliance' ->> 'ok')::boolean) AS compliant,
                   coalesce(sum((d.doc ->> 'member_count')::bigint) FILTER (WHERE a.active), 0) AS members,
                   coalesce(sum(d.members_trained) FILTER (WHERE a.active), 0) AS trained,
                   count(DISTINCT t.hamlet_key) FILTER (WHERE a.active AND t.hamlet_key <> '') AS hamlets,
                   max(d.fresh_from) FILTER (WHERE a.active) AS lo,
                   min(d.fresh_until) FILTER (WHERE a.active) AS hi,
                   bool_or(a.active AND d.team_id IS NULL) AS missing
              FROM unnest(p_units) u (code)
              LEFT JOIN teams t ON t.unit_code = u.code
              LEFT JOIN team_documents d ON d.team_id = t.id,
                   LATERAL (SELECT t.status = 'active' AS active) a
             GROUP BY u.code) x
     WHERE f.unit_code = x.code;
END $$;

-- The teams whose compliance is judged by the rules of these provinces ('' the defaults: every
-- province without rules of its own).
CREATE OR REPLACE FUNCTION teams_under_rules_of(p_provinces text[]) RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT ARRAY(
        SELECT t.id FROM teams t JOIN units u ON u.code = t.unit_code
         WHERE u.ancestors[1] = ANY (p_provinces)
            OR ('' = ANY (p_provinces)
                AND NOT EXISTS (SELECT 1 FROM structure_rules r WHERE r.province_code = u.ancestors[1])))
$$;

-- Teams: the rows written, and the units they left (moved, or deleted with their documents).
CREATE OR REPLACE FUNCTION teams_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM team_documents_refresh(ARRAY(SELECT n.id FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM team_documents_refresh('{}', ARRAY(SELECT DISTINCT o.unit_code FROM old_rows o));
    ELSE
        PERFORM team_documents_refresh(ARRAY(SELECT n.id FROM new_rows n),
                                       ARRAY(SELECT DISTINCT o.unit_code FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;

-- Members: the teams of the rows written; of an update, only where it changed what the document
-- reads (team, name, position, affiliation, IT skills, the days joined and left).
CREATE OR REPLACE FUNCTION members_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM team_documents_refresh(ARRAY(SELECT DISTINCT n.team_id FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM team_documents_refresh(ARRAY(SELECT DISTINCT o.team_id FROM old_rows o));
    ELSE
        PERFORM team_documents_refresh(ARRAY(
            SELECT x.team_id
              FROM new_rows n JOIN old_rows o ON o.id = n.id,
                   LATERAL (VALUES (n.team_id), (o.team_id)) x (team_id)
             WHERE (n.team_id, n.full_name, n.position, n.affiliation, n.it_skilled, n.joined_on, n.left_on)
                   IS DISTINCT FROM
                   (o.team_id, o.full_name, o.position, o.affiliation, o.it_skilled, o.joined_on, o.left_on)
             GROUP BY x.team_id));
    END IF;
    RETURN NULL;
END $$;

-- Rules: the teams of the provinces whose rows the statement wrote (rare: PUT /rules), the source
-- of their codes picked by event (a trigger's transition tables are named by its event).
CREATE OR REPLACE FUNCTION structure_rules_documents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    provinces text[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT x.province_code) FROM (%s) x',
                   CASE TG_OP WHEN 'INSERT' THEN 'SELECT province_code FROM new_rows'
                              WHEN 'DELETE' THEN 'SELECT province_code FROM old_rows'
                              ELSE 'SELECT province_code FROM new_rows UNION ALL SELECT province_code FROM old_rows' END)
       INTO provinces;
    PERFORM team_documents_refresh(teams_under_rules_of(provinces));
    RETURN NULL;
END $$;

-- Units: the teams of a unit that moved to another province (its subtree's rows follow, each by
-- the update units_reroot_children makes).
CREATE OR REPLACE FUNCTION units_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM team_documents_refresh(ARRAY(
        SELECT t.id FROM new_rows n JOIN old_rows o ON o.code = n.code JOIN teams t ON t.unit_code = n.code
         WHERE n.ancestors[1] IS DISTINCT FROM o.ancestors[1]));
    RETURN NULL;
END $$;

-- Statement-level (an import of many members rebuilds each team once; 01_triggers.sql). Names
-- sort after the feed's and before team_setup's (triggers of one event fire in name order), so
-- every writer takes its locks in the same order.
SELECT statement_triggers('teams', 'teams_documents', 'teams_documents', '{insert,update,delete}');
SELECT statement_triggers('members', 'members_documents', 'members_documents', '{insert,update,delete}');
SELECT statement_triggers('structure_rules', 'structure_rules_documents', 'structure_rules_documents',
                          '{insert,update,delete}');
SELECT statement_triggers('units', 'units_documents', 'units_documents', '{update}');

-- A fingerprint of the definitions a stored document and the unit figures are built by.
CREATE OR REPLACE FUNCTION team_documents_fingerprint() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT md5(string_agg(pg_get_functiondef(f), E'\n' ORDER BY f::text) || pg_get_viewdef('active_members'::regclass))
      FROM unnest(ARRAY['team_doc(teams)'::regprocedure, 'team_compliance(uuid)'::regprocedure,
                        'team_member_count(uuid)'::regprocedure, 'rules_of(text)'::regprocedure,
                        'unit_province(text)'::regprocedure, 'team_documents_refresh(uuid[], text[])'::regprocedure,
                        'unit_team_figures_refresh(text[])'::regprocedure]) f
$$;

-- Builds the documents of teams that have none (and their units' figures), or all of them when a
-- definition they are built by changed since they were. Returns how many it built.
CREATE OR REPLACE FUNCTION team_documents_sync() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    fp text := team_documents_fingerprint();
    ids uuid[];
BEGIN
    IF fp IS DISTINCT FROM (SELECT b.fingerprint FROM team_documents_built b) THEN
        ids := ARRAY(SELECT t.id FROM teams t);
    ELSE
        ids := ARRAY(SELECT t.id FROM teams t WHERE NOT EXISTS (SELECT 1 FROM team_documents d WHERE d.team_id = t.id));
    END IF;
    PERFORM team_documents_refresh(ids);
    INSERT INTO team_documents_built (fingerprint) VALUES (fp)
    ON CONFLICT (only_row) DO UPDATE SET fingerprint = EXCLUDED.fingerprint;
    RETURN cardinality(ids);
END $$;
