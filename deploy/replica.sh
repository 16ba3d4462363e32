#!/bin/sh
# deploy/replica.sh — runs a PostgreSQL streaming replica of the primary (docker-compose.yml's
# db-replica; tests/deploy/run runs the same script natively). The first time, with an empty data
# directory, it copies the primary with pg_basebackup -R, which also writes the standby's settings
# (standby.signal, and primary_conninfo in postgresql.auto.conf); then it runs postgres in the
# foreground with the arguments given. The replica answers reads only (hot standby) and follows
# the primary by streaming its WAL.
#
#   PGDATA                    the replica's data directory (empty or absent the first time)
#   PRIMARY_HOST              the primary's host name, or the directory of its unix socket
#   PRIMARY_PORT [5432]       its port
#   PRIMARY_USER              a role of the primary with REPLICATION (the compose file's cdt, a superuser)
#   PGPASSWORD                its password, when the primary asks for one
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup -h "$PRIMARY_HOST" -p "${PRIMARY_PORT:-5432}" -U "$PRIMARY_USER" -D "$PGDATA" \
        -R -X stream -c fast; do
        echo "replica.sh: cannot copy the primary yet; trying again in 2 s" >&2
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
    chmod 700 "$PGDATA"
fi
exec postgres "$@"
