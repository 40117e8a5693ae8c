#!/bin/bash
# A/B comparison of release binaries on a noisy machine, as in docs/benchmarks.md:
# the binaries run one `samlsim bench` row in turn, ROUNDS times, interleaved, so a
# drift of the machine's speed hits each alike; per binary it prints every
# operations-per-CPU-second figure, the best and the median.
# Usage: docs/bench/ab.sh ROW-FILTER SECONDS ROUNDS BINARY-A BINARY-B ...
#   (copy each build aside first: cp target/release/samlsim /tmp/samlsim-a)
# ABENV="NAME=value" sets an environment variable for every run.
only="$1"; secs="$2"; rounds="$3"; shift 3
declare -A res
for r in $(seq $rounds); do
  for b in "$@"; do
    v=$(env $ABENV $b bench --seconds $secs --only "$only" 2>&1 | tail -1 | awk '{print $NF}')
    res[$b]="${res[$b]} $v"
  done
done
for b in "$@"; do
  echo "$b: ${res[$b]} | max $(echo ${res[$b]} | tr ' ' '\n' | sort -n | tail -1) median $(echo ${res[$b]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
done
