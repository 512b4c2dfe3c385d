#!/bin/sh
# What the harness relies on from the official image's entrypoint: arguments starting with "-"
# are postgres's; on first start initdb makes the cluster in $PGDATA with superuser
# $POSTGRES_USER (default postgres), TCP clients authenticated by POSTGRES_HOST_AUTH_METHOD, or
# by POSTGRES_PASSWORD when that is set instead. The server then logs "database system is ready
# to accept connections" itself. Unlike the official image, the server keeps initdb's
# listen_addresses (localhost): these containers share the host's network.
set -e
case "$1" in -*) set -- postgres "$@" ;; esac
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="${POSTGRES_USER:-postgres}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-}"
  if [ -z "$auth" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
      echo 'Database is uninitialized and superuser password is not specified: set POSTGRES_PASSWORD or POSTGRES_HOST_AUTH_METHOD=trust' >&2
      exit 1
    fi
    auth=scram-sha-256
  fi
  pwfile=""
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  fi
  initdb -D "$PGDATA" -U "$user" --auth-local=trust --auth-host="$auth" -E UTF8 --locale=C --no-sync \
    ${pwfile:+--pwfile="$pwfile"}
  [ -z "$pwfile" ] || rm -f "$pwfile"
  echo "host all all all $auth" >>"$PGDATA/pg_hba.conf"
fi
exec "$@"
