#!/bin/sh
# Takes the mongod arguments the harness gives the official image (--port, --bind_ip,
# --bind_ip_all) and runs FerretDB with the same address, its data in /data/db (kept across a
# container's stop and start). Any other mongod argument is refused: FerretDB has no equivalent.
set -e
case "$1" in -*) set -- mongod "$@" ;; esac
if [ "$1" != mongod ]; then exec "$@"; fi
shift
port=27017
host=127.0.0.1
while [ "$#" -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --port=*) port="${1#--port=}"; shift ;;
    --bind_ip) host="$2"; shift 2 ;;
    --bind_ip=*) host="${1#--bind_ip=}"; shift ;;
    --bind_ip_all) host=0.0.0.0; shift ;;
    *) echo "mongod stand-in (FerretDB): unsupported argument $1" >&2; exit 2 ;;
  esac
done
export DO_NOT_TRACK=1
exec ferretdb --handler=sqlite --sqlite-url=file:/data/db/ --listen-addr="$host:$port" \
  --state-dir=- --telemetry=disable --debug-addr=-
