# shellcheck shell=bash
# Shared code for scripts/stack/{up,down,status,env,start-service,stop-service,restart-service}.
# Sourced, never executed. See docs/stack.md.

STACK_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STACK_REPO_DIR="$(cd "$STACK_SCRIPTS_DIR/../.." && pwd)"

# ---------------------------------------------------------------- configuration
STACK_DIR="${MLFLOW_TS_STACK_DIR:-$STACK_REPO_DIR/.stack}"
STACK_CACHE="${MLFLOW_TS_STACK_CACHE:-${HOME:-/root}/.cache/mlflow-ts-stack}"

# Every default port lies below 32768, outside Linux's ephemeral range (32768-60999,
# net.ipv4.ip_local_port_range): a stack port inside it can be taken as the source port of an
# outgoing connection (an MLflow server's pooled PostgreSQL connection held 55084 once, and the
# extra version that listens there could not start: CI of 2026-12-07).
: "${STACK_PG_PORT:=25432}"
: "${STACK_PG_USER:=mlflow}"
: "${STACK_PG_PASSWORD:=mlflow-pg-secret}"
: "${STACK_PG_DB_DIRECT:=mlflow}"
: "${STACK_PG_DB_PROXIED:=mlflow_proxied}"
: "${STACK_PG_DB_AUTH:=mlflow_auth}"
: "${STACK_PG_DB_AUTH_USERS:=mlflow_auth_users}"
: "${STACK_PG_DB_WORKSPACES:=mlflow_workspaces}"

: "${STACK_S3_PORT:=28333}"
: "${STACK_S3_GRPC_PORT:=28343}"
: "${STACK_S3_MASTER_PORT:=28300}"
: "${STACK_S3_MASTER_GRPC_PORT:=28310}"
: "${STACK_S3_VOLUME_PORT:=28301}"
: "${STACK_S3_VOLUME_GRPC_PORT:=28311}"
: "${STACK_S3_FILER_PORT:=28302}"
: "${STACK_S3_FILER_GRPC_PORT:=28312}"
: "${STACK_S3_ACCESS_KEY:=mlflowts-access}"
: "${STACK_S3_SECRET_KEY:=mlflowts-secret-key-123}"
: "${STACK_S3_REGION:=us-east-1}"
: "${STACK_BUCKET_DIRECT:=mlflow}"
: "${STACK_BUCKET_PROXIED:=mlflow-proxied}"
: "${STACK_BUCKET_AUTH:=mlflow-auth}"
: "${STACK_BUCKET_WORKSPACES:=mlflow-workspaces}"
# Every bucket is a SeaweedFS collection that takes 7 volumes when its first object is written;
# volumes are not preallocated (they grow with their data), so the cap only bounds their count.
# 0 would mean "free disk / 1 GiB", which ran out after about ten buckets (three per extra MLflow
# version): "No writable volumes and no free volumes left".
: "${STACK_S3_VOLUME_MAX:=600}"

: "${STACK_MLFLOW_DIRECT_PORT:=25000}"
: "${STACK_MLFLOW_PROXIED_PORT:=25001}"
: "${STACK_MLFLOW_AUTH_PORT:=25002}"
# A server with workspaces enabled (`--enable-workspaces`, MLflow 3.10+), proxying artifacts.
: "${STACK_MLFLOW_WORKSPACES_PORT:=25003}"
: "${STACK_MLFLOW_WORKERS:=2}"
# MLflow 3.x starts huey job consumers (GenAI scorers, periodic tasks) per server: ~8 extra
# python processes and ~2 GiB RSS each; the SDK tests do not need them.
: "${STACK_MLFLOW_JOB_EXECUTION:=false}"
: "${STACK_AUTH_ADMIN_USER:=admin}"
: "${STACK_AUTH_ADMIN_PASSWORD:=admin-secret-pw}"
: "${STACK_AUTH_READER_USER:=reader}"
: "${STACK_AUTH_READER_PASSWORD:=reader-secret-pw}"

# Bounded waits (seconds).
: "${STACK_WAIT_PG:=90}"
: "${STACK_WAIT_S3:=120}"
: "${STACK_WAIT_MLFLOW:=180}"

# SeaweedFS source: Go module + exact pseudo-version served by the module proxy.
SEAWEED_MODULE="github.com/seaweedfs/seaweedfs"
: "${STACK_SEAWEED_VERSION:=v0.0.0-20261109003541-7506e5f91cd6}"
STACK_MLFLOW_VERSION="$(sed -n 's/^mlflow==//p' "$STACK_SCRIPTS_DIR/requirements-mlflow.txt")"

# Derived paths.
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
VENV_DIR="$STACK_DIR/venv"
VENV_PY="$VENV_DIR/bin/python"
PG_DATA="$STACK_DIR/pg/data"
PG_SOCK_DIR="$STACK_DIR/pg/run"
S3_DIR="$STACK_DIR/s3"
WEED_BIN="$STACK_DIR/bin/weed"
WEED_CACHE_BIN="$STACK_CACHE/bin/weed-$STACK_SEAWEED_VERSION"
AUTH_DIR="$STACK_DIR/auth"
ALL_SERVICES=(pg s3 mlflow-direct mlflow-proxied mlflow-auth mlflow-workspaces)

pg_local_uri() { # $1 = database
  printf 'postgresql://%s:%s@127.0.0.1:%s/%s' "$STACK_PG_USER" "$STACK_PG_PASSWORD" "$STACK_PG_PORT" "$1"
}

