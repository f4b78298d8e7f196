#!/usr/bin/env bash
# Instructions per request: runs the server under valgrind's callgrind, warms it with
# redis-benchmark, zeroes the counters, runs the measured requests, and divides the
# instructions every thread of the server executed (user space only) by the requests.
# Why: on this shared 2-core VM wall-clock and /proc CPU figures move by 30% between runs an
# hour apart; instruction counts move by a few percent, so they show what a code change did.
# They leave out the kernel (syscalls, faults) and memory stalls, which CPU time includes.
# Needs valgrind (apt-get install valgrind) and redis-benchmark; listens on 127.0.0.1 only and
# stops the server on every path. Not run in CI (a run takes minutes under valgrind).
#
# usage: bench/instructions-per-request.sh TEST PIPELINE WARM_REQUESTS MEASURED_REQUESTS [TREE]
#   e.g. bench/instructions-per-request.sh set 16 100000 100000
#   TREE is a built checkout (default: this one), so two commits can be compared in turn.
set -euo pipefail

test_name=${1:?test (set, get, incr, mset)}
pipeline=${2:?pipeline depth}
warm_count=${3:?warm-up requests}
measured_count=${4:?measured requests}
tree=${5:-$(cd "$(dirname "$0")/.." && pwd)}

for tool in valgrind callgrind_control redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
work=$(mktemp -d)
valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$work/callgrind.out" \
  node --single-threaded-gc --min-semi-space-size=16 "$tree/dist/src/main.js" \
  --port "$port" --save "" --dir "$work" >"$work/server.log" 2>&1 &
valgrind_pid=$!
trap 'kill $valgrind_pid 2>/dev/null || true; wait $valgrind_pid 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 120); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
  sleep 1
done
redis-cli -p "$port" ping | grep -q PONG

benchmark() {
  timeout 1800 redis-benchmark -h 127.0.0.1 -p "$port" -t "$test_name" -n "$1" -r 1000000 -d 64 -c 50 \
    -P "$pipeline" -q >/dev/null 2>&1
}
benchmark "$warm_count"
callgrind_control -z "$valgrind_pid" >/dev/null 2>&1
benchmark "$measured_count"
callgrind_control -d "$valgrind_pid" >/dev/null 2>&1
sleep 1
kill "$valgrind_pid"
wait "$valgrind_pid" 2>/dev/null || true

# callgrind.out.N is the dump of the measured part (callgrind.out, written at exit, holds only
# the shutdown); its `summary:` line is the instruction count of every thread.
total=$(cat "$work"/callgrind.out.* | awk '/^summary:/ { sum += $2 } END { printf "%.0f\n", sum }')
echo "{\"bench\":\"instructions-per-request\",\"tree\":\"$tree\",\"test\":\"$test_name\",\"pipeline\":$pipeline,\"warmRequests\":$warm_count,\"measuredRequests\":$measured_count,\"instructionsPerRequest\":$((total / measured_count))}"
