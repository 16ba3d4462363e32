-- 024_deadline_reports: the periodic report (báo cáo định kỳ) a target attaches to answer a
-- deadline of kind `report` (issue 13; server/src/api/reports.c, docs/reporting.md).
--
-- A snapshot, not a link: the figures as they were when the report was made (the document that
-- report_figures() built, sql/functions/46_reports.sql) and the HTML rendered from them then, so
-- that the issuing unit reads, prints and downloads as PDF exactly what the target sent, however
-- the data change afterwards. One per target: attaching again (after the issuer reopened it)
-- replaces it; the audit trail keeps each one's figures.
CREATE TABLE deadline_reports (
    target_id   uuid PRIMARY KEY REFERENCES deadline_targets (id) ON DELETE CASCADE,
    deadline_id uuid NOT NULL REFERENCES deadlines (id) ON DELETE CASCADE,
    params      jsonb NOT NULL,  -- the period and the heading as asked
    figures     json NOT NULL,   -- report_figures() as of created_at (json keeps the keys' order)
    html        text NOT NULL,   -- the document as rendered from them
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);
CREATE INDEX deadline_reports_deadline ON deadline_reports (deadline_id);
