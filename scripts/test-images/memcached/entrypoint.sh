#!/bin/sh
# As the official image: arguments starting with "-" are memcached's.
set -e
case "$1" in -*) set -- memcached "$@" ;; esac
exec "$@"
