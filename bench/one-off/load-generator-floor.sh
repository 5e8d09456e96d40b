#!/usr/bin/env bash
# What the load generator changes for bare Hono (docs/performance.md, "Why bare Hono's floor was 16k"):
# bare Hono pinned to core 0; wrk and the harness's autocannon (runLoad, generator "autocannon") on
# core 1, taken in turn for ROUNDS rounds of SECONDS each. Per request: the server's CPU and syscalls
# (perf stat on its syscall tracepoints), the load generator's CPU, TCP segments (nstat: the whole
# machine's, so other traffic adds to it), accepted connections.
#   pnpm build && tsc -p bench/tsconfig.json && bash bench/one-off/load-generator-floor.sh [SECONDS] [ROUNDS]
# Needs wrk, perf (tracepoints readable), nstat (iproute2), taskset, bc.
set -euo pipefail
S=${1:-5}; R=${2:-3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
PORT=0 taskset -c 0 node "$repo/bench/dist/servers/bare-hono.js" >"$work/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q listening "$work/server.out" && break; sleep 0.05; done
PORT=$(sed -E 's/.*:([0-9]+)$/\1/' "$work/server.out")
EV=raw_syscalls:sys_enter,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_accept4,context-switches,task-clock
busy() { awk '/^cpu /{print ($2+$3+$4+$7+$8+$9)/100}' /proc/stat; }
cat >"$work/ac.mjs" <<JS
import { runLoad } from "$repo/bench/dist/lib/load.js";
const t0 = process.cpuUsage();
const r = await runLoad({ port: $PORT, path: "/hello", seconds: $S, generator: "autocannon" });
const c = process.cpuUsage(t0);
console.log(r.requests, (c.user + c.system) / 1e6);
JS
wrk_run() {
  taskset -c 1 bash -c "wrk -t1 -c50 -d${S}s http://127.0.0.1:$PORT/hello > $work/wrk.out; times > $work/times.out"
  awk '/requests in/{print $1}' "$work/wrk.out" >"$work/n"
  # bash's `times`, second line: the children's user and system time (wrk's).
  sed -n 2p "$work/times.out" | awk '{ split($1,u,"m"); split($2,s,"m"); print u[1]*60+u[2]+s[1]*60+s[2] }' | tr -d s >"$work/cpu"
}
ac_run() {
  taskset -c 1 node "$work/ac.mjs" >"$work/ac.out"
  awk '{print $1}' "$work/ac.out" >"$work/n"; awk '{print $2}' "$work/ac.out" >"$work/cpu"
}
measure() {
  local name=$1 fn=$2
  nstat -n >/dev/null
  local b0 t0 b1 t1; b0=$(busy); t0=$(date +%s.%N)
  perf stat -x, -e "$EV" -p "$server" -o "$work/ps.out" -- bash -c "$(declare -f "$fn"); $(declare -p S PORT work); $fn"
  t1=$(date +%s.%N); b1=$(busy)
  local segs n gc; segs=$(nstat | awk '/TcpOutSegs/{print $2}'); n=$(cat "$work/n"); gc=$(cat "$work/cpu")
  get() { awk -F, -v e="$1" '$3==e{print $1}' "$work/ps.out"; }
  awk -v name="$name" -v n="$n" -v el="$(echo "$t1-$t0" | bc -l)" -v sc="$(get raw_syscalls:sys_enter)" \
    -v ew="$(( $(get syscalls:sys_enter_epoll_wait) + $(get syscalls:sys_enter_epoll_pwait) ))" -v rd="$(get syscalls:sys_enter_read)" \
    -v wr="$(( $(get syscalls:sys_enter_write) + $(get syscalls:sys_enter_writev) ))" -v cs="$(get context-switches)" \
    -v ac="$(get syscalls:sys_enter_accept4)" -v tc="$(get task-clock)" -v gc="$gc" -v segs="$segs" -v busy="$(echo "$b1-$b0" | bc -l)" 'BEGIN {
    printf "%-10s %7.0f req/s | server %3.0f%% %5.1f us/req | load gen %3.0f%% %5.1f us/req | other %3.0f%% | per request: syscalls %.2f (epoll_wait %.3f, read %.2f, write %.2f), context switches %.3f, TCP segments %.2f | accepts %d\n",
      name, n/el, tc/10/el, tc*1000/n, gc/el*100, gc*1e6/n, (busy-tc/1000-gc)/el*100, sc/n, ew/n, rd/n, wr/n, cs/n, segs/n, ac }'
}
echo "$(uptime)"
for r in $(seq "$R"); do
  if (( r % 2 )); then measure wrk wrk_run; measure autocannon ac_run; else measure autocannon ac_run; measure wrk wrk_run; fi
done
echo "$(uptime)"
