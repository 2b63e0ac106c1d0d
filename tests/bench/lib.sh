# Shared by the benchmark scripts (sourced, not run): messages, tools, arithmetic on figures,
# verdicts, processes, the jobs benchmarks' table and verdicts, and the web benchmarks' server,
# sign-in, API calls and load driver.

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

# ensure_wrk: installs wrk from Debian's packages if it is missing (as root, or with sudo).
ensure_wrk() {
  command -v wrk >/dev/null && return
  say "installing wrk (Debian package)"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 300 $sudo apt-get install -y -qq wrk >/dev/null; then
    timeout 300 $sudo apt-get update -qq
    timeout 300 $sudo apt-get install -y -qq wrk >/dev/null
  fi
}

now() { date +%s.%N; }
# Seconds between two `now` readings, 3 decimals.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
# ratio SECONDS MILLISECONDS → their quotient.
ratio() { div "$1" "$(awk -v m="$2" 'BEGIN { print m / 1000 }')"; }
# verdict VALUE OP LIMIT → PASS or FAIL (OP is < or >=).
verdict() {
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 >= l + 0)
    print (v == "inf" ? "FAIL" : (ok ? "PASS" : "FAIL")) }'
}
FAILS=0
# line PASS|FAIL TEXT: prints a verdict line and counts the failures.
line() { printf '%-4s  %s\n' "$1" "$2"; [[ $1 == PASS ]] || FAILS=$((FAILS + 1)); }

stop_pid() {
  local pid=$1
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

# wait_for_port PORT PID LOG: until something listens on 127.0.0.1:PORT (PID must stay up).
wait_for_port() {
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "the process on port $1 exited (port in use?)"; }
    sleep 0.1
  done
  die "nothing listens on 127.0.0.1:$1"
}

# The jobs benchmarks. Each size of the data is measured BENCH_REPS times (3) per job, so that
# one noisy run can neither hide nor fake a growth: the table prints each job's median, lowest
# and highest duration, and the growth is judged on the medians, with its range (the lowest
# after over the highest before, and the other way round) beside it.
REPS=${BENCH_REPS:-3}
JOBS=(indicator_check milestone_reminders)
# Per "job:size": the median, lowest and highest own duration (s, from job_run), the highest
# wall time of `huimin jobs run`, the rows examined and notified, and the baselines (ms): the
# plain SELECT of the due set, and SPEC §5's INSERT … SELECT where the bench has one.
declare -A J_OWN J_MIN J_MAX J_WALL J_EX J_NOT J_SQL J_INS

# median NUMBERS… → the middle one (the lower middle of an even count); lowest, highest.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
lowest() { printf '%s\n' "$@" | sort -g | head -n 1; }
highest() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# spread LOW HIGH MEDIAN → (high - low) / median, in per cent.
spread() { awk -v l="$1" -v h="$2" -v m="$3" 'BEGIN { if (m > 0) printf "%.0f%%", 100 * (h - l) / m; else print "-" }'; }

# measure_jobs SIZE: runs each job of JOBS $REPS times on the data as it is (the outbox and the
# job runs emptied before each run, so every run queues the same set), then times its
# baselines. Needs the script's clear_runs, run_job (sets WALL, OWN, EXAMINED, NOTIFIED),
# sql_ms and rolled_back_ms, and DUE_<job> and INSERT_<job>. The last job's last run leaves its
# notifications queued.
measure_jobs() {
  local size=$1 job var r owns walls
  for job in "${JOBS[@]}"; do
    owns=() walls=()
    for r in $(seq 1 "$REPS"); do
      clear_runs
      run_job "$job"
      owns+=("$OWN") walls+=("$WALL")
    done
    J_OWN[$job:$size]=$(median "${owns[@]}") J_MIN[$job:$size]=$(lowest "${owns[@]}")
    J_MAX[$job:$size]=$(highest "${owns[@]}") J_WALL[$job:$size]=$(highest "${walls[@]}")
    J_EX[$job:$size]=$EXAMINED J_NOT[$job:$size]=$NOTIFIED
    say "$job at $size: own ${owns[*]} s (median ${J_OWN[$job:$size]} s)"
    var="DUE_$job"
    J_SQL[$job:$size]=$(sql_ms "${!var}")
    say "$job at $size: plain SELECT of the due set ${J_SQL[$job:$size]} ms"
    var="INSERT_$job"
    if [[ -n ${!var:-} ]]; then
      J_INS[$job:$size]=$(rolled_back_ms "${!var}")
      say "$job at $size: INSERT … SELECT of its notifications ${J_INS[$job:$size]} ms"
    fi
  done
}

