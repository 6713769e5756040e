#!/usr/bin/env bash
# Side-by-side HTTP login benchmark: the emulator against the zitadel/oidc v3 example OP.
#
# Builds the emulator, the example OP (bench/http/zitadel-example-op, its own module) and the
# load driver (bench/http/flowload, its own module); starts them on free loopback ports; runs
# full code+PKCE logins against each in turns (A, B, A, B, …) and prints every round, the server
# CPU per login (from /proc) and the median ratio emulator/peer per concurrency.
#
# Environment (defaults in brackets):
#   ROUNDS [3]      rounds per concurrency level and target
#   DUR [5s]        duration of one round
#   CONCS ["8 32"]  concurrency levels
#   STORES [memory] emulator stores to measure: any of memory bolt redis (redis needs redis-server)
#   CLIENT [bench]  emulator client: bench (RS256 ID tokens) or bench-es (ES256)
#   REFRESH [0]     1: also measure refresh grants (-token-only) in the same alternation
#   NODE [0]        1: also run node oidc-provider 9 (bench/http/node-oidc-provider: its own login
#                   and consent pages, RS256) as a second peer in the login rounds; needs node and
#                   npm (npm ci there when node_modules is missing)
# Loopback only; every round is bounded by DUR. Run from the repository root (make bench-http).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DUR=${DUR:-5s}
CONCS=${CONCS:-"8 32"}
STORES=${STORES:-memory}
CLIENT=${CLIENT:-bench}
REFRESH=${REFRESH:-0}
NODE=${NODE:-0}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

waitport() { # url
	for _ in $(seq 1 200); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	echo "not ready: $1" >&2
	return 1
}

# cpu_ticks PID: user+system clock ticks of the process so far.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

echo "building…" >&2
(cd "$root" && go build -o "$work/esia-emulator" ./cmd/esia-emulator)
(cd "$root/bench/http/zitadel-example-op" && go build -o "$work/zop" .)
(cd "$root/bench/http/flowload" && go build -o "$work/flowload" .)

# The peer.
zport=$(freeport)
PORT=$zport "$work/zop" >"$work/zop.log" 2>&1 &
zpid=$!
pids+=("$zpid")
waitport "http://127.0.0.1:$zport/.well-known/openid-configuration"

# The second peer, on request.
if [ "$NODE" = 1 ]; then
	nodedir="$root/bench/http/node-oidc-provider"
	[ -d "$nodedir/node_modules/oidc-provider" ] || (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	nport=$(freeport)
	PORT=$nport node "$nodedir/server.js" >"$work/node.log" 2>&1 &
	npid=$!
	pids+=("$npid")
	waitport "http://127.0.0.1:$nport/.well-known/openid-configuration"
fi

# One emulator per store.
declare -A epid eport
for st in $STORES; do
	port=$(freeport)
	store=$st
	case $st in
	bolt) store=bolt ;;
	memory) store=memory ;;
	redis)
		rport=$(freeport)
		redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
		pids+=("$!")
		for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
		store="redis://127.0.0.1:$rport/0"
		;;
	*) echo "unknown store $st" >&2; exit 2 ;;
	esac
	mkdir -p "$work/data-$st"
	"$work/esia-emulator" serve --addr "127.0.0.1:$port" --issuer "http://127.0.0.1:$port" \
		--store "$store" --data-dir "$work/data-$st" --config "$root/bench/http/emulator-bench.yaml" \
		--log-level error >"$work/emu-$st.log" 2>&1 &
	epid[$st]=$!
	eport[$st]=$port
	pids+=("$!")
	waitport "http://127.0.0.1:$port/readyz"
done

# run NAME PID ARGS…: one round; prints "rate cpu_ms_per_op" on stdout and the line on stderr.
run() {
	local name=$1 pid=$2
	shift 2
	local t0 t1 out rate ok cpu
	t0=$(cpu_ticks "$pid")
	out=$("$work/flowload" "$@" -d "$DUR")
	t1=$(cpu_ticks "$pid")
	rate=$(sed -n 's/.*\/s=\([0-9.]*\).*/\1/p' <<<"$out")
	ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$ok" 'BEGIN{ if (n>0) printf "%.2f", (b-a)*1000/hz/n; else print "NaN" }')
	printf '  %-14s %s cpu/op=%sms\n' "$name" "$out" "$cpu" >&2
	echo "$rate $cpu"
}

