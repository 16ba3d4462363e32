-- 95_derived: derived data brought in line with its definitions after every migration.
--
-- The server (db/migrate.c) calls derived_data_sync() once the migrations and function files are
-- applied, whether or not any was: a definition that a stored derivation depends on may have
-- changed in any of them. Returns a line for the log, or NULL when nothing was rebuilt.
CREATE OR REPLACE FUNCTION derived_data_sync() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    docs bigint := team_documents_sync();
BEGIN
    RETURN CASE WHEN docs > 0 THEN format('%s team documents built', docs) END;
END $$;
