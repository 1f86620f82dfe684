#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432 before the tests run.
# The PostgreSQL tests never skip: if it cannot be started, they fail.
set -u
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && exit 0
    sleep 1
  done
fi
echo "PostgreSQL is not reachable at 127.0.0.1:5432; the PostgreSQL tests will fail." >&2
exit 0
