# scripts/lib.sh — shell functions shared by scripts/run and scripts/test. Source it; it runs nothing.
#
#   pg_start DIR PORT   private PostgreSQL cluster in DIR (created on first use), unix socket only
#   pg_stop DIR         stop it if it runs
#   pg_replica_start DIR PORT PRIMARY_DIR PRIMARY_PORT
#                       a streaming replica of that cluster in DIR, made and run by
#                       deploy/replica.sh as docker-compose.yml's db-replica is (tests/deploy)
#   pg_url DIR PORT     print its libpq URI (database cdt, superuser cdt, trust auth)
#   build [DIR] [ARGS]  configure and build the C sources into DIR (default build/)
#
# The cluster has no TCP listener and trusts every local connection: it is for one developer's
# machine or one test run, never for shared use.

# Newest installed server binaries (Debian keeps them out of PATH); PG_BIN overrides.
if [[ -z "${PG_BIN:-}" ]]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
PSQL="${PG_BIN:+$PG_BIN/}psql"

# PostgreSQL refuses to run as root, so as root the server side runs as the `postgres` user that
# Debian's postgresql package creates. Clients (psql, the service) keep running as the caller:
# root can reach the socket in the postgres-owned directory anyway.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    local dir port
    dir=$(realpath -m "$1") port=$2
    # The socket path has to fit in sun_path (107 bytes) or PostgreSQL cannot create it.
    if (( ${#dir} + 20 > 107 )); then
        echo "pg_start: $dir is too long a path for a unix socket; move the project or set DATABASE_URL" >&2
        return 1
    fi
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        mkdir -p "$dir"
        if [[ $EUID -eq 0 ]]; then
            chown postgres: "$dir"
            _pg_make_traversable "$dir" || return 1
        fi
        chmod 700 "$dir"
        local out
        out=$(as_pg "$PG_BIN/initdb" -D "$dir" --auth=trust -U cdt --encoding=UTF8 --locale=C.UTF-8 2>&1) ||
            { printf '%s\n' "$out" >&2; return 1; }
        # Quoting: postgresql.conf strings use single quotes, doubled inside.
        as_pg tee -a "$dir/postgresql.conf" >/dev/null <<EOF

# Private cluster of scripts/lib.sh: unix socket in the data directory, no TCP.
listen_addresses = ''
unix_socket_directories = '${dir//\'/\'\'}'
EOF
    fi
    if as_pg "$PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1; then
        return 0
    fi
    # PG_OPTIONS: extra server options, e.g. "-c fsync=off" for throwaway test clusters.
    as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$dir" -l "$dir/server.log" \
        -o "-p $port ${PG_OPTIONS:-}" >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
    if [[ -z $("$PSQL" -h "$dir" -p "$port" -U cdt -d postgres -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'cdt'") ]]; then
        "$PSQL" -h "$dir" -p "$port" -U cdt -d postgres -XqAc 'CREATE DATABASE cdt' >/dev/null
    fi
}

# The postgres user must be able to reach DIR: make each ancestor it cannot pass world-searchable
# (o+x lets it pass through a directory, not list it). mktemp -d directories, for one, are 0700.
_pg_make_traversable() {
    local d
    d=$(dirname "$1")
    while [[ "$d" != / ]]; do
        if ! runuser -u postgres -- test -x "$d"; then
            echo "pg_start: chmod o+x $d, so that the postgres user can reach the cluster" >&2
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
}

pg_stop() {
    local dir
    dir=$(realpath -m "$1")
    [[ -f "$dir/PG_VERSION" ]] || return 0
    if as_pg "$PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" stop -w -m fast -D "$dir" >/dev/null
    fi
}

pg_replica_start() {
    local dir port primary primary_port
    dir=$(realpath -m "$1") port=$2 primary=$(realpath -m "$3") primary_port=$4
    mkdir -p "$dir"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$dir"
        _pg_make_traversable "$dir" || return 1
    fi
    chmod 700 "$dir"
    # A copy beside the cluster: the postgres user may not read the project (a clone under /root).
    install -m 755 deploy/replica.sh "$dir.sh"
    # Its own socket directory and port on the command line: the copied postgresql.conf names the
    # primary's. PG_OPTIONS as for pg_start.
    # shellcheck disable=SC2086
    as_pg env PATH="$PG_BIN:$PATH" PGDATA="$dir" PRIMARY_HOST="$primary" PRIMARY_PORT="$primary_port" \
        PRIMARY_USER=cdt setsid "$dir.sh" -p "$port" -c "unix_socket_directories=$dir" \
        -c listen_addresses= ${PG_OPTIONS:-} >>"$dir.log" 2>&1 </dev/null &
    local _
    for _ in $(seq 150); do
        "$PG_BIN/pg_isready" -q -h "$dir" -p "$port" -d cdt 2>/dev/null && return 0
        sleep 0.2
    done
    tail -n 20 "$dir.log" >&2
    return 1
}

pg_url() {
    local dir
    dir=$(realpath -m "$1")
    printf 'postgresql:///cdt?host=%s&port=%s&user=cdt\n' "$(_urlencode "$dir")" "$2"
}

# Percent-encodes everything but RFC 3986 unreserved characters and '/', byte by byte.
_urlencode() {
    local LC_ALL=C s=$1 out= c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9/._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

build() {
    local dir=${1:-build}
    (( $# )) && shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
        cmake --build "$dir" -j "$(nproc)"
}
