#!/usr/bin/env bash
# Creates database NAME on the PostgreSQL server of ADMIN_URL, owned by the
# application's role spire_app (no SUPERUSER, no BYPASSRLS, so row-level
# security binds it, and `spire` refuses any other), and prints its URL.
# Usage: scripts/postgres-app-database.sh ADMIN_URL NAME
set -euo pipefail
admin=$1
name=$2
psql -q "$admin" -c "DO \$\$ BEGIN CREATE ROLE spire_app LOGIN PASSWORD 'spire-test' NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
psql -q "$admin" -c "CREATE DATABASE $name OWNER spire_app"
rest=${admin#*://}
host=${rest#*@}
echo "postgres://spire_app:spire-test@${host%%/*}/$name"
