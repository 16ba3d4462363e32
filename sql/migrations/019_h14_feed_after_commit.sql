-- 019_h14_feed_after_commit: the change feed numbered after commit, by a sequencer (issue 14,
-- item 3; sql/functions/70_feed.sql says how, docs/integrating.md what a client sees).
--
-- 010 numbered each writing transaction's changes in a deferred trigger at commit, under a lock
-- held until the commit was visible, so numbers came in commit order and no reader could see
-- number N before every number below it. But that lock was held through each commit's WAL flush:
-- every write of the service committed one at a time (~180-450 writes/s). Changes now stay
-- unnumbered when their transaction commits, and changes_sequence() numbers what has committed,
-- one pass at a time; writers never wait for each other.
--
-- The changes are also recorded once per statement (transition tables) instead of once per row:
-- an import of 180,000 activities made 180,000 trigger calls.

DROP TRIGGER change_transactions_commit ON change_transactions;
DROP TABLE change_transactions;
DROP FUNCTION changes_number_at_commit();

DROP TRIGGER teams_change ON teams;
DROP TRIGGER members_change ON members;
DROP TRIGGER activities_change ON activities;
DROP TRIGGER enterprises_change ON enterprises;
DROP TRIGGER deadlines_change ON deadlines;
DROP TRIGGER deadline_targets_change ON deadline_targets;
DROP TRIGGER units_change ON units;
DROP FUNCTION record_change();
DROP FUNCTION change_scope(text, jsonb);
