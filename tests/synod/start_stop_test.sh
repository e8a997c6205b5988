#!/bin/sh
# The synod binary starts a one-member cluster on free ports, logs where it serves, and exits 0
# on SIGTERM after a clean shutdown. Usage: start_stop_test.sh SYNOD_BINARY
set -eu
synod=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$synod" --listen-client-urls http://127.0.0.1:0 --listen-peer-urls http://127.0.0.1:0 2> log &
pid=$!
for _ in $(seq 100); do
  grep -q '"msg":"serving client requests"' log && break
  sleep 0.1
done
if ! grep -q '"msg":"serving client requests","address":"127.0.0.1:[1-9]' log; then
  kill -9 "$pid" 2>/dev/null || true
  cat log >&2
  echo "synod did not report a bound client port" >&2
  exit 1
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat log
grep -q '"msg":"stopped the node; exiting"' log
test "$status" -eq 0
test -d default.synod
