-- 35_rollup: where each team was (team_homes), and the monthly activity rollup that the figures
-- read (014_activity_rollup.sql says why it exists; 018_unit_versions.sql why it keys two units).
--
-- The rollup always equals, over every activity a of a team t:
--     (unit_code = t.unit_code, held_unit = team_home_on(t, a.held_on), month of a.held_on)
-- so that the figures of today's structure read it by unit_code (where the teams are now) and
-- those of a past structure by held_unit (where they were when the activity was held).

-- The unit a team was in on day d, as a row (none when its history does not reach d). Inlined into
-- the query that calls it (LATERAL), so a statement of many rows finds each home by index without
-- a function call per row.
CREATE OR REPLACE FUNCTION team_home_row(p_team uuid, d date) RETURNS TABLE (unit_code text)
LANGUAGE sql STABLE AS $$
    SELECT h.unit_code FROM team_homes h
     WHERE h.team_id = p_team AND (h.since IS NULL OR h.since <= d) AND (h.until IS NULL OR h.until > d)
     ORDER BY h.since DESC NULLS LAST LIMIT 1
$$;

-- The unit a team was in on day d: its home then, else (a team with no history yet) its unit.
CREATE OR REPLACE FUNCTION team_home_on(p_team uuid, d date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT h.unit_code FROM team_home_row(p_team, d) h),
                    (SELECT t.unit_code FROM teams t WHERE t.id = p_team))
$$;

-- One activity's figures as a rollup row, each multiplied by sign (1: add, -1: remove). An outcome
-- not reported counts 0 (the figures sum what is reported). plpgsql: a SQL function returning a
-- row is never inlined, and its body was planned again by every statement that called it.
CREATE OR REPLACE FUNCTION activity_rollup_row(unit text, held text, a activities, sign bigint)
RETURNS activity_month_unit LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ROW(unit, date_trunc('month', a.held_on)::date, sign, sign * a.people_reached,
               sign * coalesce((a.outcomes ->> 'vneid_activations')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'public_service_applications')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'cashless_accounts')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'ecommerce_shops')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'app_installs')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'people_trained')::bigint, 0),
               held)::activity_month_unit;
END $$;

