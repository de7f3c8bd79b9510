#!/bin/sh
# A small version of the official image's entrypoint: on first start, initialise the data directory with the
# root password from MARIADB_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD), optionally create a database and a user.
set -eu
case "${1:-}" in -*) set -- mariadbd "$@" ;; esac
if [ "${1:-}" != mariadbd ] && [ "${1:-}" != mysqld ]; then exec "$@"; fi
shift

env_or() { eval "printf %s \"\${MARIADB_$1:-\${MYSQL_$1:-}}\""; }
sql_quote() { printf "'%s'" "$(printf %s "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }

datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  root_password=$(env_or ROOT_PASSWORD)
  allow_empty=$(env_or ALLOW_EMPTY_ROOT_PASSWORD)
  [ -n "$allow_empty" ] || allow_empty=${MYSQL_ALLOW_EMPTY_PASSWORD:-}
  random=$(env_or RANDOM_ROOT_PASSWORD)
  if [ -z "$root_password" ] && [ -z "$allow_empty" ] && [ -z "$random" ]; then
    echo >&2 'error: database is uninitialized and password option is not specified'
    echo >&2 '  You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
    exit 1
  fi
  if [ -n "$random" ]; then
    root_password=$(head -c 18 /dev/urandom | base64)
    echo "GENERATED ROOT PASSWORD: $root_password"
  fi
  echo 'Initializing database files'
  chown mysql:mysql "$datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal \
    --skip-name-resolve >/dev/null
  socket=/run/mysqld/init.sock
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" &
  init_pid=$!
  tries=0
  until mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then echo >&2 'error: temporary server did not start'; exit 1; fi
    sleep 0.5
  done
  pw=$(sql_quote "$root_password")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host NOT IN ('localhost'));"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $pw;"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    database=$(env_or DATABASE)
    if [ -n "$database" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$database\`;"; fi
    user=$(env_or USER)
    if [ -n "$user" ]; then
      echo "CREATE USER $(sql_quote "$user")@'%' IDENTIFIED BY $(sql_quote "$(env_or PASSWORD)");"
      if [ -n "$database" ]; then echo "GRANT ALL ON \`$database\`.* TO $(sql_quote "$user")@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$socket" -uroot
  mariadb-admin --socket="$socket" -uroot --password="$root_password" shutdown
  wait "$init_pid" || true
  echo 'MariaDB init process done. Ready for start up.'
fi
exec mariadbd --user=mysql "$@"
