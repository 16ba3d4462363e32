-- 012_signin_limits: sign-in attempts counted per account name and per client address.
--
-- Kept in the database, not in a server process, so that every API instance behind the proxy
-- counts the same attempts. A key is 'user:<username>', 'client:<client_id>' or
-- 'addr:<address>'. Each key counts failures in a fixed window that opens at its first attempt
-- after the previous window closed; once the count reaches the key's limit, sign-in under that
-- key is refused until the window closes. clock_timestamp(), not app_now(): the test clock moves
-- deadlines, never security.
--
-- An attempt is counted as a failure before its password is checked (signin_begin), and given
-- back when it succeeds (signin_succeeded). Checking first and counting afterwards would let
-- parallel guesses all pass the check before any of them is counted.

CREATE TABLE signin_failures (
    key          text PRIMARY KEY,
    failures     integer NOT NULL CHECK (failures >= 0),
    window_start timestamptz NOT NULL
);
CREATE INDEX signin_failures_window ON signin_failures (window_start);

-- Seconds until every key may try again, or 0 after counting this attempt under each key.
CREATE FUNCTION signin_begin(keys text[], limits integer[], window_seconds integer)
RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    span constant interval := make_interval(secs => window_seconds);
    wait integer;
BEGIN
    DELETE FROM signin_failures WHERE window_start < clock_timestamp() - 2 * span;
    -- Takes each key's row lock, in key order (no deadlock between overlapping key pairs),
    -- and starts a new window where the old one closed.
    INSERT INTO signin_failures AS f (key, failures, window_start)
    SELECT k, 0, clock_timestamp() FROM unnest(keys) AS k ORDER BY k
        ON CONFLICT (key) DO UPDATE
       SET failures = CASE WHEN f.window_start + span <= clock_timestamp() THEN 0 ELSE f.failures END,
           window_start = CASE WHEN f.window_start + span <= clock_timestamp()
                               THEN clock_timestamp() ELSE f.window_start END;
    SELECT max(ceil(extract(epoch FROM f.window_start + span - clock_timestamp())))::integer
      INTO wait
      FROM unnest(keys, limits) AS k(key, max_failures)
      JOIN signin_failures f ON f.key = k.key
     WHERE f.failures >= k.max_failures;
    IF wait > 0 THEN
        RETURN wait;
    END IF;
    UPDATE signin_failures SET failures = failures + 1 WHERE key = ANY (keys);
    RETURN 0;
END
$$;

-- A successful sign-in: the account starts afresh; the address gets its attempt back.
CREATE FUNCTION signin_succeeded(account_key text, address_key text)
RETURNS void LANGUAGE sql VOLATILE AS $$
    DELETE FROM signin_failures WHERE key = account_key;
    UPDATE signin_failures SET failures = greatest(failures - 1, 0) WHERE key = address_key;
$$;
