#!/bin/sh
# make bench: eaves against established tools on this machine, interleaved
# A B A B in one run (a shared VM swings by 30% between runs: only ratios
# from one interleaved run mean anything), written to docs/performance.md.
# Needs likwid (likwid-bench) and jq (to read eaves' JSON); make bench installs
# both. A tool that is missing or fails is reported as skipped, with the reason.
set -u
BIN=${1:-build/eaves}
OUT=${EAVES_BENCH_OUT:-docs/performance.md}
ROUNDS=${EAVES_BENCH_ROUNDS:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
THREADS=$(nproc)
have_likwid=1
command -v likwid-bench >/dev/null 2>&1 || have_likwid=0

lw() { # likwid-bench test workgroup -> MByte/s or MFlops/s value
	likwid-bench -t "$1" -w "$2" 2>/dev/null | awk -v k="$3" '$0 ~ k {print $2; exit}'
}
ev() { # jq filter on a JSON file
	jq -r "$2" "$1" 2>/dev/null
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.3f", a / b; else print "nan" }'; }

echo "bench: $ROUNDS interleaved rounds, $THREADS threads, 2 GiB working sets" >&2
: > "$TMP/bw.tsv"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	echo "bench: round $r: eaves bw" >&2
	"$BIN" bw --size 2GiB --threads "$THREADS" --kernels read,copy,copy_nt,triad,triad_nt \
		--json "$TMP/ev$r.json" >/dev/null 2>&1
	for k in read copy copy_nt triad triad_nt; do
		v=$(ev "$TMP/ev$r.json" ".bw.points[] | select(.kernel == \"$k\") | .bw_best_bytes_per_s")
		echo "$r eaves_$k $v" >> "$TMP/bw.tsv"
	done
	if [ "$have_likwid" = 1 ]; then
		echo "bench: round $r: likwid-bench" >&2
		for t in load_avx512 copy_mem_avx512 triad_mem_avx512; do
			v=$(lw "$t" "S0:2GB:$THREADS" "MByte/s")
			[ -n "$v" ] && echo "$r likwid_$t $(awk -v m="$v" 'BEGIN{print m*1e6}')" >> "$TMP/bw.tsv"
		done
	fi
	r=$((r + 1))
done

pair() { # eaves kernel, likwid test -> "median_eaves median_likwid median_ratio min_ratio max_ratio"
	: > "$TMP/ratios"
	for i in $(seq 1 "$ROUNDS"); do
		a=$(awk -v r="$i" -v k="eaves_$1" '$1 == r && $2 == k {print $3}' "$TMP/bw.tsv")
		b=$(awk -v r="$i" -v k="likwid_$2" '$1 == r && $2 == k {print $3}' "$TMP/bw.tsv")
		[ -n "$a" ] && [ -n "$b" ] && ratio "$a" "$b" >> "$TMP/ratios" && echo >> "$TMP/ratios"
	done
	ea=$(awk -v k="eaves_$1" '$2 == k {printf "%.1f\n", $3/1e9}' "$TMP/bw.tsv" | median)
	lk=$(awk -v k="likwid_$2" '$2 == k {printf "%.1f\n", $3/1e9}' "$TMP/bw.tsv" | median)
	rm_=$(grep -v '^$' "$TMP/ratios" | median)
	mn=$(grep -v '^$' "$TMP/ratios" | sort -g | head -1)
	mx=$(grep -v '^$' "$TMP/ratios" | sort -g | tail -1)
	echo "$ea $lk $rm_ ${mn:-nan} ${mx:-nan}"
}

echo "bench: peak FLOP/s" >&2
"$BIN" flops --threads 1 --precisions fp64,fp32,bf16,int8 --no-ridge --json "$TMP/fl.json" >/dev/null 2>&1
fl_lk_sp=""; fl_lk_dp=""
if [ "$have_likwid" = 1 ]; then
	fl_lk_sp=$(lw peakflops_sp_avx512_fma "S0:32kB:1" "MFlops/s")
	fl_lk_dp=$(lw peakflops_avx512_fma "S0:32kB:1" "MFlops/s")
fi

echo "bench: decode TinyLlama-1.1B (this takes a minute)" >&2
"$BIN" decode --model TinyLlama-1.1B --quant q4_0,q8_0,f16 --threads "$THREADS" --prompt 64 --tokens 64 \
	--ctx 128,1024 --json "$TMP/dec.json" >/dev/null 2>&1
# Every x86 kernel level this CPU can run (--isa caps the kernels at a feature set),
# interleaved over rounds: only ratios from one run mean anything on a shared host.
ISAS=$("$BIN" info --no-clock --json - 2>/dev/null | jq -r '.machine.cpu.feature_sets[]' 2>/dev/null |
	grep -E '^(avx2|avx512|avx512vnni|neon|dotprod)$')
# A GGUF file of TinyLlama-1.1B's shape in a Q4_K_M-style mix (q4_K matrices, q6_K for
# attn_v, ffn_down and the LM head), written by the tests' writer (~700 MB, ~20 s).
GEN=${BIN%/eaves}/tests/test-gguf
have_gguf=0
echo "bench: writing a TinyLlama-shaped Q4_K_M-style GGUF file" >&2
"$GEN" --write "$TMP/tl-q4km.gguf" tinyllama q4_k_m >/dev/null 2>&1 && have_gguf=1
: > "$TMP/isa.tsv"
: > "$TMP/gguf.tsv"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for isa in $ISAS; do
		if [ "$have_gguf" = 1 ]; then
			echo "bench: round $r: decode --gguf --isa $isa" >&2
			"$BIN" decode --gguf "$TMP/tl-q4km.gguf" --prompt-ids 1,2,3,4,5,6,7,8 --threads "$THREADS" \
				--tokens 32 --ctx 128,2048 --ctx-tokens 4 --isa "$isa" --json "$TMP/gg-$isa-$r.json" \
				>/dev/null 2>&1
			jq -r --arg isa "$isa" '.decode.runs[] | [$isa, .quant, .kernel, .tokens_per_s,
				.fraction_of_ceiling, .compute_ceiling_tokens_per_s / .ceiling_tokens_per_s,
				((.compute_ceiling_by_format[] | select(.format == "q4_K") | .in_cache_weights_per_s) / 1e9),
				((.compute_ceiling_by_format[] | select(.format == "q6_K") | .in_cache_weights_per_s) / 1e9),
				(.context_sweep[-1].fraction_of_ceiling // "nan"), .prefill_tokens_per_s] | @tsv' \
				"$TMP/gg-$isa-$r.json" >> "$TMP/gguf.tsv" 2>/dev/null
		fi
		echo "bench: round $r: decode --isa $isa" >&2
		"$BIN" decode --model TinyLlama-1.1B --quant q4_0,q8_0,f16 --threads "$THREADS" --prompt 128 \
			--tokens 32 --ctx 128,2048 --ctx-tokens 4 --isa "$isa" --json "$TMP/isa-$isa-$r.json" \
			>/dev/null 2>&1
		jq -r --arg isa "$isa" '.decode.runs[] | [$isa, .quant, .kernel, .tokens_per_s,
			.fraction_of_ceiling, .compute_ceiling_tokens_per_s / .ceiling_tokens_per_s,
			.prefill_tokens_per_s, (.context_sweep[-1].fraction_of_ceiling // "nan"),
			.prefill_flop_per_s / 1e9, (.prefill_fraction_of_peak // "nan")] | @tsv' \
			"$TMP/isa-$isa-$r.json" >> "$TMP/isa.tsv" 2>/dev/null
	done
	r=$((r + 1))
done
lk_read=""
[ "$have_likwid" = 1 ] && lk_read=$(lw load_avx512 "S0:2GB:$THREADS" "MByte/s")

# Memory latency: the quick profile (one working set per level, 4 KiB and huge
# pages, misses in flight, loaded latency, the Little's-law bound), ROUNDS times.
: > "$TMP/lat.tsv"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	echo "bench: round $r: latency --quick" >&2
	"$BIN" latency --quick --json "$TMP/lat$r.json" >/dev/null 2>&1
	jq -r '.latency.levels[] | [.level, .pages, .ws_bytes, .latency_median_s * 1e9, (.latency_median_cycles // "nan")] | @tsv' \
		"$TMP/lat$r.json" >> "$TMP/lat.tsv" 2>/dev/null
	jq -r '.latency.bound | ["bound", .mlp_lines, .latency_idle_s * 1e9, .latency_loaded_s * 1e9,
		.bound_one_core_bytes_per_s / 1e9, .measured_read_one_core_bytes_per_s / 1e9,
		.bound_all_cores_bytes_per_s / 1e9, .measured_read_all_cores_bytes_per_s / 1e9] | @tsv' \
		"$TMP/lat$r.json" >> "$TMP/lat.tsv" 2>/dev/null
	r=$((r + 1))
done

{
	echo "# Performance"
	echo
	echo "Written by \`make bench\` (scripts/bench.sh); numbers are measurements of one run."
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- machine: $(ev "$TMP/ev1.json" '.machine.cpu.model_name') ($(ev "$TMP/ev1.json" '.machine.cpu.uarch')), $THREADS cores, $(ev "$TMP/ev1.json" '.kernel')"
	echo "- eaves: $("$BIN" version)"
	if [ "$have_likwid" = 1 ]; then
		echo "- likwid: $(likwid-bench -h 2>&1 | head -1 | tr -d '\r' || true)"
	else
		echo "- likwid: not installed: the comparisons below are skipped"
	fi
	echo
	echo "## DRAM bandwidth, $THREADS threads, 2 GiB, $ROUNDS rounds interleaved (eaves, likwid, eaves, ...)"
	echo
	echo "Median of the rounds' best figures (GB/s); ratio = eaves / likwid per round, median and range."
	echo "Target: every ratio >= 1."
	echo
	echo "| eaves kernel | likwid-bench test | eaves GB/s | likwid GB/s | ratio median | ratio range |"
	echo "|---|---|---:|---:|---:|---|"
	for p in "read load_avx512" "copy copy_mem_avx512" "copy_nt copy_mem_avx512" "triad triad_mem_avx512" "triad_nt triad_mem_avx512"; do
		set -- $p
		set -- "$1" "$2" $(pair "$1" "$2")
		echo "| $1 | $2 | $3 | $4 | $5 | $6 - $7 |"
	done
	echo
	echo "likwid's copy_mem and triad_mem use non-temporal stores: eaves' copy_nt and triad_nt are"
	echo "the like-for-like rows. McCalpin STREAM is not a Debian package and cannot be fetched on this"
	echo "machine (no network but Debian's archive): the STREAM comparison of the issue is not made."
	echo
	echo "## Peak FLOP/s, 1 thread"
	echo
	echo "| precision | eaves kernel | eaves best GFLOP/s | theoretical | median / theoretical | likwid-bench | eaves / likwid |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for prec in fp64 fp32 bf16 int8; do
		k=$(ev "$TMP/fl.json" ".flops.peaks[] | select(.precision == \"$prec\" and .threads == 1) | .kernel")
		b=$(ev "$TMP/fl.json" ".flops.peaks[] | select(.precision == \"$prec\" and .threads == 1) | .best_flop_per_s / 1e9 * 10 | round / 10")
		t=$(ev "$TMP/fl.json" ".flops.peaks[] | select(.precision == \"$prec\" and .threads == 1) | (.theoretical_flop_per_s // 0) / 1e9 * 10 | round / 10")
		q=$(ev "$TMP/fl.json" ".flops.peaks[] | select(.precision == \"$prec\" and .threads == 1) | (.measured_over_theoretical // 0) * 1000 | round / 10")
		lk="-"; rr="-"
		if [ "$prec" = fp32 ] && [ -n "$fl_lk_sp" ]; then lk=$(awk -v m="$fl_lk_sp" 'BEGIN{printf "%.1f", m/1e3}'); rr=$(ratio "$b" "$lk"); fi
		if [ "$prec" = fp64 ] && [ -n "$fl_lk_dp" ]; then lk=$(awk -v m="$fl_lk_dp" 'BEGIN{printf "%.1f", m/1e3}'); rr=$(ratio "$b" "$lk"); fi
		echo "| $prec | $k | $b | $t | $q% | $lk | $rr |"
	done
	echo
	echo "No common roofline tool reports BF16 and INT8 peaks; eaves' figures are explained by the"
	echo "instruction and the microarchitecture table (configs/uarch.json): see docs/methodology.md."
	echo
	echo "## Decode, TinyLlama-1.1B, $THREADS threads, 64 prompt + 64 generated tokens"
	echo
	echo "Ceiling = bytes/token / eaves' read bandwidth of the weights' own memory, measured right"
	echo "before each run; reference = eaves' 256 MiB DRAM read measured at the start of the run"
	echo "($(ev "$TMP/dec.json" '.decode.reference_bw_best_bytes_per_s / 1e9 * 10 | round / 10') GB/s; likwid load_avx512 right after: $( [ -n "$lk_read" ] && awk -v m="$lk_read" 'BEGIN{printf "%.1f", m/1e3}' || echo "not run") GB/s)."
	echo "Targets: q4_0 and q8_0 >= 85% of the ceiling, f16 >= 90%."
	echo
	echo "| quant | kernel | tok/s | TPOT p50 ms | bytes/token MB | achieved GB/s | ceiling GB/s | ceiling tok/s | % of ceiling | % of reference | compute ceiling tok/s | bound |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	jq -r '.decode.runs[] | "| \(.quant) | \(.kernel) | \(.tokens_per_s*100|round/100) | \(.tpot_s.p50*1e5|round/100) | \(.bytes_per_token/1e4|round/100) | \(.achieved_bytes_per_s/1e7|round/100) | \(.ceiling_bw_bytes_per_s/1e7|round/100) | \(.ceiling_tokens_per_s*100|round/100) | \(.fraction_of_ceiling*1000|round/10)% | \(.fraction_of_reference_ceiling*1000|round/10)% | \(.compute_ceiling_tokens_per_s*10|round/10) | \(.bound) |"' "$TMP/dec.json" 2>/dev/null
	echo
	echo "Reading these numbers: the Zen 4 VM's memory switches between a slow state (DRAM read ~33-37"
	echo "GB/s with 2 threads) and a fast one (~50-65 GB/s), between runs and even within one run"
	echo "(docs/methodology.md). The ceiling is measured on the weights' own memory right before"
	echo "each run to share its state, but the state can still change during the run (a % above"
	echo "100 or far below the others shows it). In the fast state the kernels' in-cache speed"
	echo "(compute ceiling column) is at or below the memory ceiling, so neither limit is reached."
	echo
	echo "### Decode per kernel feature set (\`--isa\`), $ROUNDS interleaved rounds: median (min-max)"
	echo
	echo "Prompt 128, 32 generated tokens; % of ceiling at ctx ~160 and at ctx 2048; compute/DRAM is"
	echo "the in-cache (compute) ceiling over the DRAM ceiling (target >= 2); prefill: the 128-token"
	echo "prompt as one GEMM, tok/s and G op/s (computed operations / TTFT) as % of the measured peak"
	echo "of the precision the kernel multiplies in (int8 for q4_0/q8_0, fp32 for f16)."
	echo
	echo "| --isa | quant | kernel | tok/s | % of ceiling | % at ctx 2048 | compute/DRAM | prefill tok/s | prefill G op/s | % of peak |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for isa in $ISAS; do
		for q in q4_0 q8_0 f16; do
			col() { awk -F'\t' -v i="$isa" -v q="$q" -v c="$1" -v s="$2" '$1 == i && $2 == q {print $c * s}' "$TMP/isa.tsv" | sort -g; }
			mm() { col "$1" "$2" | awk -v f="$3" '{a[NR]=$1} END {if (!NR) {print "-"; exit}; m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf f " (" f "-" f ")", m, a[1], a[NR]}'; }
			k=$(awk -F'\t' -v i="$isa" -v q="$q" '$1 == i && $2 == q {print $3; exit}' "$TMP/isa.tsv")
			[ -n "$k" ] || continue
			echo "| $isa | $q | $k | $(mm 4 1 %.2f) | $(mm 5 100 %.0f%%) | $(mm 8 100 %.0f%%) | $(mm 6 1 %.2f) | $(mm 7 1 %.1f) | $(mm 9 1 %.0f) | $(mm 10 100 %.1f%%) |"
		done
	done
	echo
	echo "### Decode of a GGUF file: TinyLlama-1.1B's shape, Q4_K_M-style mix, $ROUNDS interleaved rounds"
	echo
	echo "Written by the tests' GGUF writer (synthetic values, real k-quant blocks: q4_K matrices, q6_K"
	echo "for attn_v, ffn_down and the LM head), decoded by \`eaves decode --gguf\` from the same 8 prompt"
	echo "ids, 32 tokens; in-cache G weights/s per format ($THREADS threads); compute/DRAM as above."
	echo
	if [ -s "$TMP/gguf.tsv" ]; then
		echo "| --isa | file type | kernel (q4_K) | tok/s | % of ceiling | % at ctx 2048 | compute/DRAM | q4_K in cache | q6_K in cache | prefill tok/s |"
		echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
		for isa in $ISAS; do
			col() { awk -F'\t' -v i="$isa" -v c="$1" -v s="$2" '$1 == i {print $c * s}' "$TMP/gguf.tsv" | sort -g; }
			mm() { col "$1" "$2" | awk -v f="$3" '{a[NR]=$1} END {if (!NR) {print "-"; exit}; m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf f " (" f "-" f ")", m, a[1], a[NR]}'; }
			k=$(awk -F'\t' -v i="$isa" '$1 == i {print $2 "\t" $3; exit}' "$TMP/gguf.tsv")
			[ -n "$k" ] || continue
			echo "| $isa | $(echo "$k" | cut -f1) | $(echo "$k" | cut -f2) | $(mm 4 1 %.2f) | $(mm 5 100 %.0f%%) | $(mm 9 100 %.0f%%) | $(mm 6 1 %.2f) | $(mm 7 1 %.1f) | $(mm 8 1 %.1f) | $(mm 10 1 %.1f) |"
		done
	else
		echo "skipped: the GGUF file could not be written or decoded ($GEN)"
	fi
	echo
	echo "## Memory latency (\`eaves latency --quick\`), $ROUNDS rounds: median (min-max)"
	echo
	echo "Dependent loads over one random cycle of 64-byte lines; cycles at the measured clock."
	echo
	echo "| level | pages | working set | ns | cycles |"
	echo "|---|---|---:|---:|---:|"
	awk -F'\t' '$1 != "bound" {print $1 "\t" $2}' "$TMP/lat.tsv" | awk '!s[$0]++' | while IFS="$(printf '\t')" read -r lv pg; do
		sel() { awk -F'\t' -v l="$lv" -v p="$pg" -v c="$1" '$1 == l && $2 == p {print $c}' "$TMP/lat.tsv" | sort -g; }
		mm() { sel "$1" | awk -v f="$2" '{a[NR]=$1} END {if (!NR) {print "-"; exit}; m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf f " (" f "-" f ")", m, a[1], a[NR]}'; }
		ws=$(sel 3 | head -1 | awk '{printf "%.0f KiB", $1/1024}')
		echo "| $lv | $pg | $ws | $(mm 4 %.1f) | $(mm 5 %.0f) |"
	done
	echo
	echo "Little's-law bound (computed: misses in flight x 64 B / latency) beside the measured DRAM read:"
	echo
	echo "| round | misses in flight | idle ns | loaded ns | bound 1 core GB/s | read 1 core GB/s | bound all GB/s | read all GB/s |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' '$1 == "bound" {n++; printf "| %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", n, $2, $3, $4, $5, $6, $7, $8}' "$TMP/lat.tsv"
	echo
	echo "Context sweep (KV cache filled synthetically):"
	echo
	echo "| quant | ctx | tok/s | ceiling | % |"
	echo "|---|---:|---:|---:|---:|"
	jq -r '.decode.runs[] | .quant as $q | .context_sweep[] | "| \($q) | \(.ctx) | \(.tokens_per_s_median*100|round/100) | \(.ceiling_tokens_per_s*100|round/100) | \(.fraction_of_ceiling*1000|round/10)% |"' "$TMP/dec.json" 2>/dev/null
	echo
	echo "## GPU through Vulkan (\`eaves bw|flops --gpu 0\`, scripts/bench-gpu.sh)"
	echo
	sh scripts/bench-gpu.sh "$BIN" "$ROUNDS"
	echo
	echo "## ARM decode loops on core models (\`make mca\`: llvm-mca, a model, not a measurement)"
	echo
	sh scripts/mca.sh 2>&1 | sed 's/^### /### /' || echo "skipped: scripts/mca.sh could not run"
} > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "bench: wrote $OUT" >&2
cat "$OUT"