emu() { # store conc [extra flowload flags]
	local st=$1 c=$2
	shift 2
	run "emu-$st" "${epid[$st]}" -profile form -issuer "http://127.0.0.1:${eport[$st]}" -client "$CLIENT" \
		-secret bench-secret -redirect http://127.0.0.1:4101/cb -user +79990000003 -pass 'Test1234!' \
		-scope "$SCOPE" -c "$c" "$@"
}
peer() { # conc [extra flowload flags]
	local c=$1
	shift
	run "zitadel-example" "$zpid" -profile zitadel-example -issuer "http://127.0.0.1:$zport" -authorize /auth \
		-client web -secret secret -redirect http://127.0.0.1:4101/cb -user test-user@127.0.0.1 \
		-pass verysecure -scope "$SCOPE" -c "$c" "$@"
}

nodepeer() { # conc: logins only (its refresh tokens need prompt=consent)
	run "node-oidc-provider" "$npid" -profile form -issuer "http://127.0.0.1:$nport" -authorize /auth -token /token \
		-client web -secret secret -redirect http://127.0.0.1:4101/cb -user bench -pass bench \
		-scope "$SCOPE" -c "$1"
}

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "NaN"; exit}; if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

modes=("login")
[ "$REFRESH" = 1 ] && modes+=("refresh")
summary=()
for mode in "${modes[@]}"; do
	extra=()
	SCOPE=openid
	if [ "$mode" = refresh ]; then extra=(-token-only); SCOPE="openid offline_access"; fi
	for c in $CONCS; do
		declare -A rates=() cpus=()
		prates=""
		pcpus=""
		nrates=""
		ncpus=""
		withnode=0
		[ "$NODE" = 1 ] && [ "$mode" = login ] && withnode=1
		for r in $(seq 1 "$ROUNDS"); do
			echo "== $mode c=$c round $r" >&2
			for st in $STORES; do
				read -r rate cpu < <(emu "$st" "$c" "${extra[@]}")
				rates[$st]+="$rate "
				cpus[$st]+="$cpu "
			done
			read -r rate cpu < <(peer "$c" "${extra[@]}")
			prates+="$rate "
			pcpus+="$cpu "
			if [ "$withnode" = 1 ]; then
				read -r rate cpu < <(nodepeer "$c")
				nrates+="$rate "
				ncpus+="$cpu "
			fi
		done
		pm=$(tr ' ' '\n' <<<"$prates" | grep . | median)
		pc=$(tr ' ' '\n' <<<"$pcpus" | grep . | median)
		summary+=("$(printf '%-8s c=%-3s %-16s median %s/s=%-8s cpu/op=%sms' "$mode" "$c" zitadel-example "$mode" "$pm" "$pc")")
		if [ "$withnode" = 1 ]; then
			nm=$(tr ' ' '\n' <<<"$nrates" | grep . | median)
			nc=$(tr ' ' '\n' <<<"$ncpus" | grep . | median)
			summary+=("$(printf '%-8s c=%-3s %-16s median %s/s=%-8s cpu/op=%sms' "$mode" "$c" node-oidc-provider "$mode" "$nm" "$nc")")
		fi
		for st in $STORES; do
			m=$(tr ' ' '\n' <<<"${rates[$st]}" | grep . | median)
			mc=$(tr ' ' '\n' <<<"${cpus[$st]}" | grep . | median)
			# the ratio of the medians and the median of the per-round ratios
			read -ra a <<<"${rates[$st]}"
			read -ra b <<<"$prates"
			rr=$(for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN{ if (y>0) printf "%.3f\n", x/y }'; done | median)
			line=$(printf '%-8s c=%-3s %-16s median %s/s=%-8s cpu/op=%sms  ratio vs peer (median of rounds)=%s' "$mode" "$c" "emu-$st/$CLIENT" "$mode" "$m" "$mc" "$rr")
			if [ "$withnode" = 1 ]; then
				read -ra n <<<"$nrates"
				nr=$(for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${n[$i]}" 'BEGIN{ if (y>0) printf "%.3f\n", x/y }'; done | median)
				line+=" vs node=$nr"
			fi
			summary+=("$line")
		done
		unset rates cpus
	done
done
echo
echo "== summary (ROUNDS=$ROUNDS DUR=$DUR)"
printf '%s\n' "${summary[@]}"
