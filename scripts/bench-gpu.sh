#!/bin/sh
# The GPU part of `make bench` (scripts/bench.sh appends its Markdown): eaves on
# Vulkan device 0 (in CI and here: Mesa's lavapipe, which runs on the CPU) next to
# eaves' own CPU figures at the same working set and, where installed, clpeak's
# global-memory bandwidth on pocl (OpenCL on the CPU), in interleaved rounds:
# medians with min-max. Usage: bench-gpu.sh BIN [ROUNDS]
set -u
BIN=$1
ROUNDS=${2:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if ! "$BIN" bw --gpu 0 --quick --json "$TMP/probe.json" >/dev/null 2>&1; then
	echo "No Vulkan device here: $("$BIN" bw --gpu 0 --quick 2>&1 | tail -1)"
	exit 0
fi
dev=$(jq -r '.gpu.device.name + " (" + .gpu.device.type + ", " + .gpu.device.driver_info + ")"' "$TMP/probe.json")
ws=$(jq -r '.gpu.kernels[] | select(.kernel == "read") | .ws_bytes' "$TMP/probe.json")
: > "$TMP/r.tsv"
: > "$TMP/d.tsv"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	"$BIN" bw --gpu 0 --json "$TMP/g.json" >/dev/null 2>&1
	jq -r '.gpu.kernels[] | select(.status == "ok") | "gpu_\(.kernel) \(.bw_median_bytes_per_s)"' "$TMP/g.json" >> "$TMP/r.tsv"
	"$BIN" flops --gpu 0 --json "$TMP/f.json" >/dev/null 2>&1
	jq -r '.gpu.kernels[] | select(.status == "ok") | "gpu_\(.kernel) \(.median_flop_per_s)"' "$TMP/f.json" >> "$TMP/r.tsv"
	"$BIN" bw --size "$ws" --kernels read,copy --json "$TMP/c.json" --no-bound >/dev/null 2>&1
	jq -r '.bw.points[] | select(.status == "ok") | "cpu_\(.kernel)_\(.threads)t \(.bw_median_bytes_per_s)"' "$TMP/c.json" >> "$TMP/r.tsv"
	"$BIN" decode --gpu 0 --model llama-3.2-1b --quick --json "$TMP/d.json" >/dev/null 2>&1
	jq -r '.gpu_decode.runs[] | select(.status == "ok") | "\(.quant) \(.steps_per_s_median) \(.fraction_of_ceiling)"' "$TMP/d.json" >> "$TMP/d.tsv"
	if command -v clpeak >/dev/null 2>&1; then
		clpeak --global-bandwidth 2>/dev/null | awk '/float4/ {print "clpeak_float4 " $3 * 1e9}' >> "$TMP/r.tsv"
	fi
	r=$((r + 1))
done
echo "Device: $dev; working set $(awk -v b="$ws" 'BEGIN{printf "%.0f MiB", b/1048576}') (the device's largest storage buffer, at most 256 MiB); $ROUNDS interleaved rounds, median (min-max)."
echo
echo "| figure | GB/s or GFLOP/s |"
echo "|---|---:|"
for k in $(awk '{print $1}' "$TMP/r.tsv" | sort -u); do
	awk -v k="$k" '$1 == k {print $2 / 1e9}' "$TMP/r.tsv" | sort -g |
		awk -v k="$k" '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "| %s | %.2f (%.2f-%.2f) |\n", k, m, a[1], a[NR]}'
done
echo
echo "Decode step on the GPU (\`eaves decode --gpu 0 --model llama-3.2-1b --quick\`: every matrix of one token,"
echo "synthetic weights; the ceiling is the step's weight bytes over the read bandwidth the same run measured):"
echo
echo "| quant | steps/s | % of the GPU's read ceiling |"
echo "|---|---:|---:|"
for q in $(awk '{print $1}' "$TMP/d.tsv" | sort -u); do
	s=$(awk -v q="$q" '$1 == q {print $2}' "$TMP/d.tsv" | sort -g | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.2f (%.2f-%.2f)", m, a[1], a[NR]}')
	f=$(awk -v q="$q" '$1 == q {print $3 * 100}' "$TMP/d.tsv" | sort -g | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.1f%% (%.1f-%.1f)", m, a[1], a[NR]}')
	echo "| $q | $s | $f |"
done
