#!/usr/bin/env bash
# Two builds of cowkv in turn under the same redis-benchmark load: ops/s and the server's CPU
# time per request (from /proc), per round and as medians, with the ratio of the medians.
# Why: on this shared 2-core VM, figures an hour apart differ by 30%; a change is judged by
# alternating the commit before it and the commit with it, round after round, on the same
# machine. Each round starts a fresh server per build, fills its keyspace with
# `SET -n FILL` (-P 16) so lookups and overwrites meet a keyspace larger than the CPU caches,
# then runs the measured test.
# Needs redis-benchmark and redis-cli; listens on 127.0.0.1 only; stops every server it starts.
# Not run in CI (a round takes half a minute or more).
#
# usage: bench/compare-builds.sh TREE_A TREE_B TEST PIPELINE REQUESTS [ROUNDS] [FILL]
#   e.g. git worktree add /tmp/before HEAD~1 && (cd /tmp/before && ln -s "$PWD/node_modules" . && npx tsc -p .)
#        bench/compare-builds.sh /tmp/before . get 16 1000000 4
#   TREE_A, TREE_B: built checkouts (dist/src/main.js). ROUNDS default 3, FILL default 1000000.
# Environment:
#   COMPARE_ENV_A, COMPARE_ENV_B: extra environment for that build's server, e.g.
#     COMPARE_ENV_B=COWKV_NATIVE=0 bench/compare-builds.sh . . get 16 2000000 6
#   COMPARE_RESTORE=1: fill once (with TREE_A), SAVE, and start every measured server from
#     that snapshot instead of filling it (then 200,000 requests of TEST warm it up), to
#     measure a restored heap.
set -euo pipefail

tree_a=$(cd "${1:?TREE_A}" && pwd)
tree_b=$(cd "${2:?TREE_B}" && pwd)
test_name=${3:?test (set, get, incr, mset, ...)}
pipeline=${4:?pipeline depth}
requests=${5:?measured requests}
rounds=${6:-3}
fill=${7:-1000000}

for tool in redis-benchmark redis-cli node; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
for tree in "$tree_a" "$tree_b"; do
  [ -f "$tree/dist/src/main.js" ] || { echo "$tree is not built (no dist/src/main.js)" >&2; exit 2; }
done

work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

cpu_ticks() {
  # utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

restore=${COMPARE_RESTORE:-0}
mkdir -p "$work/data"

# Starts a server of `tree` with extra environment words `env_words` on `port`; waits for PONG.
start_server() {
  local tree=$1 port=$2 env_words=$3
  # shellcheck disable=SC2086 # env_words are separate NAME=VALUE words on purpose
  env $env_words node --single-threaded-gc --min-semi-space-size=16 "$tree/dist/src/main.js" \
    --port "$port" --save "" --dir "$work/data" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
}

fill_keyspace() {
  redis-benchmark -h 127.0.0.1 -p "$1" -t set -n "$fill" -r 1000000 -d 64 -c 50 -P 16 -q >/dev/null 2>&1
}

if [ "$restore" = 1 ]; then
  port=$(free_port)
  start_server "$tree_a" "$port" ""
  fill_keyspace "$port"
  redis-cli -p "$port" save >/dev/null
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
fi

# One measurement: prints "OPS_PER_SECOND CPU_US_PER_REQUEST".
measure() {
  local tree=$1 env_words=$2 port
  port=$(free_port)
  start_server "$tree" "$port" "$env_words"
  if [ "$restore" = 1 ]; then
    # No fill to warm the code up: a short run of the test itself does.
    redis-benchmark -h 127.0.0.1 -p "$port" -t "$test_name" -n 200000 -r 1000000 -d 64 -c 50 -P "$pipeline" -q >/dev/null 2>&1
  else
    fill_keyspace "$port"
  fi
  local before after ops ticks_per_second
  ticks_per_second=$(getconf CLK_TCK)
  before=$(cpu_ticks "$server_pid")
  ops=$(redis-benchmark -h 127.0.0.1 -p "$port" -t "$test_name" -n "$requests" -r 1000000 -d 64 -c 50 \
    -P "$pipeline" --csv 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
  after=$(cpu_ticks "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  echo "$ops $(awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n="$requests" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')"
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: >"$work/a" && : >"$work/b"
for round in $(seq "$rounds"); do
  for side in a b; do
    tree=$tree_a
    env_words=${COMPARE_ENV_A:-}
    if [ "$side" = b ]; then tree=$tree_b; env_words=${COMPARE_ENV_B:-}; fi
    read -r ops cpu < <(measure "$tree" "$env_words")
    echo "$ops $cpu" >>"$work/$side"
    echo "{\"bench\":\"compare-builds\",\"round\":$round,\"build\":\"$side\",\"tree\":\"$tree\",\"test\":\"$test_name\",\"pipeline\":$pipeline,\"requests\":$requests,\"fill\":$fill,\"restore\":$restore,\"env\":\"$env_words\",\"opsPerSecond\":$ops,\"cpuUsPerRequest\":$cpu}"
  done
done

ops_a=$(cut -d' ' -f1 "$work/a" | median)
ops_b=$(cut -d' ' -f1 "$work/b" | median)
cpu_a=$(cut -d' ' -f2 "$work/a" | median)
cpu_b=$(cut -d' ' -f2 "$work/b" | median)
echo "{\"bench\":\"compare-builds-summary\",\"test\":\"$test_name\",\"pipeline\":$pipeline,\"rounds\":$rounds,\"a\":{\"tree\":\"$tree_a\",\"opsPerSecond\":$ops_a,\"cpuUsPerRequest\":$cpu_a},\"b\":{\"tree\":\"$tree_b\",\"opsPerSecond\":$ops_b,\"cpuUsPerRequest\":$cpu_b},\"opsRatioBOverA\":$(awk -v a="$ops_a" -v b="$ops_b" 'BEGIN { printf "%.3f", b / a }'),\"cpuRatioBOverA\":$(awk -v a="$cpu_a" -v b="$cpu_b" 'BEGIN { printf "%.3f", b / a }')}"
echo "$test_name -P $pipeline, medians of $rounds alternating rounds: A $ops_a ops/s, $cpu_a µs CPU/request; B $ops_b ops/s, $cpu_b µs CPU/request"
