#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for tests or benchmarks.
# Usage: scripts/throwaway-postgres.sh DIR PORT   (prints the DATABASE_URL; stop with pg_ctl -D DIR/data stop)
set -euo pipefail
dir=${1:?directory}
port=${2:?port}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$dir"
chown postgres "$dir"
if [[ ! -f $dir/data/PG_VERSION ]]; then
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" \
  -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" -w start >/dev/null
echo "postgres://postgres@127.0.0.1:$port/lvv"
