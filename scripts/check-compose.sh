#!/usr/bin/env bash
# Checks that docker-compose.yml parses and interpolates, with dummy values for the required
# variables. Needs `docker compose` (v2) or `docker-compose` (v1, Debian's package); no daemon.
# Installs nothing; exits non-zero when the tool is missing or the file is invalid.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  echo "check-compose: neither docker-compose nor 'docker compose' is installed" >&2
  exit 1
fi

export MYSQL_PASSWORD=dummy-mysql-password
export MYSQL_ROOT_PASSWORD=dummy-mysql-root-password
export MINIO_ROOT_USER=dummy-minio-user
export MINIO_ROOT_PASSWORD=dummy-minio-password
export SECRET_KEY=dummy-secret-key-0123456789abcdef0123456789abcdef
export JWT_SECRET_KEY=dummy-jwt-secret-key-0123456789abcdef0123456789ab

# An empty env file, so that a local .env (the app's own, or compose's) cannot decide the outcome.
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
config() { "${compose[@]}" --env-file "$env_file" -f docker-compose.yml config -q; }

if ! config; then
  echo "check-compose: docker-compose.yml is invalid" >&2
  exit 1
fi

# The file must refuse to start without its secrets: unset one and expect a failure.
if (unset SECRET_KEY; config) >/dev/null 2>&1; then
  echo "check-compose: docker-compose.yml accepted a missing SECRET_KEY" >&2
  exit 1
fi

# The monitoring profile's Prometheus config: promtool comes with Debian's prometheus package
# (which .ci/run installs); CI requires it, elsewhere it is checked when present.
if command -v promtool >/dev/null 2>&1; then
  promtool check config --syntax-only deploy/prometheus.yml >/dev/null || {
    echo "check-compose: deploy/prometheus.yml is invalid" >&2
    exit 1
  }
elif [ -n "${CI:-}" ]; then
  echo "check-compose: promtool (Debian package prometheus) is missing" >&2
  exit 1
fi

echo "check-compose: docker-compose.yml and deploy/prometheus.yml are valid"