# External PostgreSQL / object store overrides (skip starting the local service).
# STACK_PG_URI is also an *output* key of env.sh: a value equal to the local default
# (someone sourced env.sh) still means "use the local cluster".
STACK_PG_EXTERNAL=0
if [[ -n "${STACK_PG_URI:-}" && "${STACK_PG_URI}" != "$(pg_local_uri "$STACK_PG_DB_DIRECT")" ]]; then
  STACK_PG_EXTERNAL=1
fi
STACK_S3_EXTERNAL=0
if [[ -n "${STACK_S3_ENDPOINT:-}" && "${STACK_S3_ENDPOINT}" != "http://127.0.0.1:$STACK_S3_PORT" ]]; then
  STACK_S3_EXTERNAL=1
fi

# SQLAlchemy URI for MLflow: pin the psycopg2 driver. SQLAlchemy 2.1 maps a plain postgresql://
# to psycopg 3, whose server-side binding trips an MLflow 3.17.2 query (transition-stage with
# archive_existing_versions compares an integer column with a VARCHAR parameter); psycopg2 is
# also what most MLflow deployments run.
sa_uri() { # $1 = postgresql://… URI
  case "$1" in
    postgresql://*) printf 'postgresql+psycopg2://%s' "${1#postgresql://}" ;;
    *) printf '%s' "$1" ;;
  esac
}

# Replace the database name (URI path) of a postgresql:// URI, keeping any ?query.
pg_uri_with_db() { # $1 = uri, $2 = db
  local uri=$1 db=$2 base query=""
  if [[ "$uri" == *\?* ]]; then query="?${uri#*\?}"; uri="${uri%%\?*}"; fi
  base="${uri%/*}"
  [[ "$base" == *://* && "$base" != *:/ ]] || base="$uri"
  printf '%s/%s%s' "$base" "$db" "$query"
}

if [[ "$STACK_PG_EXTERNAL" == 1 ]]; then
  PG_URI_DIRECT="$STACK_PG_URI"
  PG_URI_PROXIED="${STACK_PG_PROXIED_URI:-$(pg_uri_with_db "$STACK_PG_URI" "$STACK_PG_DB_PROXIED")}"
  PG_URI_AUTH="${STACK_PG_AUTH_URI:-$(pg_uri_with_db "$STACK_PG_URI" "$STACK_PG_DB_AUTH")}"
  PG_URI_AUTH_USERS="${STACK_PG_AUTH_USERS_URI:-$(pg_uri_with_db "$STACK_PG_URI" "$STACK_PG_DB_AUTH_USERS")}"
  PG_URI_WORKSPACES="${STACK_PG_WORKSPACES_URI:-$(pg_uri_with_db "$STACK_PG_URI" "$STACK_PG_DB_WORKSPACES")}"
else
  PG_URI_DIRECT="$(pg_local_uri "$STACK_PG_DB_DIRECT")"
  PG_URI_PROXIED="$(pg_local_uri "$STACK_PG_DB_PROXIED")"
  PG_URI_AUTH="$(pg_local_uri "$STACK_PG_DB_AUTH")"
  PG_URI_AUTH_USERS="$(pg_local_uri "$STACK_PG_DB_AUTH_USERS")"
  PG_URI_WORKSPACES="$(pg_local_uri "$STACK_PG_DB_WORKSPACES")"
fi
if [[ "$STACK_S3_EXTERNAL" == 1 ]]; then
  S3_ENDPOINT="$STACK_S3_ENDPOINT"
else
  S3_ENDPOINT="http://127.0.0.1:$STACK_S3_PORT"
fi

# ---------------------------------------------------------------- output helpers
lock_stack() { # serialise the stack scripts (bounded wait); fd 9 stays open until exit
  exec 9>"$RUN_DIR/lock"
  flock -w 900 9 || die "another scripts/stack command still holds $RUN_DIR/lock after 900 s"
}

say() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: WARNING: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

show_log() { # $1 = log file; prints its last 60 lines to stderr
  local f=$1
  if [[ -f "$f" ]]; then
    printf -- '----- last 60 lines of %s -----\n' "$f" >&2
    tail -n 60 "$f" >&2 || true
    printf -- '----- end of %s -----\n' "$f" >&2
  else
    printf 'stack: (no log file %s)\n' "$f" >&2
  fi
}

svc_log() { printf '%s/%s.log' "$LOG_DIR" "$1"; }
pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

svc_port() {
  case "$1" in
    pg) printf '%s' "$STACK_PG_PORT" ;;
    s3) printf '%s' "$STACK_S3_PORT" ;;
    mlflow-direct) printf '%s' "$STACK_MLFLOW_DIRECT_PORT" ;;
    mlflow-proxied) printf '%s' "$STACK_MLFLOW_PROXIED_PORT" ;;
    mlflow-auth) printf '%s' "$STACK_MLFLOW_AUTH_PORT" ;;
    mlflow-workspaces) printf '%s' "$STACK_MLFLOW_WORKSPACES_PORT" ;;
    *)
      version_service "$1" || die "unknown service '$1' (known: ${ALL_SERVICES[*]}, mlflow-<version>-{direct,proxied,auth})"
      version_port "$VSVC_VERSION" "$VSVC_ROLE"
      ;;
  esac
}

check_service_name() {
  local s
  for s in "${ALL_SERVICES[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  version_service "$1" && return 0
  die "unknown service '$1' (known: ${ALL_SERVICES[*]}, mlflow-<version>-{direct,proxied,auth} for a version under scripts/stack/versions)"
}

is_external() { # service managed outside this stack?
  case "$1" in
    pg) [[ "$STACK_PG_EXTERNAL" == 1 ]] ;;
    s3) [[ "$STACK_S3_EXTERNAL" == 1 ]] ;;
    *) return 1 ;;
  esac
}

