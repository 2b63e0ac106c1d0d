# Shared by the benchmark scripts (sourced, not run): messages, tools, arithmetic on figures,
# verdicts, processes, and the jobs benchmarks' table and verdicts.

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

# The jobs benchmarks' results: associative arrays J_WALL, J_OWN, J_SQL, J_INS (ms of the
# INSERT … SELECT, where there is one), J_EX, J_NOT for the 1M run and J_*2 for the grown run,
# over the jobs in JOBS.
jobs_table() { # $1: the grown run's label
  local job fmt='%-20s %-10s %8s %8s %10s %10s %10s %10s %9s %8s\n'
  # shellcheck disable=SC2059
  printf "$fmt" job milestones "wall s" "own s" "SELECT ms" "INSERT ms" own/SELECT own/INSERT examined notified
  for job in "${JOBS[@]}"; do
    # shellcheck disable=SC2059
    printf "$fmt" "$job" 1M "${J_WALL[$job]}" "${J_OWN[$job]}" "${J_SQL[$job]}" \
      "${J_INS[$job]:--}" "$(ratio "${J_OWN[$job]}" "${J_SQL[$job]}")x" \
      "$([[ -n ${J_INS[$job]:-} ]] && echo "$(ratio "${J_OWN[$job]}" "${J_INS[$job]}")x" || echo -)" "${J_EX[$job]}" "${J_NOT[$job]}"
    # shellcheck disable=SC2059
    printf "$fmt" "$job" "$1" "${J_WALL2[$job]}" "${J_OWN2[$job]}" "${J_SQL2[$job]}" \
      "${J_INS2[$job]:--}" "$(ratio "${J_OWN2[$job]}" "${J_SQL2[$job]}")x" \
      "$([[ -n ${J_INS2[$job]:-} ]] && echo "$(ratio "${J_OWN2[$job]}" "${J_INS2[$job]}")x" || echo -)" "${J_EX2[$job]}" "-"
  done
}

# Each job: its duration against its baseline (SPEC §5's INSERT … SELECT where the bench has
# one, else the plain SELECT of its due set), its wall time, its growth.
jobs_verdicts() {
  local job r r2
  for job in "${JOBS[@]}"; do
    if [[ -n ${J_INS[$job]:-} ]]; then
      r=$(ratio "${J_OWN[$job]}" "${J_INS[$job]}")
      line "$(verdict "$r" "<" "$MAX_JOB_RATIO")" "$job: job duration ${J_OWN[$job]} s = ${r}x the INSERT … SELECT that reads its due set and writes its notifications (${J_INS[$job]} ms; SPEC §5's fair limit; the plain SELECT took ${J_SQL[$job]} ms) (target < ${MAX_JOB_RATIO}x)"
    else
      r=$(ratio "${J_OWN[$job]}" "${J_SQL[$job]}")
      line "$(verdict "$r" "<" "$MAX_JOB_RATIO")" "$job: job duration ${J_OWN[$job]} s = ${r}x the SELECT of its due set (${J_SQL[$job]} ms) (target < ${MAX_JOB_RATIO}x)"
    fi
    line "$(verdict "${J_WALL[$job]}" "<" "$MAX_JOB_SECS")" "$job: wall time of 'huimin jobs run' ${J_WALL[$job]} s (target < $MAX_JOB_SECS s)"
    r2=$(div "${J_OWN2[$job]}" "${J_OWN[$job]}")
    line "$(verdict "$r2" "<" "$MAX_GROWTH")" "$job: growth factor ${r2}x with +$GROW non-due milestones (${J_OWN[$job]} s → ${J_OWN2[$job]} s) (target < ${MAX_GROWTH}x)"
  done
}
