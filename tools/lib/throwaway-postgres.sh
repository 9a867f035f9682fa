# Sourced by tools/test and tools/bench: starts a throwaway PostgreSQL cluster in a temporary
# folder, exports libpq's PG* variables for it, and stops and removes it when the shell exits.
# Set THROWAWAY_PG_FSYNC=on to keep fsync (benchmarks); tests run with it off. THROWAWAY_PG_OPTIONS
# adds server options (e.g. "-c shared_preload_libraries=pg_stat_statements" to profile).
# max_connections is high because the suite runs its tests in parallel, each with its own database
# and often a command-line process or server of its own with a pool of up to 12 connections (the
# peak measured was 299).

throwaway_pg_start() {
    local pgbin fsync_options=""
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    THROWAWAY_PG_WORK=$(mktemp -d /tmp/memberaudit-pg.XXXXXX)
    chmod 0711 "$THROWAWAY_PG_WORK"   # the server's user must be able to enter it
    mkdir "$THROWAWAY_PG_WORK/pg"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$THROWAWAY_PG_WORK/pg"
    [[ ${THROWAWAY_PG_FSYNC:-off} == off ]] && fsync_options="-c fsync=off -c synchronous_commit=off"
    THROWAWAY_PG_BIN=$pgbin
    trap throwaway_pg_stop EXIT

    THROWAWAY_PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    throwaway_pg_as_server "$pgbin/initdb" -D "$THROWAWAY_PG_WORK/pg/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    throwaway_pg_as_server "$pgbin/pg_ctl" -D "$THROWAWAY_PG_WORK/pg/data" -l "$THROWAWAY_PG_WORK/pg/log" -w -o \
        "-k $THROWAWAY_PG_WORK/pg -c listen_addresses=127.0.0.1 -c port=$THROWAWAY_PG_PORT -c max_connections=1000 $fsync_options ${THROWAWAY_PG_OPTIONS:-}" \
        start >/dev/null
    export PGHOST="$THROWAWAY_PG_WORK/pg" PGPORT="$THROWAWAY_PG_PORT" PGUSER=postgres PGDATABASE=postgres
}

throwaway_pg_as_server() {
    # PostgreSQL refuses to run as root: run it as the postgres system user then.
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

throwaway_pg_stop() {
    [[ -n ${THROWAWAY_PG_WORK:-} ]] || return 0
    throwaway_pg_as_server "$THROWAWAY_PG_BIN/pg_ctl" -D "$THROWAWAY_PG_WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_WORK"
}
