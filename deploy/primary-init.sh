# deploy/primary-init.sh — run once by the postgres image when it creates the primary's database
# (docker-compose.yml mounts it in /docker-entrypoint-initdb.d/): lets db-replica connect for
# replication as POSTGRES_USER with its password. A database made before this file existed needs
# the same line added to its pg_hba.conf by hand, and a reload (deploy/README.md).
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
