-- 90_signin: the sign-in counters' functions (tables in 012_signin_limits.sql), both locking the
-- counter rows in one order.
--
-- signin_begin locks an attempt's two rows in key order ('addr:…' before 'client:…' or
-- 'user:…'). signin_succeeded, as 012 defined it, deleted the account's row and then updated the
-- address's, the other order: a success and a parallel attempt of the same account from the same
-- address could each hold one row and wait for the other, and PostgreSQL broke the deadlock by
-- failing one (40P01), which the API answered 409 to a correct password. It now takes both locks
-- first, in key order.
--
-- signin_begin's clean-up of expired rows locked whatever rows it met, in the order it met them,
-- so it could deadlock with an attempt renewing two expired rows of its own; it now skips rows
-- another transaction holds (they are being renewed, or will be cleaned up next time).

CREATE OR REPLACE FUNCTION signin_begin(keys text[], limits integer[], window_seconds integer)
RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    span constant interval := make_interval(secs => window_seconds);
    wait integer;
BEGIN
    DELETE FROM signin_failures
     WHERE key IN (SELECT key FROM signin_failures WHERE window_start < clock_timestamp() - 2 * span
                   FOR UPDATE SKIP LOCKED);
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
CREATE OR REPLACE FUNCTION signin_succeeded(account_key text, address_key text)
RETURNS void LANGUAGE sql VOLATILE AS $$
    -- Both rows locked first, in key order as signin_begin locks them.
    SELECT 1 FROM signin_failures WHERE key IN (account_key, address_key) ORDER BY key FOR UPDATE;
    DELETE FROM signin_failures WHERE key = account_key;
    UPDATE signin_failures SET failures = greatest(failures - 1, 0) WHERE key = address_key;
$$;
