#!/bin/bash
# Issue 23's table (benchmarks/README.md) on an idle machine: every run once, in this order (about 11 minutes).
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/cowork-issue23}; mkdir -p "$OUT"   # each run's stdout and stderr
PG=${PG:-postgresql+psycopg://127.0.0.1:5432/test}
run() { name=$1; shift; echo "== $name load $(cut -d' ' -f1 /proc/loadavg) $(date +%T)"; "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; tail -1 "$OUT/$name.out"; }
run js300 .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10
run js1000 .venv/bin/python benchmarks/joinstorm.py --phones 1000 --within 60
run js300s .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10 --statics
run js300live .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10 --live 50 --card-rate 2
run js300z .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10 --since-zero
run js300pg .venv/bin/python benchmarks/joinstorm.py --phones 300 --within 10 --database-url "$PG"
run re1000 .venv/bin/python benchmarks/reconnect.py --phones 1000 --connect-within 20
run fo1000x5 .venv/bin/python benchmarks/fanout.py --clients 1000 --rate 5 --duration 20 --skip-bare --raw
run fo1000x5c .venv/bin/python benchmarks/fanout.py --clients 1000 --rate 5 --duration 20 --skip-bare --raw --compress
run fo1000x20 .venv/bin/python benchmarks/fanout.py --clients 1000 --rate 20 --duration 20 --skip-bare --raw
run fo1000x5pg .venv/bin/python benchmarks/fanout.py --clients 1000 --rate 5 --duration 20 --skip-bare --database-url "$PG"
run fo3000x5 .venv/bin/python benchmarks/fanout.py --clients 3000 --rate 5 --duration 20 --skip-bare --client-procs 3
run fo4000w2 .venv/bin/python benchmarks/fanout.py --clients 4000 --rate 5 --duration 20 --skip-bare --workers 2 --client-procs 4
run burst300 .venv/bin/python benchmarks/fanout.py --burst 300
echo "== done load $(cut -d' ' -f1 /proc/loadavg) $(date +%T)"
