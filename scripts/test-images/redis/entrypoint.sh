#!/bin/sh
# As the official image: arguments starting with "-" are redis-server's, and protected mode is
# off unless the command sets it (with no config file, Redis would refuse non-local clients).
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  case " $* " in *" --protected-mode "*) ;; *) set -- "$@" --protected-mode no ;; esac
fi
exec "$@"