jobs_table() { # $1, $2: the two sizes' labels
  local job size fmt='%-20s %-5s %8s %8s %8s %7s %8s %10s %10s %10s %10s %9s %8s\n'
  # shellcheck disable=SC2059
  printf "$fmt" job size "median s" "low s" "high s" spread "wall s" "SELECT ms" "INSERT ms" own/SELECT own/INSERT examined notified
  for job in "${JOBS[@]}"; do
    for size in "$1" "$2"; do
      local k=$job:$size
      # shellcheck disable=SC2059
      printf "$fmt" "$job" "$size" "${J_OWN[$k]}" "${J_MIN[$k]}" "${J_MAX[$k]}" \
        "$(spread "${J_MIN[$k]}" "${J_MAX[$k]}" "${J_OWN[$k]}")" "${J_WALL[$k]}" "${J_SQL[$k]}" \
        "${J_INS[$k]:--}" "$(ratio "${J_OWN[$k]}" "${J_SQL[$k]}")x" \
        "$([[ -n ${J_INS[$k]:-} ]] && echo "$(ratio "${J_OWN[$k]}" "${J_INS[$k]}")x" || echo -)" "${J_EX[$k]}" "${J_NOT[$k]}"
    done
  done
}

# Each job: its median duration against its baseline (SPEC §5's INSERT … SELECT where the bench
# has one, else the plain SELECT of its due set), its highest wall time, and its growth from
# size $1 to size $2 (the medians; the range beside it).
jobs_verdicts() {
  local job r a b lo hi
  for job in "${JOBS[@]}"; do
    a=$job:$1 b=$job:$2
    if [[ -n ${J_INS[$a]:-} ]]; then
      r=$(ratio "${J_OWN[$a]}" "${J_INS[$a]}")
      line "$(verdict "$r" "<" "$MAX_JOB_RATIO")" "$job: job duration ${J_OWN[$a]} s (median of $REPS) = ${r}x the INSERT … SELECT that reads its due set and writes its notifications (${J_INS[$a]} ms; SPEC §5's fair limit; the plain SELECT took ${J_SQL[$a]} ms) (target < ${MAX_JOB_RATIO}x)"
    else
      r=$(ratio "${J_OWN[$a]}" "${J_SQL[$a]}")
      line "$(verdict "$r" "<" "$MAX_JOB_RATIO")" "$job: job duration ${J_OWN[$a]} s (median of $REPS) = ${r}x the SELECT of its due set (${J_SQL[$a]} ms) (target < ${MAX_JOB_RATIO}x)"
    fi
    line "$(verdict "${J_WALL[$a]}" "<" "$MAX_JOB_SECS")" "$job: wall time of 'huimin jobs run', the highest of $REPS: ${J_WALL[$a]} s (target < $MAX_JOB_SECS s)"
    r=$(div "${J_OWN[$b]}" "${J_OWN[$a]}")
    lo=$(div "${J_MIN[$b]}" "${J_MAX[$a]}") hi=$(div "${J_MAX[$b]}" "${J_MIN[$a]}")
    line "$(verdict "$r" "<" "$MAX_GROWTH")" "$job: growth factor ${r}x from $1 to $2 milestones (medians ${J_OWN[$a]} s → ${J_OWN[$b]} s; range ${lo}x–${hi}x) (target < ${MAX_GROWTH}x)"
  done
}

# The PostgreSQL benchmarks' connections: PG_HOST is a host name or address (TCP; libpq and
# the server's driver then both negotiate TLS when the server offers it, as sslmode=prefer
# does), or the directory of PostgreSQL's Unix socket (e.g. /var/run/postgresql).

