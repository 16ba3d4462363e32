-- 020_h14_team_documents: each team's document, kept built (issue 14, item 1).
--
-- A page of 50 teams built 50 documents, each counting the team's members, finding its leader and
-- judging it against its province's rules: three quarters of the page's time. The documents are
-- now built when what they are built from changes, by the transaction that changes it, and read
-- as stored (sql/functions/55_team_documents.sql says when each is rebuilt, and when a stored one
-- is not used). Filled for every team at the end of the migrations (team_documents_sync).
CREATE TABLE team_documents (
    team_id     uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    doc         json NOT NULL,  -- team_doc(t) as built
    -- The days it holds for: from fresh_from (NULL: any day before) to before fresh_until (NULL:
    -- any day after); a member's left_on on another day would change it (active_members).
    fresh_from  date,
    fresh_until date
);

-- What the stored documents were built by: a fingerprint of the definitions they depend on, so
-- that a new definition rebuilds them (team_documents_sync).
CREATE TABLE team_documents_built (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    fingerprint text NOT NULL
);
