#!/usr/bin/env bash
# Test mode at scale: full logins (the login page carries the persona picker) with the six
# built-in personas, then 100,000 generated ones, on the same emulator.
#
# Builds the emulator and the flowload driver, starts two emulators in test mode on free
# loopback ports, generates GEN personas in one of them with BATCH per call (timing every call
# and counting refusals), then measures logins on both in alternating rounds and prints the
# median ratio.
#
# Environment (defaults in brackets):
#   STORE [memory]  memory, bolt or redis (redis needs redis-server)
#   GEN [100000]    personas to generate
#   BATCH [1000]    personas per generator call (its maximum)
#   ROUNDS [3]      login rounds on each emulator
#   DUR [5s]        duration of one round
#   C [8]           concurrency of the logins
# Run from the repository root (make bench-scale).
set -euo pipefail

STORE=${STORE:-memory}
GEN=${GEN:-100000}
BATCH=${BATCH:-1000}
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-5s}
C=${C:-8}

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

echo "building…" >&2
(cd "$root" && go build -o "$work/esia-emulator" ./cmd/esia-emulator)
(cd "$root/bench/http/flowload" && go build -o "$work/flowload" .)

store=$STORE
if [ "$STORE" = redis ]; then
	rport=$(freeport)
	redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
	pids+=("$!")
	for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
	store="redis://127.0.0.1:$rport"
fi

# Two emulators side by side: "small" keeps the built-in personas, "big" gets GEN more; the
# login rounds alternate between them, so the machine's drift hits both alike.
start() { # name db: sets url (not in a subshell, so that cleanup knows the pid)
	local port st=$store
	port=$(freeport)
	[ "$STORE" = redis ] && st="$store/$2"
	mkdir -p "$work/data-$1"
	"$work/esia-emulator" serve --mode test --admin-token scale-token --addr "127.0.0.1:$port" --issuer "http://127.0.0.1:$port" \
		--store "$st" --data-dir "$work/data-$1" --config "$root/bench/http/emulator-bench.yaml" \
		--log-level error >"$work/emu-$1.log" 2>&1 &
	pids+=("$!")
	for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break; sleep 0.05; done
	url="http://127.0.0.1:$port"
}
start small 0
small=$url
start big 1
base=$url

login() { # issuer: prints the round's rate
	out=$("$work/flowload" -profile form -issuer "$1" -client bench -secret bench-secret \
		-redirect http://127.0.0.1:4101/cb -user +79990000003 -pass 'Test1234!' -scope openid -c "$C" -d "$DUR")
	sed -n 's/.*\/s=\([0-9.]*\).*/\1/p' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

count() { curl -fsS -H 'Authorization: Bearer scale-token' "$base/admin/api/personas" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d) if isinstance(d,list) else len(d.get("personas",[])))'; }

initial=$(count)

echo "== generating $GEN personas, $BATCH per call" >&2
calls=0 refused=0 slowest=0 created=0
t0=$(date +%s.%N)
for ((made = 0; made < GEN; made += BATCH)); do
	n=$((GEN - made < BATCH ? GEN - made : BATCH))
	c0=$(date +%s.%N)
	code=$(curl -sS -o "$work/gen.json" -w '%{http_code}' -H 'Authorization: Bearer scale-token' \
		-H 'Content-Type: application/json' -d "{\"count\":$n}" "$base/admin/api/personas/generate")
	c1=$(date +%s.%N)
	calls=$((calls + 1))
	slowest=$(awk -v a="$slowest" -v b="$(awk -v x="$c0" -v y="$c1" 'BEGIN{print y-x}')" 'BEGIN{print (b>a)?b:a}')
	if [ "$code" = 201 ]; then
		created=$((created + $(grep -o '"oid":' "$work/gen.json" | wc -l)))
	else
		refused=$((refused + 1))
		echo "  call $calls: HTTP $code $(head -c 300 "$work/gen.json")" >&2
	fi
done
t1=$(date +%s.%N)
gen_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
total=$((initial + created))

echo "== logins: $initial accounts (small) and $total (big), alternating" >&2
login "$small" >/dev/null
login "$base" >/dev/null
: >"$work/rounds"
for r in $(seq 1 "$ROUNDS"); do
	a=$(login "$small")
	b=$(login "$base")
	echo "  round $r: small=$a big=$b ratio=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3f", b/a}')" >&2
	echo "$a $b" >>"$work/rounds"
done

echo
echo "== summary (STORE=$STORE ROUNDS=$ROUNDS DUR=$DUR C=$C)"
echo "generate: $created of $GEN personas in $calls calls, $refused refused, ${gen_s}s, slowest call ${slowest}s"
echo "logins/s median: $initial accounts=$(awk '{print $1}' "$work/rounds" | median) $total accounts=$(awk '{print $2}' "$work/rounds" | median)" \
	"ratio (median of rounds)=$(awk '{printf "%.3f\n", $2/$1}' "$work/rounds" | median)"