# pg_url DATABASE → its URL on PG_HOST, PG_PORT, as PG_USER.
pg_url() {
  if [[ $PG_HOST == /* ]]; then echo "postgres://$PG_USER@localhost:$PG_PORT/$1?host=$PG_HOST"
  else echo "postgres://$PG_USER@$PG_HOST:$PG_PORT/$1"; fi
}

# analyze_as_running DATABASE: ANALYZE, as autovacuum does within a minute of a deployment's
# first writes (50 rows and a tenth of a table changed). Before it, a table that was empty when
# a connection first used it keeps a plan made for an empty table: each pooled connection's
# foreign-key check of a new report's measurements scanned every report written so far (0.30 ms
# a check against 0.006 ms after ANALYZE, pg_stat_statements), for as long as the connection
# lived, on a PostgreSQL with autovacuum off. ANALYZE invalidates those plans.
analyze_as_running() {
  timeout 300 psql "$(pg_url "$1")" -qAt -v ON_ERROR_STOP=1 -c ANALYZE >/dev/null
}

# pg_link DATABASE → how the other clients of DATABASE are connected (Unix socket, TCP with or
# without TLS), as pg_stat_activity and pg_stat_ssl tell; "-" when none is.
pg_link() {
  local link
  link=$(timeout 60 psql "$(pg_url postgres)" -qAt -c "SELECT CASE WHEN a.client_addr IS NULL
      THEN 'Unix socket' WHEN s.ssl THEN 'TCP with TLS (' || s.version || ')' ELSE 'TCP without TLS' END
    FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
    WHERE a.datname = '$1' AND a.pid <> pg_backend_pid() GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
  echo "${link:--}"
}

# The web benchmarks' server and load driver.

# Latency as wrk prints it (850.00us, 1.23ms, 1.05s) → milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.2f", v * 1000 } }'
}

# start_server URL NAME: `huimin serve --no-jobs` on DATABASE_URL URL, data under
# $WORK/data-NAME; sets SERVER_PID and BASE once /ready answers.
start_server() { # URL NAME
  local log="$WORK/server-$2.log"
  mkdir -p "$WORK/data-$2"
  env DATABASE_URL="$1" HUIMIN_BIND=127.0.0.1:0 HUIMIN_DATA_DIR="$WORK/data-$2" RUST_LOG=warn \
    HUIMIN_METRICS_BIND=off "$HUIMIN" serve --no-jobs >"$log" 2>&1 &
  SERVER_PID=$!
  BASE=""
  for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; die "the server exited"; }
    BASE=$(sed -n 's/^Huimin: \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log" | head -n 1)
    if [[ -n $BASE ]] && curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1; then return; fi
    sleep 0.1
  done
  cat "$log" >&2
  die "the server was not ready within 30 s"
}

# login EMAIL → a bearer token: signs in on $BASE with $PASSWORD.
login() {
  curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" | jq -er .token
}

# api METHOD PATH TOKEN [JSON] → the answer's body, from $BASE; dies on a non-2xx answer.
api() {
  local out code
  out=$(curl -sS --max-time 30 -X "$1" -H "Authorization: Bearer $3" \
    -H 'Content-Type: application/json' ${4:+-d "$4"} -w '\n%{http_code}' "$BASE$2")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2* ]] || die "$1 $2 answered $code: $out"
  printf '%s' "$out"
}

# in_parallel N OUT CMD…: runs CMD N times (its first argument the run's number, 1…N), four at
# a time, appending each one's output to OUT (a bare `wait` would wait for the server too).
in_parallel() {
  local n=$1 out=$2 i j jobs=(); shift 2
  : >"$out"
  for i in $(seq 1 "$n"); do
    "$@" "$i" >>"$out" &
    jobs+=($!)
    if (( ${#jobs[@]} == 4 || i == n )); then
      for j in "${jobs[@]}"; do wait "$j" || die "preparing through the API failed ($*)"; done
      jobs=()
    fi
  done
  [[ $(wc -l <"$out") -eq $n ]] || die "$out: $(wc -l <"$out") lines, not $n"
}

# drive PATH HEADER VALUE [LUA] → "req/s p50 p99 errors": wrk -t$THREADS -c$CONNECTIONS for
# $DURATION after a 2 s warm-up against $BASE.
drive() {
  local lua=() out
  [[ -n ${4:-} ]] && lua=(-s "$4")
  timeout 60 wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "${lua[@]}" -H "$2: $3" "$BASE$1" >/dev/null
  out=$(timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${lua[@]}" \
    -H "$2: $3" "$BASE$1")
  local rps p50 p99 bad sock
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "50%" { print $2; exit }' <<<"$out")
  p99=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  sock=$(awk '/Socket errors:/ { s = 0; for (i = 3; i <= NF; i += 2) s += $(i + 1); print s }' <<<"$out")
  [[ -n $rps && -n $p99 ]] || { printf '%s\n' "$out" >&2; die "cannot read wrk's output"; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $((${bad:-0} + ${sock:-0}))"
}

# each_database FUNC: FUNC NAME URL for each database of $DATABASES ("postgres sqlite"): SQLite
# in $WORK, PostgreSQL as a fresh database $BENCH_DB on $PG_HOST:$PG_PORT (started if down),
# listed in PG_CREATED for the script's cleanup to drop.
each_database() {
  local db
  for db in $DATABASES; do
    case $db in
      sqlite) "$1" sqlite "sqlite://$WORK/bench.db?mode=rwc" ;;
      postgres)
        if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
          say "starting PostgreSQL"
          pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
          for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
        fi
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE \"$BENCH_DB\""
        PG_CREATED+=("$BENCH_DB")
        "$1" postgres "$(pg_url "$BENCH_DB")" ;;
      *) die "unknown database $db" ;;
    esac
  done
}