ensure_dirs() {
  mkdir -p "$STACK_DIR"
  STACK_DIR="$(cd "$STACK_DIR" && pwd)"
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$STACK_DIR/bin" "$AUTH_DIR" "$STACK_CACHE"
  chmod 755 "$STACK_DIR" "$LOG_DIR"
  cd "$STACK_DIR" || die "cannot cd to $STACK_DIR" # daemons inherit it as their working directory
}

# Is something listening on 127.0.0.1:$1?
port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# ---------------------------------------------------------------- process control
# The pid in $RUN_DIR/<svc>.pid is a session/process-group leader (started with setsid),
# so a whole service tree (mlflow CLI -> uvicorn -> workers) is signalled at once.
svc_pid() { # prints pid if the pid file names a live process of *this* stack
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(head -n1 "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: the command line must mention our state dir
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STACK_DIR" || return 1
  printf '%s' "$pid"
}

start_daemon() { # $1 = service, $2... = command; output appended to the service log
  local name=$1 log
  shift
  log="$(svc_log "$name")"
  printf '\n===== %s: start %s =====\n' "$(date -Is)" "$name" >>"$log"
  # fd 9 is the scripts' lock (see lock_stack): daemons must not inherit it
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" >"$(pid_file "$name")"
}

# Pid of a process group whose leader died (e.g. kill -9 of the mlflow CLI) but whose
# members (uvicorn workers) are still ours and may still hold the port.
orphan_group() {
  local f pid m
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(head -n1 "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  for m in $(pgrep -g "$pid" 2>/dev/null || true); do
    if tr '\0' ' ' <"/proc/$m/cmdline" 2>/dev/null | grep -qF -- "$STACK_DIR"; then
      printf '%s' "$pid"
      return 0
    fi
  done
  return 1
}

stop_group() { # $1 = service; TERM the process group, then KILL after a bounded wait
  local name=$1 pid i
  if ! pid="$(svc_pid "$name")" && ! pid="$(orphan_group "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do # at most 30 s
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    warn "$name (pgid $pid) did not stop in 30 s; sending KILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.5
    done
  fi
  rm -f "$(pid_file "$name")"
}

# wait_ready <service> <timeout-seconds>: polls svc_healthy; fails early if the process died.
wait_ready() {
  local name=$1 timeout=$2 start=$SECONDS tries=0 max
  max=$((timeout * 2 + 10))
  while ((tries < max && SECONDS - start < timeout)); do
    if svc_healthy "$name"; then return 0; fi
    if ! is_external "$name" && ! svc_pid "$name" >/dev/null; then
      printf 'stack: ERROR: %s exited during start-up\n' "$name" >&2
      show_log "$(svc_log "$name")"
      return 1
    fi
    tries=$((tries + 1))
    sleep 0.5
  done
  printf 'stack: ERROR: %s not ready after %ss (%s tries)\n' "$name" "$timeout" "$tries" >&2
  show_log "$(svc_log "$name")"
  return 1
}

# ---------------------------------------------------------------- health checks
http_code() { # $1 = url; prints the HTTP status ("000" if no answer)
  curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$1" 2>/dev/null || true
}

svc_healthy() {
  case "$1" in
    pg)
      if [[ "$STACK_PG_EXTERNAL" == 1 ]]; then
        [[ -x "$VENV_PY" ]] && "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" pg-check "$PG_URI_DIRECT" >/dev/null 2>&1
      else
        local bin
        bin="$(pg_bindir 2>/dev/null)" || return 1
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$STACK_PG_PORT" -t 2 >/dev/null 2>&1
      fi
      ;;
    s3)
      # any HTTP answer (403 AccessDenied for an anonymous GET) means the gateway is up
      local code
      code="$(http_code "$S3_ENDPOINT/")"
      [[ "$code" != "000" && -n "$code" ]]
      ;;
    mlflow-*)
      [[ "$(http_code "http://127.0.0.1:$(svc_port "$1")/health")" == 200 ]]
      ;;
  esac
}

# ---------------------------------------------------------------- python venv
base_python() {
  local p
  if [[ -n "${STACK_BASE_PYTHON:-}" ]]; then printf '%s' "$STACK_BASE_PYTHON"; return 0; fi
  for p in /root/.pyenv/versions/3.11*/bin/python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11*/bin/python3; do
    [[ -x "$p" ]] && { printf '%s' "$p"; return 0; }
  done
  for p in python3.11 python3; do
    command -v "$p" >/dev/null 2>&1 && { command -v "$p"; return 0; }
  done
  return 1
}

req_hash() {
  cat "$STACK_SCRIPTS_DIR/requirements.txt" "$STACK_SCRIPTS_DIR/requirements-mlflow.txt" | sha256sum | cut -c1-16
}

ensure_venv() {
  local stamp="$VENV_DIR/.stack-requirements" want log py
  want="$(req_hash)"
  log="$LOG_DIR/venv-install.log"
  if [[ -x "$VENV_PY" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "python venv ok ($VENV_DIR, mlflow $STACK_MLFLOW_VERSION)"
    return 0
  fi
  py="$(base_python)" || die "no python3 found (set STACK_BASE_PYTHON)"
  say "installing python venv in $VENV_DIR with $py (log: $log)"
  local t0=$SECONDS
  {
    [[ -x "$VENV_PY" ]] || "$py" -m venv "$VENV_DIR"
    export PIP_CACHE_DIR="$STACK_CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    # 1) everything mlflow needs (skinny/tracing 3.17.2, see requirements.txt header)
    "$VENV_PY" -m pip install --quiet -r "$STACK_SCRIPTS_DIR/requirements.txt"
    # 2) mlflow itself, last, without deps, so its files win over mlflow-skinny's copies
    "$VENV_PY" -m pip install --quiet --no-deps --force-reinstall -r "$STACK_SCRIPTS_DIR/requirements-mlflow.txt"
    # 3) every file of the mlflow dist must match its RECORD hash (i.e. nothing from skinny)
    "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" verify-mlflow-install
    # 4) the pinned set must be consistent
    "$VENV_PY" -m pip check
  } >>"$log" 2>&1 || { show_log "$log"; die "python venv install failed"; }
  printf '%s\n' "$want" >"$stamp"
  say "python venv installed in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- SeaweedFS binary
weed_build() { # builds $WEED_CACHE_BIN from the Go module proxy; output to stdout/stderr
  command -v go >/dev/null 2>&1 || { echo "go toolchain not found on PATH"; return 1; }
  local dir src tmp
  export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN="${STACK_GOTOOLCHAIN:-auto}" GOWORK=off
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/stack-weed-build.XXXXXX")"
  src="$tmp/src"
  echo "== $(date -Is) building $SEAWEED_MODULE@$STACK_SEAWEED_VERSION with $(go version)"
  # `go install module@version` refuses modules with replace directives, so fetch the
  # module source through the proxy and build it as the main module.
  dir="$(cd "$tmp" && go mod download -json "$SEAWEED_MODULE@$STACK_SEAWEED_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || { echo "go mod download gave no source dir"; rm -rf "$tmp"; return 1; }
  cp -r "$dir" "$src" && chmod -R u+w "$src"
  mkdir -p "$(dirname "$WEED_CACHE_BIN")"
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$WEED_CACHE_BIN.tmp.$$" ./weed) || { rm -rf "$tmp"; return 1; }
  mv -f "$WEED_CACHE_BIN.tmp.$$" "$WEED_CACHE_BIN"
  rm -rf "$tmp"
  echo "== $(date -Is) done: $("$WEED_CACHE_BIN" version)"
}

WEED_BUILD_PID=""
weed_build_start_bg() { # starts the build in the background if needed
  if [[ "$STACK_S3_EXTERNAL" == 1 || -x "$WEED_BIN" || -x "$WEED_CACHE_BIN" ]]; then return 0; fi
  say "building SeaweedFS $STACK_SEAWEED_VERSION with $(go env GOVERSION 2>/dev/null || echo go) in the background (log: $LOG_DIR/weed-build.log; ~4-10 min on 2 cores)"
  WEED_BUILD_T0=$SECONDS
  weed_build >>"$LOG_DIR/weed-build.log" 2>&1 9>&- &
  WEED_BUILD_PID=$!
}

ensure_weed() {
  [[ "$STACK_S3_EXTERNAL" == 1 ]] && return 0
  if [[ -n "$WEED_BUILD_PID" ]]; then
    say "waiting for the SeaweedFS build"
    # bounded: the build itself is under `timeout` below only when run synchronously,
    # so bound the wait here (60 min)
    local i
    for ((i = 0; i < 3600; i++)); do
      kill -0 "$WEED_BUILD_PID" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$WEED_BUILD_PID" 2>/dev/null; then
      kill "$WEED_BUILD_PID" 2>/dev/null || true
      show_log "$LOG_DIR/weed-build.log"
      die "SeaweedFS build took more than 60 min"
    fi
    wait "$WEED_BUILD_PID" || { show_log "$LOG_DIR/weed-build.log"; die "SeaweedFS build failed"; }
    WEED_BUILD_PID=""
    say "SeaweedFS built in $((SECONDS - WEED_BUILD_T0))s, cached at $WEED_CACHE_BIN"
  fi
  if [[ ! -x "$WEED_CACHE_BIN" && ! -x "$WEED_BIN" ]]; then
    say "building SeaweedFS $STACK_SEAWEED_VERSION (log: $LOG_DIR/weed-build.log)"
    local t0=$SECONDS
    timeout 3600 bash -c "$(declare -f weed_build); $(declare -p SEAWEED_MODULE STACK_SEAWEED_VERSION WEED_CACHE_BIN); weed_build" \
      >>"$LOG_DIR/weed-build.log" 2>&1 || { show_log "$LOG_DIR/weed-build.log"; die "SeaweedFS build failed"; }
    say "SeaweedFS built in $((SECONDS - t0))s"
  fi
  if [[ -x "$WEED_CACHE_BIN" ]] && ! cmp -s "$WEED_CACHE_BIN" "$WEED_BIN" 2>/dev/null; then
    ln -f "$WEED_CACHE_BIN" "$WEED_BIN.new" 2>/dev/null || cp "$WEED_CACHE_BIN" "$WEED_BIN.new"
    mv -f "$WEED_BIN.new" "$WEED_BIN"
  fi
  [[ -x "$WEED_BIN" ]] || die "no SeaweedFS binary at $WEED_BIN"
}

weed_version() {
  local v
  # `weed version` prints e.g. "version 30GB 4.53  linux amd64"
  v="$("$WEED_BIN" version 2>/dev/null | awk '/^version/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+/) { print $i; exit } }')" || true
  printf 'SeaweedFS %s (%s@%s)' "${v:-?}" "$SEAWEED_MODULE" "$STACK_SEAWEED_VERSION"
}

# ---------------------------------------------------------------- PostgreSQL
pg_bindir() {
  local d
  if [[ -n "${STACK_PG_BIN:-}" ]]; then printf '%s' "$STACK_PG_BIN"; return 0; fi
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n1)"
  [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || return 1
  printf '%s' "$d"
}

pg_user() { # OS user that owns/runs the cluster
  if [[ "$(id -u)" == 0 ]]; then printf 'postgres'; else id -un; fi
}

as_pg() { # run a command as the cluster's OS user
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_pg_installed() {
  if pg_bindir >/dev/null; then return 0; fi
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql; install the Debian package 'postgresql' (needs root) or set STACK_PG_BIN"
  say "installing PostgreSQL from Debian packages (apt-get install postgresql)"
  local log="$LOG_DIR/apt.log"
  {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends postgresql postgresql-client
  } >>"$log" 2>&1 || { show_log "$log"; die "apt-get install postgresql failed"; }
  pg_bindir >/dev/null || die "postgresql installed but no server binaries found"
  id postgres >/dev/null 2>&1 || die "the Debian postgresql package did not create the 'postgres' OS user"
}

pg_opts() {
  printf '%s' "-c listen_addresses=127.0.0.1 -p $STACK_PG_PORT -k $PG_SOCK_DIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c log_min_messages=warning -c log_connections=off"
}

ensure_pg_cluster() {
  local bin owner log
  bin="$(pg_bindir)"
  owner="$(pg_user)"
  log="$(svc_log pg)"
  mkdir -p "$STACK_DIR/pg" "$PG_SOCK_DIR"
  touch "$log"
  if [[ "$(id -u)" == 0 ]]; then
    chown "$owner:" "$STACK_DIR/pg" "$PG_SOCK_DIR" "$log"
    as_pg test -x "$STACK_DIR/pg" || die "user 'postgres' cannot reach $STACK_DIR (a parent directory is not world-traversable); set MLFLOW_TS_STACK_DIR elsewhere"
  fi
  chmod 700 "$STACK_DIR/pg" "$PG_SOCK_DIR"
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    say "initialising PostgreSQL cluster in $PG_DATA"
    local pwfile
    pwfile="$(mktemp "$STACK_DIR/pg/.pw.XXXXXX")"
    # the superuser gets a random password; admin work goes over the private unix socket (peer auth)
    head -c 24 /dev/urandom | base64 >"$pwfile"
    [[ "$(id -u)" == 0 ]] && chown "$owner:" "$pwfile"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
      --auth-local=peer --auth-host=scram-sha-256 --pwfile="$pwfile" >>"$log" 2>&1 ||
      { rm -f "$pwfile"; show_log "$log"; die "initdb failed"; }
    rm -f "$pwfile"
  fi
}

pg_start() {
  local bin log pid
  bin="$(pg_bindir)"
  log="$(svc_log pg)"
  printf '\n===== %s: start pg =====\n' "$(date -Is)" >>"$log"
  # shellcheck disable=SC2094 # pg_ctl and its own output both append to the log
  as_pg "$bin/pg_ctl" start -D "$PG_DATA" -l "$log" -w -t "$STACK_WAIT_PG" -o "$(pg_opts)" >>"$log" 2>&1 9>&- ||
    { show_log "$log"; die "pg_ctl start failed"; }
  pid="$(head -n1 "$PG_DATA/postmaster.pid")"
  printf '%s\n' "$pid" >"$(pid_file pg)"
}

pg_stop() {
  local bin
  if bin="$(pg_bindir 2>/dev/null)" && [[ -f "$PG_DATA/postmaster.pid" ]]; then
    as_pg "$bin/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >>"$(svc_log pg)" 2>&1 || stop_group pg
  fi
  rm -f "$(pid_file pg)"
}

pg_psql() { # superuser psql over the private unix socket
  local bin
  bin="$(pg_bindir)"
  as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$STACK_PG_PORT" -U postgres -d postgres "$@"
}

pg_ensure_roles_dbs() {
  local db sqlpw
  sqlpw="${STACK_PG_PASSWORD//\'/\'\'}"
  pg_psql -f - >>"$(svc_log pg)" 2>&1 <<SQL || { show_log "$(svc_log pg)"; die "creating role $STACK_PG_USER failed"; }
SELECT format('CREATE ROLE %I LOGIN', '$STACK_PG_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$STACK_PG_USER')\gexec
ALTER ROLE "$STACK_PG_USER" WITH LOGIN PASSWORD '$sqlpw';
SQL
  pg_create_dbs "$STACK_PG_DB_DIRECT" "$STACK_PG_DB_PROXIED" "$STACK_PG_DB_AUTH" "$STACK_PG_DB_AUTH_USERS" "$STACK_PG_DB_WORKSPACES"
}

pg_create_dbs() { # $@ = database names; creates the missing ones on the local cluster, owned by $STACK_PG_USER
  local db
  for db in "$@"; do
    pg_psql -f - >>"$(svc_log pg)" 2>&1 <<SQL || { show_log "$(svc_log pg)"; die "creating database $db failed"; }
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$STACK_PG_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db')\gexec
SQL
  done
}

svc_start_pg() {
  if [[ "$STACK_PG_EXTERNAL" == 1 ]]; then
    if ! wait_ready pg "$STACK_WAIT_PG"; then
      "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" pg-check "$PG_URI_DIRECT" || true
      die "external PostgreSQL ($(redact_uri "$STACK_PG_URI")) does not answer"
    fi
    "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" pg-ensure-dbs "$PG_URI_DIRECT" "$PG_URI_PROXIED" "$PG_URI_AUTH" "$PG_URI_AUTH_USERS" "$PG_URI_WORKSPACES" ||
      die "external PostgreSQL: the databases are missing and could not be created"
    say "postgres: using external $(redact_uri "$PG_URI_DIRECT")"
    return 0
  fi
  ensure_pg_installed
  ensure_pg_cluster
  local how=up
  if [[ -f "$PG_DATA/postmaster.pid" ]] && svc_healthy pg; then
    head -n1 "$PG_DATA/postmaster.pid" >"$(pid_file pg)"
    how="already running (reused)"
  else
    if port_open "$STACK_PG_PORT"; then
      die "port 127.0.0.1:$STACK_PG_PORT is taken by a process this stack did not start (set STACK_PG_PORT)"
    fi
    pg_start
    wait_ready pg "$STACK_WAIT_PG" || die "postgres did not become ready"
  fi
  pg_ensure_roles_dbs
  say "postgres $how on 127.0.0.1:$STACK_PG_PORT (databases: $STACK_PG_DB_DIRECT, $STACK_PG_DB_PROXIED, $STACK_PG_DB_AUTH, $STACK_PG_DB_AUTH_USERS, $STACK_PG_DB_WORKSPACES)"
}

redact_uri() { printf '%s' "$1" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

# ---------------------------------------------------------------- S3 (SeaweedFS)
write_s3_config() {
  mkdir -p "$S3_DIR/data" "$S3_DIR/run"
  umask 077
  "$VENV_PY" - "$S3_DIR/identities.json" "$STACK_S3_ACCESS_KEY" "$STACK_S3_SECRET_KEY" <<'PY'
import json, sys
path, ak, sk = sys.argv[1:4]
cfg = {"identities": [{
    "name": "mlflowts",
    "credentials": [{"accessKey": ak, "secretKey": sk}],
    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
}]}
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
PY
  # JWT keys for master<->volume and s3-gateway<->filer traffic, so that the internal HTTP
  # ports (filer, volume) do not accept unsigned writes/reads that bypass S3 auth.
  local f="$S3_DIR/jwt-keys"
  if [[ ! -s "$f" ]]; then
    for _ in 1 2 3; do head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; done >"$f"
  fi
  umask 022
  mapfile -t S3_JWT_KEYS <"$f"
}

svc_start_s3() {
  if [[ "$STACK_S3_EXTERNAL" == 1 ]]; then
    wait_ready s3 "$STACK_WAIT_S3" || die "external S3 endpoint $S3_ENDPOINT does not answer"
    say "s3: using external $S3_ENDPOINT"
    return 0
  fi
  if svc_pid s3 >/dev/null; then
    wait_ready s3 "$STACK_WAIT_S3" || die "s3 is running but not answering (try scripts/stack/restart-service s3)"
    say "s3 already running on 127.0.0.1:$STACK_S3_PORT (reused)"
    return 0
  fi
  stop_group s3 # leftovers of a crashed instance
  local p
  for p in "$STACK_S3_PORT" "$STACK_S3_GRPC_PORT" "$STACK_S3_MASTER_PORT" "$STACK_S3_MASTER_GRPC_PORT" \
    "$STACK_S3_VOLUME_PORT" "$STACK_S3_VOLUME_GRPC_PORT" "$STACK_S3_FILER_PORT" "$STACK_S3_FILER_GRPC_PORT"; do
    port_open "$p" && die "port 127.0.0.1:$p is taken by a process this stack did not start (see STACK_S3_*_PORT)"
  done
  ensure_weed
  write_s3_config
  # weed adds an admin identity from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY if they are in
  # its environment: strip them so only identities.json grants access.
  start_daemon s3 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    "WEED_JWT_SIGNING_KEY=${S3_JWT_KEYS[0]}" \
    "WEED_JWT_FILER_SIGNING_KEY=${S3_JWT_KEYS[1]}" \
    "WEED_JWT_FILER_SIGNING_READ_KEY=${S3_JWT_KEYS[2]}" \
    "$WEED_BIN" server \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$S3_DIR/data" \
    -master.port="$STACK_S3_MASTER_PORT" -master.port.grpc="$STACK_S3_MASTER_GRPC_PORT" \
    -master.telemetry=false -master.volumeSizeLimitMB=1024 -master.electionTimeout=1s \
    -master.vacuumIntervalSeconds=120 -master.garbageThreshold=0.1 \
    -volume.port="$STACK_S3_VOLUME_PORT" -volume.port.grpc="$STACK_S3_VOLUME_GRPC_PORT" \
    -volume.max="$STACK_S3_VOLUME_MAX" -volume.preStopSeconds=1 \
    -filer -filer.port="$STACK_S3_FILER_PORT" -filer.port.grpc="$STACK_S3_FILER_GRPC_PORT" \
    -filer.localSocket="$S3_DIR/run/filer.sock" \
    -s3 -s3.port="$STACK_S3_PORT" -s3.port.grpc="$STACK_S3_GRPC_PORT" \
    -s3.port.iceberg=0 -s3.port.lance=0 -s3.localSocket="$S3_DIR/run/s3.sock" \
    -s3.config="$S3_DIR/identities.json"
  wait_ready s3 "$STACK_WAIT_S3" || die "s3 did not become ready"
  say "s3 ($(weed_version)) up on 127.0.0.1:$STACK_S3_PORT"
}

s3_setup() { # buckets + signature / multipart self-test ($1 = "quick" to skip the self-test; then the buckets, default those of the default servers)
  local log="$LOG_DIR/s3-setup.log" args=() buckets
  [[ "${STACK_S3_SKIP_VERIFY:-0}" == 1 || "${1:-}" == quick ]] && args+=(--skip-verify)
  shift || true
  buckets=("$@")
  ((${#buckets[@]})) || buckets=("$STACK_BUCKET_DIRECT" "$STACK_BUCKET_PROXIED" "$STACK_BUCKET_AUTH" "$STACK_BUCKET_WORKSPACES")
  S3_ENDPOINT="$S3_ENDPOINT" STACK_S3_ACCESS_KEY="$STACK_S3_ACCESS_KEY" STACK_S3_SECRET_KEY="$STACK_S3_SECRET_KEY" \
    STACK_S3_REGION="$STACK_S3_REGION" STACK_S3_WAIT="$STACK_WAIT_S3" \
    "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" s3-setup "${args[@]}" "${buckets[@]}" >>"$log" 2>&1 ||
    { show_log "$log"; show_log "$(svc_log s3)"; die "S3 bucket setup / self-test failed"; }
  local IFS=,
  if ((${#args[@]})); then
    say "s3 buckets ready: ${buckets[*]}"
  else
    say "s3 buckets ready: ${buckets[*]} (SigV4 refusal + multipart self-test passed, see $log)"
  fi
}

# ---------------------------------------------------------------- MLflow servers
auth_ini() { printf '%s/basic_auth.ini' "$AUTH_DIR"; }

write_auth_config() { # [$1 = ini path, $2 = user-store URI]; defaults: the default auth server's
  local ini=${1:-$(auth_ini)} users_uri=${2:-$PG_URI_AUTH_USERS} key_file="$AUTH_DIR/flask_secret_key"
  mkdir -p "$AUTH_DIR" "$(dirname "$ini")"
  chmod 700 "$AUTH_DIR" "$(dirname "$ini")"
  [[ -s "$key_file" ]] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$key_file"
  umask 077
  cat >"$ini" <<INI
[mlflow]
default_permission = READ
database_uri = $(sa_uri "$users_uri")
admin_username = $STACK_AUTH_ADMIN_USER
admin_password = $STACK_AUTH_ADMIN_PASSWORD
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
INI
  umask 022
}

# A Fernet key for the webhook secrets the servers store: without one each server process draws its
# own, and a secret written through one worker cannot be read by the other.
webhook_key() {
  local key_file="$STACK_DIR/webhook_secret_key"
  [[ -s "$key_file" ]] || (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' >"$key_file")
  cat "$key_file"
}

# What one MLflow service runs: fills SPEC_ROLE (direct|proxied|auth), SPEC_VENV, SPEC_PG_URI,
# SPEC_BUCKET, SPEC_AUTH_INI, SPEC_AUTH_USERS_URI, SPEC_WORKERS, SPEC_SERVER_ARGS (more `mlflow server`
# options). The default servers use the stack's
# venv and databases; an extra version's (mlflow-<version>-<role>, lib-versions.sh) its own.
mlflow_spec() { # $1 = service
  local name=$1
  if version_service "$name"; then
    version_spec "$VSVC_VERSION" "$VSVC_ROLE"
    return 0
  fi
  SPEC_ROLE=${name#mlflow-}
  SPEC_VENV=$VENV_DIR
  SPEC_WORKERS=$STACK_MLFLOW_WORKERS
  SPEC_SERVER_ARGS=()
  SPEC_AUTH_INI="$(auth_ini)"
  SPEC_AUTH_USERS_URI=$PG_URI_AUTH_USERS
  case "$SPEC_ROLE" in
    direct) SPEC_PG_URI=$PG_URI_DIRECT SPEC_BUCKET=$STACK_BUCKET_DIRECT ;;
    proxied) SPEC_PG_URI=$PG_URI_PROXIED SPEC_BUCKET=$STACK_BUCKET_PROXIED ;;
    auth) SPEC_PG_URI=$PG_URI_AUTH SPEC_BUCKET=$STACK_BUCKET_AUTH ;;
    workspaces) SPEC_PG_URI=$PG_URI_WORKSPACES SPEC_BUCKET=$STACK_BUCKET_WORKSPACES ;;
    *) die "unknown MLflow service '$name'" ;;
  esac
}

mlflow_server_cmd() { # $1 = service; prints nothing, fills MLFLOW_CMD array
  local name=$1 port
  port="$(svc_port "$name")"
  mlflow_spec "$name"
  MLFLOW_CMD=(env
    "MLFLOW_S3_ENDPOINT_URL=$S3_ENDPOINT"
    "AWS_ACCESS_KEY_ID=$STACK_S3_ACCESS_KEY"
    "AWS_SECRET_ACCESS_KEY=$STACK_S3_SECRET_KEY"
    "AWS_DEFAULT_REGION=$STACK_S3_REGION"
    "MLFLOW_DISABLE_TELEMETRY=true" "DO_NOT_TRACK=true"
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION=$STACK_MLFLOW_JOB_EXECUTION"
    "PYTHONWARNINGS=ignore::UserWarning:mlflow"
    # Webhooks: the tests deliver to a receiver on loopback over plain HTTP, which MLflow refuses by default.
    # and a 1 s cache of the webhooks per event (default 60 s) lets a test see a new webhook's first event.
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https" "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true" "MLFLOW_WEBHOOK_CACHE_TTL=1"
    "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY=$(webhook_key)"
  )
  if [[ "$SPEC_ROLE" == auth ]]; then
    MLFLOW_CMD+=("MLFLOW_AUTH_CONFIG_PATH=$SPEC_AUTH_INI"
      "MLFLOW_FLASK_SERVER_SECRET_KEY=$(cat "$AUTH_DIR/flask_secret_key")")
  fi
  # Proxied multipart uploads (presigned parts): from 3.18 a server advertises them in server-info
  # only when its operator opts in with this variable (before, whenever the artifact store could);
  # clients follow the advertisement, as Python's does. Harmless to older servers.
  case "$SPEC_ROLE" in
    proxied | workspaces) MLFLOW_CMD+=("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true") ;;
  esac
  MLFLOW_CMD+=("$SPEC_VENV/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers "$SPEC_WORKERS"
    --backend-store-uri "$(sa_uri "$SPEC_PG_URI")" "${SPEC_SERVER_ARGS[@]}")
  case "$SPEC_ROLE" in
    direct) MLFLOW_CMD+=(--default-artifact-root "s3://$SPEC_BUCKET/" --no-serve-artifacts) ;;
    proxied) MLFLOW_CMD+=(--serve-artifacts --artifacts-destination "s3://$SPEC_BUCKET/") ;;
    auth) MLFLOW_CMD+=(--default-artifact-root "s3://$SPEC_BUCKET/" --no-serve-artifacts --app-name basic-auth) ;;
    # Workspaces need a SQL backend; the workspace store defaults to the tracking store's database.
    workspaces) MLFLOW_CMD+=(--serve-artifacts --artifacts-destination "s3://$SPEC_BUCKET/" --enable-workspaces) ;;
  esac
}

svc_launch_mlflow() { # start without waiting
  local name=$1 port
  port="$(svc_port "$name")"
  if svc_pid "$name" >/dev/null; then
    MLFLOW_REUSED+=("$name")
    return 0
  fi
  stop_group "$name" # leftovers of a crashed instance
  port_open "$port" && die "port 127.0.0.1:$port is taken by a process this stack did not start (set the STACK_MLFLOW_*_PORT variables)"
  mlflow_spec "$name"
  [[ "$SPEC_ROLE" == auth ]] && write_auth_config "$SPEC_AUTH_INI" "$SPEC_AUTH_USERS_URI"
  mlflow_server_cmd "$name"
  start_daemon "$name" "${MLFLOW_CMD[@]}"
}

svc_wait_mlflow() {
  local name=$1 port
  port="$(svc_port "$name")"
  wait_ready "$name" "$STACK_WAIT_MLFLOW" || die "$name did not become ready"
  local how="up"
  [[ " ${MLFLOW_REUSED[*]:-} " == *" $name "* ]] && how="already running (reused)"
  say "$name $how on http://127.0.0.1:$port"
}

auth_setup() { # [$1 = service; default mlflow-auth]
  local log="$LOG_DIR/auth-setup.log" name=${1:-mlflow-auth} port
  port="$(svc_port "$name")"
  "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" auth-setup "http://127.0.0.1:$port" \
    "$STACK_AUTH_ADMIN_USER" "$STACK_AUTH_ADMIN_PASSWORD" "$STACK_AUTH_READER_USER" "$STACK_AUTH_READER_PASSWORD" >>"$log" 2>&1 ||
    { show_log "$log"; die "basic-auth user setup failed"; }
  say "$name users ready: $STACK_AUTH_ADMIN_USER (admin), $STACK_AUTH_READER_USER (READ only)"
}

# ---------------------------------------------------------------- service dispatch
# start_service <name>: start (or reuse) one service and wait until it answers.
start_service() {
  local name=$1
  case "$name" in
    pg) svc_start_pg ;;
    s3) svc_start_s3 ;;
    mlflow-*)
      MLFLOW_REUSED=()
      svc_launch_mlflow "$name"
      svc_wait_mlflow "$name"
      ;;
  esac
}

stop_service() {
  local name=$1
  if is_external "$name"; then
    say "$name is external; not stopping it"
    return 0
  fi
  case "$name" in
    pg) pg_stop ;;
    *) stop_group "$name" ;;
  esac
  say "$name stopped"
}