-- Adds rows (any number per key, signed) into the rollup, and their sums per unit_code into
-- activity_unit_total (every month and held_unit: what the overview reads for an open range,
-- 026_overview_unit_totals.sql). Writers of the same key wait for each other's commit on its row.
-- The totals are written first, in the order of their keys, so that a call takes a unit's total
-- before any of its months: two calls on the same units queue on the first total they share, not
-- on a month each holds (a transaction of several calls, as a team's move, can still meet another
-- the way it could on the months alone). The total is one row per unit: writers of different
-- months of one unit now wait for each other too. plpgsql, as activity_rollup_rows: its plan lasts the connection (a
-- SQL function called by a trigger was planned again for every activity written). One row (a
-- write through the API) is its own sum: the sums are made only for more, and the upserts read
-- rows already summed (grouping and sorting one row in each upsert was ~10 % of a write's INSERT:
-- docs/performance.md §9, "Writes: the rollup of one activity").
CREATE OR REPLACE FUNCTION activity_rollup_add(d activity_month_unit[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    totals activity_unit_total[];
    months activity_month_unit[] := d;
BEGIN
    IF cardinality(d) = 1 THEN
        totals := ARRAY[ROW(d[1].unit_code, d[1].activities, d[1].people_reached, d[1].vneid_activations,
                            d[1].public_service_applications, d[1].cashless_accounts, d[1].ecommerce_shops,
                            d[1].app_installs, d[1].people_trained)::activity_unit_total];
    ELSE
        totals := ARRAY(SELECT ROW(x.unit_code, sum(x.activities), sum(x.people_reached), sum(x.vneid_activations),
                                   sum(x.public_service_applications), sum(x.cashless_accounts),
                                   sum(x.ecommerce_shops), sum(x.app_installs), sum(x.people_trained))::activity_unit_total
                          FROM unnest(d) x GROUP BY x.unit_code ORDER BY x.unit_code);
        months := ARRAY(SELECT ROW(x.unit_code, x.month, sum(x.activities), sum(x.people_reached),
                                   sum(x.vneid_activations), sum(x.public_service_applications),
                                   sum(x.cashless_accounts), sum(x.ecommerce_shops), sum(x.app_installs),
                                   sum(x.people_trained), x.held_unit)::activity_month_unit
                          FROM unnest(d) x GROUP BY x.unit_code, x.held_unit, x.month);
    END IF;
    INSERT INTO activity_unit_total AS r SELECT * FROM unnest(totals) -- in the array's order
    ON CONFLICT (unit_code) DO UPDATE SET
        activities = r.activities + EXCLUDED.activities,
        people_reached = r.people_reached + EXCLUDED.people_reached,
        vneid_activations = r.vneid_activations + EXCLUDED.vneid_activations,
        public_service_applications = r.public_service_applications + EXCLUDED.public_service_applications,
        cashless_accounts = r.cashless_accounts + EXCLUDED.cashless_accounts,
        ecommerce_shops = r.ecommerce_shops + EXCLUDED.ecommerce_shops,
        app_installs = r.app_installs + EXCLUDED.app_installs,
        people_trained = r.people_trained + EXCLUDED.people_trained;
    INSERT INTO activity_month_unit AS r SELECT * FROM unnest(months)
    ON CONFLICT (unit_code, held_unit, month) DO UPDATE SET
        activities = r.activities + EXCLUDED.activities,
        people_reached = r.people_reached + EXCLUDED.people_reached,
        vneid_activations = r.vneid_activations + EXCLUDED.vneid_activations,
        public_service_applications = r.public_service_applications + EXCLUDED.public_service_applications,
        cashless_accounts = r.cashless_accounts + EXCLUDED.cashless_accounts,
        ecommerce_shops = r.ecommerce_shops + EXCLUDED.ecommerce_shops,
        app_installs = r.app_installs + EXCLUDED.app_installs,
        people_trained = r.people_trained + EXCLUDED.people_trained;
END $$;

-- Activities' rollup rows, each multiplied by sign: (unit_code, held_unit) as the rollup keys them,
-- the home found set-wise (team_home_row), the team's unit when its history does not reach the day.
-- One activity (a write through the API) is looked up by its team's key, in a statement whose plan
-- is kept: the statement of many, whose row count the planner reads from the array, was planned
-- again for every write (0.3 ms, a third of the rollup's cost; docs/performance.md §9, "Writes").
CREATE OR REPLACE FUNCTION activity_rollup_rows(p activities[], sign bigint) RETURNS activity_month_unit[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    one activities;
BEGIN
    IF cardinality(p) = 1 THEN
        one := p[1];
        RETURN ARRAY(SELECT activity_rollup_row(t.unit_code, coalesce(h.unit_code, t.unit_code), one, sign)
                       FROM teams t LEFT JOIN LATERAL team_home_row(t.id, one.held_on) h ON true
                      WHERE t.id = one.team_id);
    END IF;
    RETURN (SELECT coalesce(array_agg(activity_rollup_row(t.unit_code, coalesce(h.unit_code, t.unit_code), a, sign)), '{}')
              FROM unnest(p) a JOIN teams t ON t.id = a.team_id
              LEFT JOIN LATERAL team_home_row(a.team_id, a.held_on) h ON true);
END $$;

-- The rollup (and its totals) and the teams' newest days from scratch, from every activity
-- (bench/generate.sql after its bulk load, which skips triggers). One batch per unit keeps the
-- arrays small.
CREATE OR REPLACE FUNCTION activity_rollup_fill() RETURNS void LANGUAGE sql AS $$
    DELETE FROM activity_month_unit;
    DELETE FROM activity_unit_total;
    SELECT activity_rollup_add(activity_rollup_rows(array_agg(a), 1))
      FROM activities a JOIN teams t ON t.id = a.team_id
     GROUP BY t.unit_code;
    DELETE FROM team_latest_activity;
    INSERT INTO team_latest_activity (team_id, unit_code, held_on)
    SELECT t.id, t.unit_code, n.held_on
      FROM teams t CROSS JOIN LATERAL (SELECT max(a.held_on) AS held_on FROM activities a WHERE a.team_id = t.id) n
     WHERE n.held_on IS NOT NULL;
$$;

-- Raises the newest day of the teams of activities written (team_latest_activity,
-- 029_team_latest_activity.sql). One activity (a write through the API) leaves the row alone, and
-- unlocked, when it holds a day as late already: most writes are of a day a team has reached.
-- plpgsql, as activity_rollup_rows: its plans last the connection.
CREATE OR REPLACE FUNCTION team_latest_raise(p activities[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    one activities;
BEGIN
    IF cardinality(p) = 1 THEN
        one := p[1];
        IF EXISTS (SELECT 1 FROM team_latest_activity l WHERE l.team_id = one.team_id AND l.held_on >= one.held_on) THEN
            RETURN;
        END IF;
        INSERT INTO team_latest_activity AS l (team_id, unit_code, held_on)
        SELECT t.id, t.unit_code, one.held_on FROM teams t WHERE t.id = one.team_id
        ON CONFLICT (team_id) DO UPDATE SET held_on = EXCLUDED.held_on WHERE l.held_on < EXCLUDED.held_on;
        RETURN;
    END IF;
    INSERT INTO team_latest_activity AS l (team_id, unit_code, held_on)
    SELECT t.id, t.unit_code, max(a.held_on)
      FROM unnest(p) a JOIN teams t ON t.id = a.team_id
     GROUP BY t.id
     ORDER BY t.id
    ON CONFLICT (team_id) DO UPDATE SET held_on = EXCLUDED.held_on WHERE l.held_on < EXCLUDED.held_on;
END $$;

-- Activities written, changed or deleted by a statement: their figures leave their old keys and
-- join their new ones, in one upsert per statement (an import of 180,000 activities made as many
-- trigger calls and upserts). An update counts only where it changed what the rollup sums.
-- The teams' newest days rise with the activities written or changed; a deletion leaves them
-- (team_latest_raise).
CREATE OR REPLACE FUNCTION activities_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written activities[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        written := ARRAY(SELECT n::activities FROM new_rows n);
        PERFORM activity_rollup_add(activity_rollup_rows(written, 1));
        PERFORM team_latest_raise(written);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM activity_rollup_add(activity_rollup_rows(ARRAY(SELECT o::activities FROM old_rows o), -1));
    ELSE
        written := ARRAY(SELECT n::activities FROM new_rows n JOIN old_rows o ON o.id = n.id
                          WHERE (o.team_id, o.held_on, o.people_reached, o.outcomes)
                                IS DISTINCT FROM (n.team_id, n.held_on, n.people_reached, n.outcomes));
        PERFORM activity_rollup_add(
            activity_rollup_rows(ARRAY(SELECT o::activities FROM old_rows o JOIN new_rows n ON n.id = o.id
                                        WHERE (o.team_id, o.held_on, o.people_reached, o.outcomes)
                                              IS DISTINCT FROM (n.team_id, n.held_on, n.people_reached, n.outcomes)), -1)
            || activity_rollup_rows(written, 1));
        IF cardinality(written) > 0 THEN
            PERFORM team_latest_raise(written);
        END IF;
    END IF;
    RETURN NULL;
END $$;
SELECT statement_triggers('activities', 'activities_rollup', 'activities_rollup', '{insert,update,delete}');

-- A new team's first home.
CREATE OR REPLACE FUNCTION teams_home_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO team_homes (team_id, unit_code) VALUES (NEW.id, NEW.unit_code);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER teams_home_ai AFTER INSERT ON teams
    FOR EACH ROW EXECUTE FUNCTION teams_home_first();

-- A team moved to another unit: its home changes from the day its old unit closed (a team
-- re-homed after a reorganisation was in the new unit from the day the old one ended), or from
-- today. Its activities' figures move along to the new unit; those held from that day on are
-- now held in the new unit too. (A new key of the same unit, unit_pass_code, is no move.)
CREATE OR REPLACE FUNCTION teams_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_on date;
    d activity_month_unit[];
BEGIN
    -- The recent page finds a team's newest day by its unit, new key or not.
    UPDATE team_latest_activity SET unit_code = NEW.unit_code WHERE team_id = NEW.id;
    IF unit_rekeying() THEN
        RETURN NULL;
    END IF;
    SELECT CASE WHEN NOT unit_open(u.valid_to) THEN u.valid_to ELSE unit_today() END INTO moved_on
      FROM units u WHERE u.code = OLD.unit_code;
    SELECT array_agg(activity_rollup_row(OLD.unit_code, team_home_on(NEW.id, a.held_on), a, -1)) INTO d
      FROM activities a WHERE a.team_id = NEW.id;
    -- The open home ends on moved_on (or is replaced when it began that day or later).
    DELETE FROM team_homes WHERE team_id = NEW.id AND until IS NULL AND since >= moved_on;
    UPDATE team_homes SET until = moved_on WHERE team_id = NEW.id AND until IS NULL;
    INSERT INTO team_homes (team_id, unit_code, since)
    VALUES (NEW.id, NEW.unit_code,
            CASE WHEN EXISTS (SELECT 1 FROM team_homes WHERE team_id = NEW.id) THEN moved_on END);
    SELECT d || array_agg(activity_rollup_row(NEW.unit_code, team_home_on(NEW.id, a.held_on), a, 1)) INTO d
      FROM activities a WHERE a.team_id = NEW.id;
    IF d IS NOT NULL THEN
        PERFORM activity_rollup_add(d);
    END IF;
    RETURN NULL;
END $$;
