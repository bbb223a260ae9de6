#!/bin/bash
# Two databases, two roles: the portal's role gets no privilege on the sealed database.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE bif_portal LOGIN PASSWORD '${PORTAL_DB_PASSWORD}';
CREATE ROLE bif_sealed LOGIN PASSWORD '${SEALED_DB_PASSWORD}';
CREATE DATABASE bif OWNER bif_portal;
CREATE DATABASE bif_sealed OWNER bif_sealed;
REVOKE ALL ON DATABASE bif_sealed FROM PUBLIC;
GRANT CONNECT ON DATABASE bif TO bif_sealed;
SQL
