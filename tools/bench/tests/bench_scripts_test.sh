#!/usr/bin/env bash
# tools/bench-vs-etcd, tools/bench-many-keys and tools/bench-threads: their options as --help documents them,
# and the combinations they refuse before starting anything (no cluster, no build).
#
#   bench_scripts_test.sh SOURCE_ROOT
set -uo pipefail
root="$1"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_refusal WORDS SCRIPT ARGS...: exits 2 and says WORDS (a grep pattern) on stderr.
expect_refusal() {
  local words="$1" err status
  shift
  err="$("$root/tools/$@" 2>&1 >/dev/null)"
  status=$?
  [[ "$status" == 2 ]] || fail "$* exited $status, not 2"
  grep -q -- "$words" <<<"$err" || fail "$* did not say '$words': $err"
}

help="$("$root/tools/bench-vs-etcd" --help)" || fail "bench-vs-etcd --help failed"
for word in "--driver wrk" "--driver bench" "--port-base" "--tls" "--json"; do
  grep -q -- "$word" <<<"$help" || fail "bench-vs-etcd --help does not mention $word"
done
expect_refusal "client certificate" bench-vs-etcd --driver wrk --tls
expect_refusal "client certificate" bench-vs-etcd --tls --driver=wrk
expect_refusal "bench or wrk" bench-vs-etcd --driver ab

help="$("$root/tools/bench-many-keys" --help)" || fail "bench-many-keys --help failed"
for word in "--target T" "both" "--port-base B" "--keys N"; do
  grep -q -- "$word" <<<"$help" || fail "bench-many-keys --help does not mention $word"
done
expect_refusal "paxoskv, etcd or both" bench-many-keys --target consul
expect_refusal "port-base" bench-many-keys --port-base 70000
expect_refusal "port-base" bench-many-keys --port-base=x
expect_refusal "keys" bench-many-keys --keys 0

help="$("$root/tools/bench-threads" --help)" || fail "bench-threads --help failed"
for word in "--threads" "--runs N" "--port-base B" "--workloads"; do
  grep -q -- "$word" <<<"$help" || fail "bench-threads --help does not mention $word"
done
expect_refusal "not a number" bench-threads --threads "1 x"
expect_refusal "unknown workload" bench-threads --workloads scan
expect_refusal "runs" bench-threads --runs 0
expect_refusal "port-base" bench-threads --port-base 70000

if ((failures)); then exit 1; fi
echo ok
