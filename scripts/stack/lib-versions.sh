# shellcheck shell=bash
# Extra MLflow versions beside the default servers (sourced by lib.sh; see docs/stack.md, "Extra
# MLflow versions"). The supported-server range is tested by running the suites against older
# servers too; each version under scripts/stack/versions/<version>/ gets three servers of its own
# (direct, proxied, auth; 1 worker each) on the stack's PostgreSQL and S3 server, with its own
# databases and buckets, from a venv in the stack cache keyed by its hashed requirements.

STACK_VERSIONS_DIR="$STACK_SCRIPTS_DIR/versions"
# Ports: base + 3 × (index of the minor release) + 0 direct / 1 proxied / 2 auth. The default
# base sits 10 above the direct server, inside the stack's block of 100 ports.
: "${STACK_MLFLOW_VERSIONS_PORT:=$((STACK_MLFLOW_DIRECT_PORT + 10))}"
: "${STACK_MLFLOW_VERSION_WORKERS:=1}"
# gunicorn's worker timeout (seconds) for the versions that serve with gunicorn (before 3.3; uvicorn
# from 3.3). gunicorn's default, 120 s, kills a sync worker in the middle of a request that takes
# longer: a proxied 1 GiB PUT on a loaded machine. Production servers raise it the same way
# (`mlflow server --gunicorn-opts "--timeout …"`, the option every one of these versions has).
: "${STACK_GUNICORN_TIMEOUT_S:=600}"
# uv (default) or pip: what installs an extra version's venv (measured in docs/stack.md).
: "${STACK_VENV_INSTALLER:=uv}"
: "${STACK_WAIT_VENV_LOCK:=900}"
UV_VERSION="$(sed -n 's/^uv==\([0-9.]*\).*/\1/p' "$STACK_SCRIPTS_DIR/requirements-uv.txt")"
UV_BIN="$STACK_CACHE/tools/uv-$UV_VERSION/bin/uv"

