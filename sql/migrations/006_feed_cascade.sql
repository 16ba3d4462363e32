-- 006_feed_cascade: a deleted team's members leave the change feed with the team's scope.
--
-- With ON DELETE CASCADE alone, the members' change rows are written after the team row is
-- gone, so their scope (the team's commune) could not be looked up and sync clients in that
-- commune would never hear of the deletions. Deleting them first, while the team still exists,
-- keeps their scope.
CREATE FUNCTION teams_delete_members_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM members WHERE team_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER teams_members_bd BEFORE DELETE ON teams
    FOR EACH ROW EXECUTE FUNCTION teams_delete_members_first();