# ---------------------------------------------------------------- env files
env_pairs() {
  cat <<EOF
MLFLOW_TRACKING_URI=http://127.0.0.1:$STACK_MLFLOW_DIRECT_PORT
MLFLOW_S3_ENDPOINT_URL=$S3_ENDPOINT
AWS_ACCESS_KEY_ID=$STACK_S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$STACK_S3_SECRET_KEY
AWS_DEFAULT_REGION=$STACK_S3_REGION
STACK_PROXIED_URI=http://127.0.0.1:$STACK_MLFLOW_PROXIED_PORT
STACK_AUTH_URI=http://127.0.0.1:$STACK_MLFLOW_AUTH_PORT
STACK_WORKSPACES_URI=http://127.0.0.1:$STACK_MLFLOW_WORKSPACES_PORT
STACK_AUTH_ADMIN_USER=$STACK_AUTH_ADMIN_USER
STACK_AUTH_ADMIN_PASSWORD=$STACK_AUTH_ADMIN_PASSWORD
STACK_AUTH_READER_USER=$STACK_AUTH_READER_USER
STACK_AUTH_READER_PASSWORD=$STACK_AUTH_READER_PASSWORD
STACK_PYTHON=$VENV_PY
STACK_PG_URI=$PG_URI_DIRECT
STACK_PG_AUTH_URI=$PG_URI_AUTH
STACK_BUCKET_DIRECT=$STACK_BUCKET_DIRECT
STACK_BUCKET_PROXIED=$STACK_BUCKET_PROXIED
STACK_BUCKET_AUTH=$STACK_BUCKET_AUTH
STACK_BUCKET_WORKSPACES=$STACK_BUCKET_WORKSPACES
STACK_PG_WORKSPACES_URI=$PG_URI_WORKSPACES
STACK_MLFLOW_VERSION=$STACK_MLFLOW_VERSION
STACK_S3_SERVER=$STACK_S3_SERVER_NAME
STACK_DIR=$STACK_DIR
STACK_LOG_DIR=$LOG_DIR
STACK_RUN_DIR=$RUN_DIR
EOF
}

write_env_files() {
  if [[ "$STACK_S3_EXTERNAL" == 1 ]]; then
    STACK_S3_SERVER_NAME="external ($S3_ENDPOINT)"
  else
    STACK_S3_SERVER_NAME="$(weed_version)"
  fi
  env_pairs | "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" write-env "$STACK_DIR/env.sh" "$STACK_DIR/env.json"
}

# ---------------------------------------------------------------- extra MLflow versions
# shellcheck source=scripts/stack/lib-versions.sh
source "$STACK_SCRIPTS_DIR/lib-versions.sh"
