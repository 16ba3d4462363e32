-- 028_feed_pass_bound: where the change feed's next numbering pass starts to look (issue 14, item 3;
-- sql/functions/70_feed.sql, changes_sequence(); docs/performance.md §9, "Writes").
--
-- A pass found the unnumbered changes by the partial index changes_txid_unnumbered (seq IS NULL),
-- from its start. Every change it numbers leaves its entry there, dead, until VACUUM removes it,
-- and a scan walks the dead entries' pages as well: on the national data, 1,033 pages to find one
-- change, 0.4-0.7 ms a pass at 1,000 writes/s, more the longer since the last VACUUM (and seconds
-- while an old snapshot keeps the entries from being marked dead). A change that a pass leaves
-- unnumbered belongs to a transaction that had not committed when the pass took its snapshot, so
-- its txid is at least that snapshot's xmin: the next pass starts there.
--
-- One row: the xmin of the last pass's snapshot, valid while the cluster runs as it was started
-- (`started`, pg_postmaster_start_time()): after a restart, a restore or a promotion the first pass
-- looks from the start, as before.
CREATE TABLE changes_sequencer (
    unnumbered_from xid8 NOT NULL,
    started timestamptz,
    one boolean PRIMARY KEY DEFAULT true CHECK (one)
);
INSERT INTO changes_sequencer (unnumbered_from, started) VALUES ('0', NULL);