known_versions() { # every version with a requirements file, oldest first
  local d
  for d in "$STACK_VERSIONS_DIR"/*/requirements.txt; do
    [[ -f "$d" ]] && basename "$(dirname "$d")"
  done | sort -V
}

# resolve_versions ARG...: fills VERSIONS with the versions named (every one for "all"); dies on an
# unknown one (in this shell, so the caller stops).
resolve_versions() {
  local v
  VERSIONS=()
  for v in "$@"; do
    if [[ "$v" == all ]]; then
      mapfile -t -O "${#VERSIONS[@]}" VERSIONS < <(known_versions)
    elif [[ -f "$STACK_VERSIONS_DIR/$v/requirements.txt" ]]; then
      VERSIONS+=("$v")
    else
      die "no MLflow version '$v' in the stack (known: $(known_versions | tr '\n' ' ')). Fix: pick one of those, or add it with scripts/stack/pin-version $v"
    fi
  done
}

version_service() { # is $1 an extra version's service (mlflow-<version>-<role>)? sets VSVC_VERSION, VSVC_ROLE
  [[ "$1" =~ ^mlflow-([0-9]+\.[0-9]+\.[0-9]+)-(direct|proxied|auth)$ ]] || return 1
  [[ -f "$STACK_VERSIONS_DIR/${BASH_REMATCH[1]}/requirements.txt" ]] || return 1
  VSVC_VERSION=${BASH_REMATCH[1]}
  VSVC_ROLE=${BASH_REMATCH[2]}
}

version_services() { # $1 = version: its three services
  printf 'mlflow-%s-direct mlflow-%s-proxied mlflow-%s-auth' "$1" "$1" "$1"
}

version_slug() { printf 'v%s' "${1//./_}"; } # 2.14.3 -> v2_14_3

version_port() { # $1 = version, $2 = role
  local major minor rest idx off
  IFS=. read -r major minor rest <<<"$1"
  case "$major" in
    2) ((minor >= 14)) || die "MLflow $1 is older than the supported range (2.14 onwards)"; idx=$((minor - 14)) ;;
    3) idx=$((9 + minor)) ;;
    *) die "no port plan for MLflow $1 (lib-versions.sh: version_port)" ;;
  esac
  case "$2" in direct) off=0 ;; proxied) off=1 ;; auth) off=2 ;; esac
  printf '%s' $((STACK_MLFLOW_VERSIONS_PORT + 3 * idx + off))
}

version_db() { # $1 = version, $2 = role (direct|proxied|auth|auth_users)
  local db
  db="mlflow_$(version_slug "$1")"
  [[ "$2" == direct ]] || db+="_$2"
  printf '%s' "$db"
}

version_bucket() { # $1 = version, $2 = role
  local b
  b="mlflow-$(version_slug "$1" | tr _ -)"
  [[ "$2" == direct ]] || b+="-$2"
  printf '%s' "$b"
}

version_pg_uri() { # $1 = version, $2 = role (direct|proxied|auth|auth_users)
  if [[ "$STACK_PG_EXTERNAL" == 1 ]]; then
    pg_uri_with_db "$STACK_PG_URI" "$(version_db "$1" "$2")"
  else
    pg_local_uri "$(version_db "$1" "$2")"
  fi
}

version_state_dir() { printf '%s/versions/%s' "$STACK_DIR" "$1"; }

version_venv_dir() { # $1 = version: the cached venv for its current requirements
  local hash
  hash="$(sha256sum "$STACK_VERSIONS_DIR/$1/requirements.txt" | cut -c1-16)"
  printf '%s/venvs/mlflow-%s-%s' "$STACK_CACHE" "$1" "$hash"
}

# The venv as the servers call it: a link in the state dir to the cached venv, so that their command
# lines name the state dir (svc_pid trusts only a process whose command line does).
version_venv_link() { printf '%s/venv' "$(version_state_dir "$1")"; }

version_spec() { # $1 = version, $2 = role: fills the SPEC_* variables of mlflow_spec (lib.sh)
  SPEC_ROLE=$2
  SPEC_VENV="$(version_venv_link "$1")"
  SPEC_WORKERS=$STACK_MLFLOW_VERSION_WORKERS
  SPEC_PG_URI="$(version_pg_uri "$1" "$2")"
  SPEC_BUCKET="$(version_bucket "$1" "$2")"
  SPEC_AUTH_INI="$(version_state_dir "$1")/auth/basic_auth.ini"
  SPEC_AUTH_USERS_URI="$(version_pg_uri "$1" auth_users)"
  SPEC_SERVER_ARGS=()
  if version_serves_with_gunicorn "$1" || { [[ $2 == auth ]] && version_auth_needs_gunicorn "$1"; }; then
    SPEC_SERVER_ARGS=(--gunicorn-opts "--timeout $STACK_GUNICORN_TIMEOUT_S")
  fi
  return 0
}

# MLflow 3.3.x serves `--app-name basic-auth` (a Flask app) with uvicorn as if it were ASGI: every
# request answers 500 ("Flask.__call__() missing 1 required positional argument: 'start_response'"),
# so its auth server never becomes ready; with `--gunicorn-opts` it runs under gunicorn and works
# (3.4 wraps the app for uvicorn).
version_auth_needs_gunicorn() { # $1 = version: true for 3.3.x
  local major minor rest
  IFS=. read -r major minor rest <<<"$1"
  ((major == 3 && minor == 3))
}

version_serves_with_gunicorn() { # $1 = version: true before 3.3 (from 3.3 `mlflow server` runs uvicorn)
  local major minor rest
  IFS=. read -r major minor rest <<<"$1"
  ((major < 3 || (major == 3 && minor < 3)))
}

# ---------------------------------------------------------------- venvs
ensure_uv() {
  [[ -x "$UV_BIN" ]] && return 0
  local py dir log="$LOG_DIR/venv-install.log"
  py="$(base_python)" || die "no python3 found (set STACK_BASE_PYTHON)"
  dir="$(dirname "$(dirname "$UV_BIN")")"
  say "installing uv $UV_VERSION in $dir"
  {
    rm -rf "$dir.tmp.$$"
    "$py" -m venv "$dir.tmp.$$"
    PIP_CACHE_DIR="$STACK_CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
      "$dir.tmp.$$/bin/python" -m pip install --quiet --require-hashes -r "$STACK_SCRIPTS_DIR/requirements-uv.txt"
    rm -rf "$dir" && mv "$dir.tmp.$$" "$dir"
  } >>"$log" 2>&1 || { show_log "$log"; die "installing uv failed"; }
  # the venv was built under another name: its scripts' shebangs point there, so call the binary only
  [[ -x "$UV_BIN" ]] || die "uv install gave no $UV_BIN"
}

# version_pip_check VERSION CMD…: runs the installer's dependency check; a line that the version's
# pip-check-allow file lists (a requirement knowingly left out, e.g. 3.18.0's unserved mlflow-tracing;
# see its overrides.txt) is shown but does not fail it; any other finding does.
version_pip_check() {
  local v=$1 out allow="$STACK_VERSIONS_DIR/$1/pip-check-allow" rest
  shift
  if out="$("$@" 2>&1)"; then printf '%s\n' "$out"; return 0; fi
  printf '%s\n' "$out"
  [[ -f "$allow" ]] || return 1
  rest="$(printf '%s\n' "$out" | grep -v -i -F -f <(grep -v '^#' "$allow") | grep -v -E '^(Checked|Found) ' || true)"
  [[ -z "$rest" ]] || return 1
  echo "pip check: only what $allow allows is missing"
}

# ensure_version_venv VERSION: installs (once per requirements hash, shared by every state dir and
# clone on this machine) the venv an extra version's servers and Python client run from.
ensure_version_venv() {
  local v=$1 dir py log t0=$SECONDS
  dir="$(version_venv_dir "$v")"
  log="$LOG_DIR/venv-$v.log"
  mkdir -p "$STACK_CACHE/venvs"
  mkdir -p "$(version_state_dir "$v")"
  ln -sfn "$dir" "$(version_venv_link "$v")"
  if [[ -f "$dir/.stack-ok" ]]; then
    say "mlflow $v venv ok ($dir)"
    return 0
  fi
  # one installer per venv across every stack on this machine (bounded wait; fd 8)
  exec 8>"$dir.lock"
  flock -w "$STACK_WAIT_VENV_LOCK" 8 || die "another stack has been installing $dir for ${STACK_WAIT_VENV_LOCK}s. Fix: wait for it, or remove $dir.lock if no install runs"
  if [[ -f "$dir/.stack-ok" ]]; then
    exec 8>&-
    say "mlflow $v venv ok ($dir, installed by another stack meanwhile)"
    return 0
  fi
  py="$(base_python)" || die "no python3 found (set STACK_BASE_PYTHON)"
  say "installing mlflow $v venv with $STACK_VENV_INSTALLER in $dir (log: $log)"
  rm -rf "$dir"
  {
    case "$STACK_VENV_INSTALLER" in
      uv)
        ensure_uv
        UV_CACHE_DIR="$STACK_CACHE/uv" UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 "$UV_BIN" venv --quiet --python "$py" "$dir"
        UV_CACHE_DIR="$STACK_CACHE/uv" UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 VIRTUAL_ENV="$dir" \
          "$UV_BIN" pip install --quiet --require-hashes --no-deps -r "$STACK_VERSIONS_DIR/$v/requirements.txt"
        version_pip_check "$v" env UV_CACHE_DIR="$STACK_CACHE/uv" UV_NO_CONFIG=1 VIRTUAL_ENV="$dir" "$UV_BIN" pip check
        ;;
      pip)
        "$py" -m venv "$dir"
        PIP_CACHE_DIR="$STACK_CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
          "$dir/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$STACK_VERSIONS_DIR/$v/requirements.txt"
        version_pip_check "$v" "$dir/bin/python" -m pip check
        ;;
      *) echo "STACK_VENV_INSTALLER must be uv or pip, not '$STACK_VENV_INSTALLER'"; false ;;
    esac
    # the server must import with these pins (e.g. MLflow 2.14 does not with SQLAlchemy 2.1)
    "$dir/bin/python" -c "import mlflow, mlflow.server, sqlalchemy, psycopg2, boto3; assert mlflow.__version__ == '$v', mlflow.__version__; print('mlflow', mlflow.__version__, 'sqlalchemy', sqlalchemy.__version__)"
  } >>"$log" 2>&1 || { exec 8>&-; show_log "$log"; die "installing the mlflow $v venv failed"; }
  touch "$dir/.stack-ok"
  exec 8>&-
  say "mlflow $v venv installed in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- servers
version_storage_ensure() { # $1 = version: its databases and buckets
  local v=$1 r dbs=() uris=()
  for r in direct proxied auth auth_users; do
    dbs+=("$(version_db "$v" "$r")")
    uris+=("$(version_pg_uri "$v" "$r")")
  done
  if [[ "$STACK_PG_EXTERNAL" == 1 ]]; then
    "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" pg-ensure-dbs "${uris[@]}" ||
      die "external PostgreSQL: the databases of mlflow $v are missing and could not be created"
  else
    pg_create_dbs "${dbs[@]}"
  fi
  s3_setup quick "$(version_bucket "$v" direct)" "$(version_bucket "$v" proxied)" "$(version_bucket "$v" auth)"
}

version_env_pairs() { # $1 = version: the env file of the integration suites pointed at it
  local v=$1
  cat <<EOF
MLFLOW_TRACKING_URI=http://127.0.0.1:$(version_port "$v" direct)
MLFLOW_S3_ENDPOINT_URL=$S3_ENDPOINT
AWS_ACCESS_KEY_ID=$STACK_S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$STACK_S3_SECRET_KEY
AWS_DEFAULT_REGION=$STACK_S3_REGION
STACK_PROXIED_URI=http://127.0.0.1:$(version_port "$v" proxied)
STACK_AUTH_URI=http://127.0.0.1:$(version_port "$v" auth)
STACK_AUTH_ADMIN_USER=$STACK_AUTH_ADMIN_USER
STACK_AUTH_ADMIN_PASSWORD=$STACK_AUTH_ADMIN_PASSWORD
STACK_AUTH_READER_USER=$STACK_AUTH_READER_USER
STACK_AUTH_READER_PASSWORD=$STACK_AUTH_READER_PASSWORD
STACK_PYTHON=$(version_venv_link "$v")/bin/python
STACK_PG_URI=$(version_pg_uri "$v" direct)
STACK_PG_AUTH_URI=$(version_pg_uri "$v" auth)
STACK_BUCKET_DIRECT=$(version_bucket "$v" direct)
STACK_BUCKET_PROXIED=$(version_bucket "$v" proxied)
STACK_BUCKET_AUTH=$(version_bucket "$v" auth)
STACK_MLFLOW_VERSION=$v
STACK_S3_SERVER=$STACK_S3_SERVER_NAME
STACK_DIR=$STACK_DIR
STACK_LOG_DIR=$LOG_DIR
STACK_RUN_DIR=$RUN_DIR
EOF
}

# warm_mlflow SERVICE: one tracking request that reaches the database, so that the server has done
# its lazy imports (SQLAlchemy store, alembic) before a test's first request does them. /health
# answers before that; on a loaded machine the first real request of a gunicorn worker (MLflow
# before 3.3) was seen taking over gunicorn's 120 s worker timeout, which kills the worker. Bounded:
# STACK_WARM_TRIES attempts of at most 150 s.
: "${STACK_WARM_TRIES:=3}"
warm_mlflow() {
  local name=$1 port code i auth=()
  port="$(svc_port "$name")"
  [[ "$name" == *-auth ]] && auth=(-u "$STACK_AUTH_ADMIN_USER:$STACK_AUTH_ADMIN_PASSWORD")
  for ((i = 1; i <= STACK_WARM_TRIES; i++)); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 150 "${auth[@]}" \
      "http://127.0.0.1:$port/api/2.0/mlflow/experiments/search?max_results=1" 2>/dev/null || true)"
    [[ "$code" == 200 ]] && return 0
    warn "$name: warm-up request $i/$STACK_WARM_TRIES answered '${code:-nothing}'"
    wait_ready "$name" "$STACK_WAIT_MLFLOW" || return 1
  done
  die "$name does not serve the tracking API after $STACK_WAIT_MLFLOW s and $STACK_WARM_TRIES warm-up requests (log: $(svc_log "$name"))"
}

# versions_up VERSION...: venvs first (one at a time: they share 2 cores), then every server of
# every version started together, then waited for, then the auth users and the env files.
versions_up() {
  local v s
  ((${#@})) || return 0
  for v in "$@"; do ensure_version_venv "$v"; done
  for v in "$@"; do version_storage_ensure "$v"; done
  MLFLOW_REUSED=()
  for v in "$@"; do for s in $(version_services "$v"); do svc_launch_mlflow "$s"; done; done
  for v in "$@"; do for s in $(version_services "$v"); do svc_wait_mlflow "$s"; done; done
  for v in "$@"; do for s in $(version_services "$v"); do warm_mlflow "$s"; done; done
  [[ "$STACK_S3_EXTERNAL" == 1 ]] && STACK_S3_SERVER_NAME="external ($S3_ENDPOINT)" || STACK_S3_SERVER_NAME="$(weed_version)"
  for v in "$@"; do
    auth_setup "mlflow-$v-auth"
    mkdir -p "$(version_state_dir "$v")"
    version_env_pairs "$v" | "$VENV_PY" "$STACK_SCRIPTS_DIR/stackctl.py" write-env \
      "$(version_state_dir "$v")/env.sh" "$(version_state_dir "$v")/env.json"
    say "mlflow $v: env written to $(version_state_dir "$v")/env.json"
  done
}

running_versions() { # versions with a pid file (live or not), oldest first
  local f n
  for f in "$RUN_DIR"/mlflow-*-*.pid; do
    [[ -f "$f" ]] || continue
    n="$(basename "$f" .pid)"
    version_service "$n" && printf '%s\n' "$VSVC_VERSION"
  done | sort -uV
}

versions_down() { # VERSION...
  local v s
  for v in "$@"; do
    for s in $(version_services "$v"); do stop_service "$s"; done
  done
}
