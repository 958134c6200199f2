# common.sh - sourced (bash) by the suites that run tamperscope on veths in
# namespaces they create (live_capture.sh, capture_workers.sh): the
# result counters and stopping our own children.
pass=0; fail=0

ok()   { echo "ok   $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL $*"; fail=$((fail + 1)); }
check() { # description command...
	local d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

stop_pid() { # pid: SIGTERM, then SIGKILL after 5 s; only our own children
	local p=$1 i
	kill "$p" 2>/dev/null || return 0
	for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}
