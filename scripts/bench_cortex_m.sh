#!/usr/bin/env bash
# Instructions per MAC per model and per layer on emulated Cortex-M3/M4/M7/M33/M55 (QEMU -icount,
# --patch off): see scripts/bench_cortex_m.py (options) and docs/benchmarks.md.
# usage: scripts/bench_cortex_m.sh [--ferrite build/ferrite] [--target m4 ...] [--model NAME ...]
#                                  [--out DIR] [--kernels] [--no-layers]
exec /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/bench_cortex_m.py" "$@"
