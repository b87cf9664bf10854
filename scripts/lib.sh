# Shared set-up for the scripts: system packages, PostgreSQL for tests, the
# Python venv, cache locations. Every step is idempotent and quiet when done.
# shellcheck shell=bash

TASKTALK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TASKTALK_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/tasktalk"
# Outside the clone, so a fresh clone on the same machine reuses the build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$TASKTALK_CACHE/target}"
# Where `cargo install` puts tauri-driver, whatever PATH the caller had.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly, or through sudo; otherwise says what to run.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "this step needs root; run as root: $*"
  fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -u postgres "$@"
  else die "creating the test database needs root or sudo"
  fi
}

# Installs the Debian packages that are missing (none: no apt call at all).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_build_tools() {
  command -v cargo >/dev/null 2>&1 || die "cargo is not installed: install Rust (https://rustup.rs) first"
  ensure_packages build-essential pkg-config ca-certificates
}

# Starts the local PostgreSQL cluster and makes a throwaway role and database
# for the tests; exports TASKTALK_TEST_DATABASE_URL. A URL already set is used
# as it is (your own server).
ensure_test_postgres() {
  if [ -n "${TASKTALK_TEST_DATABASE_URL:-}" ]; then
    say "using PostgreSQL from TASKTALK_TEST_DATABASE_URL"
    return 0
  fi
  command -v pg_lsclusters >/dev/null 2>&1 || ensure_packages postgresql
  local cluster version name port status
  cluster="$(pg_lsclusters --no-header 2>/dev/null | head -n 1)"
  if [ -z "$cluster" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    say "creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main >/dev/null
    cluster="$(pg_lsclusters --no-header | head -n 1)"
  fi
  read -r version name port status _ <<<"$cluster"
  if [ "$status" != "online" ]; then
    say "starting PostgreSQL $version/$name on port $port"
    as_root pg_ctlcluster "$version" "$name" start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || die "PostgreSQL did not start on 127.0.0.1:$port"
  as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
do $$ begin
  if not exists (select from pg_roles where rolname = 'tasktalk_test') then
    create role tasktalk_test login password 'tasktalk_test';
  end if;
end $$;
-- The tests behind PgBouncer each migrate a database of their own from empty.
alter role tasktalk_test createdb;
drop database if exists tasktalk_test with (force);
create database tasktalk_test owner tasktalk_test;
SQL
  export TASKTALK_TEST_DATABASE_URL="postgres://tasktalk_test:tasktalk_test@127.0.0.1:$port/tasktalk_test"
  say "PostgreSQL ready at 127.0.0.1:$port (database tasktalk_test)"
}

# PgBouncer (Debian's package) in transaction mode in front of the test
# PostgreSQL, as a provider's pooled endpoint is: its own configuration in
# /tmp/tasktalk-pgbouncer, its own port (TASKTALK_PGBOUNCER_PORT, 6439), every
# database of that server behind it. Run as the postgres account (PgBouncer
# refuses root); started once and reused. Exports TASKTALK_TEST_PGBOUNCER_URL
# (the tests swap in a database of their own). A URL already set is used as is.
ensure_test_pgbouncer() {
  if [ -n "${TASKTALK_TEST_PGBOUNCER_URL:-}" ]; then
    say "using PgBouncer from TASKTALK_TEST_PGBOUNCER_URL"
    return 0
  fi
  [ -n "${TASKTALK_TEST_DATABASE_URL:-}" ] || die "start PostgreSQL first (ensure_test_postgres)"
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || ensure_packages pgbouncer
  local re='^postgres(ql)?://([^:@/]+):([^@/]*)@([^:/?]+):([0-9]+)/([^?]+)'
  [[ "$TASKTALK_TEST_DATABASE_URL" =~ $re ]] ||
    die "PgBouncer needs TASKTALK_TEST_DATABASE_URL as postgres://user:password@host:port/database"
  local user="${BASH_REMATCH[2]}" password="${BASH_REMATCH[3]}" host="${BASH_REMATCH[4]}"
  local pg_port="${BASH_REMATCH[5]}" database="${BASH_REMATCH[6]}"
  local dir=/tmp/tasktalk-pgbouncer port="${TASKTALK_PGBOUNCER_PORT:-6439}" pid
  pid="$(cat "$dir/pgbouncer.pid" 2>/dev/null || true)"
  # A killed PgBouncer can linger as a zombie that kill -0 still finds: it
  # counts as running only while its port answers.
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || ! port_in_use "$port"; then
    port_in_use "$port" && die "port $port is taken: set TASKTALK_PGBOUNCER_PORT to a free one"
    say "starting PgBouncer (transaction mode) on 127.0.0.1:$port"
    as_root install -d -o postgres -g postgres -m 700 "$dir"
    as_root rm -f "$dir/pgbouncer.pid"
    as_postgres tee "$dir/userlist.txt" >/dev/null <<<"\"$user\" \"$password\""
    as_postgres tee "$dir/pgbouncer.ini" >/dev/null <<INI
[databases]
* = host=$host port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
; sqlx sends it at start-up; PgBouncer 1.18 refuses parameters it does not know.
ignore_startup_parameters = extra_float_digits
default_pool_size = 20
max_client_conn = 500
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    as_postgres pgbouncer -d -q "$dir/pgbouncer.ini"
    for _ in $(seq 1 50); do port_in_use "$port" && break; sleep 0.1; done
    port_in_use "$port" || die "PgBouncer did not start: see $dir/pgbouncer.log"
  fi
  export TASKTALK_TEST_PGBOUNCER_URL="postgres://$user:$password@127.0.0.1:$port/$database"
  say "PgBouncer ready at 127.0.0.1:$port"
}

# A venv in the cache with the given requirements files; sets TASKTALK_PYTHON.
ensure_python_venv() {
  local venv="$TASKTALK_CACHE/venv" stamp want
  want="$(cat "$@" | sha256sum | cut -c1-16)"
  stamp="$venv/.requirements-$want"
  if [ ! -f "$stamp" ]; then
    python3 -m venv --help >/dev/null 2>&1 || ensure_packages python3 python3-venv
    say "preparing the Python test environment"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check $(printf -- '-r %s ' "$@")
    touch "$stamp"
  fi
  TASKTALK_PYTHON="$venv/bin/python"
}

# What tests and benchmarks need: build tools, PostgreSQL, and the Python
# venv for the interop, ChatKit and end-to-end checks (TASKTALK_PYTHON).
ensure_test_environment() {
  ensure_build_tools
  ensure_test_postgres
  ensure_python_env
}

# The one venv every Python check runs in.
ensure_python_env() {
  ensure_python_venv "$TASKTALK_ROOT/tests/interop/requirements.txt" \
    "$TASKTALK_ROOT/tests/conformance/requirements.txt" "$TASKTALK_ROOT/tests/e2e/requirements.txt" \
    "$TASKTALK_ROOT/tests/release/requirements.txt"
}

# The desktop app's system libraries (WebKitGTK and friends, from DESKTOP.md),
# Xvfb and WebKitWebDriver for headless runs, and Node for the UI.
ensure_desktop_packages() {
  ensure_packages libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev \
    libayatana-appindicator3-dev librsvg2-dev pkg-config xvfb xauth x11-utils xdotool dbus-x11 dbus-daemon dbus-bin \
    webkit2gtk-driver
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
}

# ui/dist, which the app embeds; npm ci only when the lockfile changed.
ensure_ui_built() {
  local stamp="$TASKTALK_ROOT/ui/node_modules/.installed-lock"
  if ! cmp -s "$TASKTALK_ROOT/ui/package-lock.json" "$stamp" 2>/dev/null; then
    say "installing the UI's npm packages"
    (cd "$TASKTALK_ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$TASKTALK_ROOT/ui/package-lock.json" "$stamp"
  fi
  say "building the UI"
  npm --prefix "$TASKTALK_ROOT/ui" run --silent build >/dev/null
}

ensure_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 && return 0
  say "installing tauri-driver (about a minute, once)"
  cargo install tauri-driver --locked --quiet
}

# Uses the display in DISPLAY if it answers, else starts Xvfb on the first
# free display from $1 (default 99) and exports DISPLAY; XVFB_PID is set then.
ensure_display() {
  XVFB_PID=""
  if [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then return 0; fi
  local n="${1:-99}"
  while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  export DISPLAY=":$n"
  say "no display found: starting Xvfb on $DISPLAY"
  Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "Xvfb did not start on $DISPLAY"
}

# Starts a private D-Bus session bus, so the app's notifications (and the
# tray's) go to it and to nothing on the desktop; exports
# DBUS_SESSION_BUS_ADDRESS and sets DBUS_PID.
start_session_bus() {
  ensure_packages dbus-daemon dbus-bin
  local started
  started="$(dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1)"
  DBUS_SESSION_BUS_ADDRESS="$(sed -n 1p <<<"$started")"
  DBUS_PID="$(sed -n 2p <<<"$started")"
  export DBUS_SESSION_BUS_ADDRESS
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 that is free together with the next one (tauri-driver
# listens on the first and runs WebKitWebDriver on the second).
free_port_pair() {
  local port="${1:-4444}"
  while port_in_use "$port" || port_in_use "$((port + 1))"; do port=$((port + 2)); done
  echo "$port"
}
