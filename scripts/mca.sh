#!/bin/sh
# make mca: static throughput of the decode inner loops on published core
# pipeline models, with llvm-mca (Debian llvm-16). A MODEL, never a measurement:
# llvm-mca schedules the loop body the cross compiler emitted (gcc, -O2, the
# kernel file's own flags) on LLVM's model of a named core, assuming every load
# hits L1. Output: Markdown on stdout (scripts/bench.sh puts it in
# docs/performance.md).
#   1. cycles per iteration and bytes of weights per cycle, per loop and core;
#   2. per ARM board in configs/devices: the kernel eaves picks per format, its
#      in-core GB/s per core at the board's max clock, beside the board's DRAM
#      bandwidth per core (datasheet): below it, decode there is kernel-bound.
set -u
CC=${MCA_CC:-aarch64-linux-gnu-gcc}
MCA=${MCA:-llvm-mca-16}
ITER=${MCA_ITER:-200} # iterations llvm-mca simulates (the test uses fewer: same steady state)
for t in "$CC" "$MCA" jq; do
	command -v "$t" >/dev/null 2>&1 || { echo "mca: $t not found (Debian: gcc-aarch64-linux-gnu, llvm-16, jq)" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$(dirname "$0")/.."

# loop region | file | flags | bytes of weights per iteration | feature it needs
LOOPS="q4_0x4i-dotprod probes/quant-dotprod.c -march=armv8.2-a+dotprod 144 dotprod
q8_0x4-dotprod probes/quant-dotprod.c -march=armv8.2-a+dotprod 136 dotprod
q4_0-dotprod probes/quant-dotprod.c -march=armv8.2-a+dotprod 36 dotprod
q8_0-dotprod probes/quant-dotprod.c -march=armv8.2-a+dotprod 68 dotprod
q4_0x4-neon probes/quant-neon.c -march=armv8-a 144 neon
q4_0-neon probes/quant-neon.c -march=armv8-a 36 neon
q8_0x4-neon probes/quant-neon.c -march=armv8-a 272 neon
q8_0-neon probes/quant-neon.c -march=armv8-a 68 neon
f16-fp16 probes/quant-fp16.c -march=armv8.2-a+fp16 256 fp16
f16-neon probes/quant-neon.c -march=armv8-a 64 neon
q4_0-generic probes/quant.c -march=armv8-a 18 neon
q8_0-generic probes/quant.c -march=armv8-a 34 neon
q4_Kx4i-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 576 dotprod
q4_K-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 288 dotprod
q5_Kx4i-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 704 dotprod
q5_Kx4i-io-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 704 dotprod
q5_K-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 352 dotprod
q6_Kx4i-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 840 dotprod
q6_Kx4i-io-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 840 dotprod
q6_K-dotprod probes/kquant-dotprod.c -march=armv8.2-a+dotprod 420 dotprod
q4_K-neon probes/kquant-neon.c -march=armv8-a 288 neon
q5_K-neon probes/kquant-neon.c -march=armv8-a 352 neon
q6_K-neon probes/kquant-neon.c -march=armv8-a 420 neon
q4_K-generic probes/kquant.c -march=armv8-a 144 neon"
# Prefill's multi-token loops at 4 tokens (regions <name>-t4): multiply-adds
# per iteration (4 rows x 32 quants x 4 tokens; f16: 4 rows x 8 x 4 tokens).
GEMMS="q4_0x4i-gemm-dotprod-t4 probes/quant-dotprod.c -march=armv8.2-a+dotprod 512 dotprod
q4_0x4i-gemm-i8mm-t4 probes/quant-i8mm.c -march=armv8.2-a+dotprod+i8mm 512 i8mm
q8_0x4-gemm-dotprod-t4 probes/quant-dotprod.c -march=armv8.2-a+dotprod 512 dotprod
q8_0x4-gemm-i8mm-t4 probes/quant-i8mm.c -march=armv8.2-a+dotprod+i8mm 512 i8mm
f16-gemm-neon-t4 probes/quant-neon.c -march=armv8-a 128 neon"
# Bandwidth loops (probes/bw-neon.c): bytes per iteration as the probe counts
# them (STREAM: copy 64 read + 64 written, triad 2 x 32 read + 32 written).
BWLOOPS="bw-read probes/bw-neon.c -march=armv8-a 128 neon
bw-write probes/bw-neon.c -march=armv8-a 64 neon
bw-write-nt probes/bw-neon.c -march=armv8-a 64 neon
bw-copy probes/bw-neon.c -march=armv8-a 128 neon
bw-copy-nt probes/bw-neon.c -march=armv8-a 128 neon
bw-triad probes/bw-neon.c -march=armv8-a 96 neon"
# Peak-arithmetic loops (probes/flops-*.c, 12 independent chains): operations
# per iteration (FMA 2 per lane, sdot 8 per s32 lane) | the uarch.json precision.
FLOPS="flops_fp64_neon_fma probes/flops-neon.c -march=armv8-a 48 neon fp64
flops_fp32_neon_fma probes/flops-neon.c -march=armv8-a 96 neon fp32
flops_fp16_neon_fma probes/flops-fp16.c -march=armv8.2-a+fp16 192 fp16 fp16
flops_int8_neon_sdot probes/flops-dotprod.c -march=armv8.2-a+dotprod 384 dotprod int8"
# core model | features (what eaves' dispatch would find in HWCAP; inorder:
# cpu_in_order(), which picks the kernels scheduled for in-order cores)
CORES="cortex-a53 neon,inorder
cortex-a55 neon,fp16,dotprod,inorder
cortex-a57 neon
cortex-a72 neon
cortex-a76 neon,fp16,dotprod
cortex-a78 neon,fp16,dotprod
cortex-a710 neon,fp16,dotprod,i8mm
neoverse-n2 neon,fp16,dotprod,i8mm
neoverse-v1 neon,fp16,dotprod,i8mm
apple-m1 neon,fp16,dotprod
neoverse-n1@19 neon,fp16,dotprod"
# core@19: scheduled by LLVM 19's llvm-mca (Debian llvm-19, also the RISC-V
# section's): its Neoverse N1 model, the A76's server twin, where LLVM 16's
# "cortex-a76" is the A57's model. The column is left empty without llvm-19.
MCA19=${MCA19:-llvm-mca-19}
label() { case "$1" in *@19) echo "${1%@19} (LLVM 19)" ;; *) echo "$1" ;; esac; }

# Compile each file once, keep only what llvm's assembler reads the same.
for f in $(printf '%s\n%s\n%s\n%s\n' "$LOOPS" "$GEMMS" "$FLOPS" "$BWLOOPS" | awk '{print $2}' | sort -u); do
	flags=$(printf '%s\n%s\n%s\n%s\n' "$LOOPS" "$GEMMS" "$FLOPS" "$BWLOOPS" | awk -v f="$f" '$2 == f {print $3; exit}')
	set_=$(echo "$flags" | sed 's/.*+//; s/-march=armv8-a/neon/')
	"$CC" -O2 -std=c11 -D_GNU_SOURCE -DEV_MCA -DEV_FILE_SET="\"$set_\"" $flags -Isrc/core -Iprobes \
		-S -o "$TMP/$(basename "$f" .c).s" "$f" || { echo "mca: cannot compile $f" >&2; exit 1; }
	# gcc writes a byte-vector movi's immediate sign-extended (0xf0 as
	# 0xfffffffffffffff0), which gas takes and llvm's assembler refuses.
	sed -i '/^[[:space:]]*\.arch/d; s/\(movi[[:space:]].*\.16b, \)0xffffffffffffff\([0-9a-f][0-9a-f]\)$/\10x\2/' \
		"$TMP/$(basename "$f" .c).s"
done

# A region with a branch inside (an inner loop the compiler kept) or a call (a
# helper it did not inline) is scheduled by llvm-mca as straight-line code,
# the inner loop once and the callee not at all: its cycles are a lower bound.
# Such regions are listed, and their cells printed as >= cycles / <= rate.
for s in "$TMP"/*.s; do
	awk '/LLVM-MCA-BEGIN/ {r = $NF; inr = 1; next} /LLVM-MCA-END/ {inr = 0}
	     inr && /^[[:space:]]+(b|b\.?(eq|ne|lt|gt|le|ge|hi|ls|cc|cs|lo|hs|mi|pl|vs|vc)|cbn?z|tbn?z)[[:space:]]/ {print r}' "$s"
done | sort -u > "$TMP/looped"

# cycles per iteration: region name -> Total Cycles / Iterations (a job per
# core model, all at once: the test suite runs this on 2 cores)
# cycles CORE TOOL FILE ARGS...: each marked region of FILE scheduled by TOOL
# (llvm-mca) with ARGS: "core <tab> region <tab> cycles per iteration" lines
cycles() {
	c_=$1 t_=$2 f_=$3
	shift 3
	"$t_" "$@" -iterations=$ITER "$f_" 2>/dev/null | awk -v c="$c_" -v it=$ITER '
		/Code Region - / {r = $NF}
		/^Total Cycles:/ {printf "%s\t%s\t%.2f\n", c, r, $3 / it}'
}
echo "$CORES" | {
	while read -r core feats; do
		tool=$MCA cpu=$core
		case "$core" in *@19) tool=$MCA19 cpu=${core%@19} ;; esac
		command -v "$tool" >/dev/null 2>&1 || continue
		for s in "$TMP"/*.s; do
			cycles "$core" "$tool" "$s" -mtriple=aarch64-linux-gnu -mcpu="$cpu" -mattr=+dotprod,+fullfp16,+i8mm
		done > "$TMP/cyc-$core.tsv" &
	done
	wait
}
cat "$TMP"/cyc-*.tsv > "$TMP/cyc.tsv"

cyc() { awk -F'\t' -v c="$1" -v r="$2" '$1 == c && $2 == r {print $3; exit}' "$TMP/cyc.tsv"; }
bytes() { echo "$LOOPS" | awk -v r="$1" '$1 == r {print $4; exit}'; }
need() { echo "$LOOPS" | awk -v r="$1" '$1 == r {print $5; exit}'; }
has() { echo "$CORES" | awk -v c="$1" -v f="$2" '$1 == c {n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == f) {print 1; exit}}'; }
pick() { # the loop eaves' dispatch runs for a format on a core
	case "$2" in
	f16) if [ "$(has "$1" fp16)" = 1 ]; then echo f16-fp16; else echo f16-neon; fi ;;
	q4_K) if [ "$(has "$1" dotprod)" = 1 ]; then echo q4_Kx4i-dotprod; else echo q4_K-neon; fi ;;
	q4_0) if [ "$(has "$1" dotprod)" = 1 ]; then echo q4_0x4i-dotprod; else echo q4_0x4-neon; fi ;;
	q5_K | q6_K)
		if [ "$(has "$1" dotprod)" != 1 ]; then echo "$2-neon"
		elif [ "$(has "$1" inorder)" = 1 ]; then echo "$2x4i-io-dotprod"
		else echo "$2x4i-dotprod"; fi ;;
	*) if [ "$(has "$1" dotprod)" = 1 ]; then echo "$2x4-dotprod"; else echo "$2x4-neon"; fi ;;
	esac
}

# Every board in configs/devices: id, core (uarch), max GHz, datasheet DRAM GB/s per core.
boards() {
	for f in configs/devices/*.json; do
		jq -r '[.id, (.cpu.uarch // "-"), (.cpu.max_ghz // 0), (.cpu.cores // 0), (.memory.peak_bw_gbs // 0)] | @tsv' "$f"
	done | awk -F'\t' '{printf "%s %s %s %.2f\n", $1, $2, $3, ($4 > 0 ? $5 / $4 : 0)}'
}

# header FIRST: a table's header row, a column per core model
header() {
	printf "| %s |" "$1"
	echo "$CORES" | while read -r core feats; do printf " %s |" "$(label "$core")"; done
	printf "\n|---|"
	echo "$CORES" | while read -r core feats; do printf -- "---:|"; done
	printf "\n"
}

# table LIST HEADER SUFFIX DIGITS: a row per loop, a column per core model:
# cycles per iteration / (the loop's amount per iteration) per cycle.
table() {
	header "$2"
	echo "$1" | while read -r r f fl b ft; do
		printf "| %s (%s%s) |" "$r" "$b" "$3"
		echo "$CORES" | while read -r core feats; do
			c=$(cyc "$core" "$r")
			if [ "$(has "$core" "$ft")" != 1 ]; then printf " n/a |"
			elif [ -z "$c" ]; then printf " - |"
			elif grep -qx "$r" "$TMP/looped"; then
				printf " >=%s / <=%s |" "$c" "$(awk -v b="$b" -v c="$c" -v d="$4" 'BEGIN{printf "%." d "f", b / c}')"
			else printf " %s / %s |" "$c" "$(awk -v b="$b" -v c="$c" -v d="$4" 'BEGIN{printf "%." d "f", b / c}')"
			fi
		done
		printf "\n"
	done
}

echo "### Decode inner loops on core models (llvm-mca, a model: every load an L1 hit)"
echo
echo "Cycles per iteration / bytes of weights per cycle. $("$MCA" --version 2>/dev/null | grep -i 'llvm version' | sed 's/^ *//'),"
echo "$("$CC" --version | head -1), -O2 with each kernel file's flags. n/a: the core lacks the feature."
echo "Columns with identical figures come from one LLVM scheduling model (LLVM 16: A57, A72, A76, A78;"
echo "and A710, N2, V1): such a column is that shared model's, not a model of the named core. The last"
echo "column is LLVM 19's Neoverse N1 model (the A76's server twin), a closer stand-in for the A76/A78"
echo "than LLVM 16's, whose A76 is the A57's model; issue 11's targets are read on LLVM 16's columns."
echo
table "$LOOPS" "loop (weights per iteration)" " B" 2
if [ -s "$TMP/looped" ]; then
	echo
	echo ">= / <=: the loop's body keeps an inner loop or a call, which llvm-mca schedules once or"
	echo "not at all: a lower bound on cycles. Such loops: $(tr '\n' ' ' < "$TMP/looped" | sed 's/ $//; s/ /, /g')."
fi
echo
echo "### The loop eaves runs per format and core (the dispatch's pick; llvm-mca, a model)"
echo
echo "Bytes of weights per cycle of the kernel ev_dot_pick chooses there (from the table above):"
echo "4 rows interleaved with sdot where the core has dotprod, the in-order schedules (-io) on"
echo "the in-order cores (A53, A55)."
echo
header "format"
for fmt in q4_0 q8_0 f16 q4_K q5_K q6_K; do
	printf "| %s |" "$fmt"
	echo "$CORES" | while read -r core feats; do
		l=$(pick "$core" "$fmt")
		c=$(cyc "$core" "$l")
		if [ -z "$c" ]; then printf " - |"
		else printf " %s (%s) |" "$(awk -v b="$(bytes "$l")" -v c="$c" 'BEGIN{printf "%.2f", b / c}')" "$l"
		fi
	done
	printf "\n"
done
echo
echo "### Prefill loops on core models (4 tokens per weight load; llvm-mca, a model)"
echo
echo "Cycles per iteration / multiply-adds per cycle. i8mm (smmla) against dotprod (sdot) on the same"
echo "4-row layout; n/a: the core lacks the feature."
echo
table "$GEMMS" "loop (multiply-adds per iteration)" "" 1
echo
echo "### Bandwidth loops on core models (probes/bw-neon.c; llvm-mca, a model: every access an L1 hit)"
echo
echo "Cycles per iteration / bytes per cycle, counted as the probe counts them (STREAM). What one"
echo "core can issue, so the ceiling of the L1 figure \`eaves bw\` can report there; the board table"
echo "below sets the slowest of them against each board's DRAM bandwidth per core. The LLVM 16 models"
echo "differ from the cores on loads: the A55 model charges a 128-bit load pair (ldp q) 6 cycles and"
echo "a single 128-bit load 1, where published A55 kernel notes (ncnn's, onnxruntime's) have every"
echo "128-bit load hold issue for 2 cycles; the A76 column is the A57's model (one 128-bit load a"
echo "cycle, where the A76 has two load pipes)."
echo
table "$BWLOOPS" "loop (bytes per iteration)" " B" 1
echo
echo "### Peak-arithmetic loops on core models against configs/uarch.json"
echo
echo "Operations per cycle per core: the model's (llvm-mca on the flops kernel's loop, 12"
echo "independent chains) / configs/uarch.json's (derived from the pipes, used for theoretical"
echo "peaks). DIFFERS: more than 10% apart; -: the core is not in uarch.json; n/a: no such instruction."
echo
header "kernel (ops per iteration)"
: > "$TMP/agree"
echo "$FLOPS" | while read -r r f fl ops ft prec; do
	printf "| %s (%s) |" "$r" "$ops"
	echo "$CORES" | while read -r core feats; do
		ua=${core%@19}
		[ "$core" = apple-m1 ] && ua=apple-m1-firestorm
		want=$(jq -r --arg u "$ua" --arg p "$prec" \
			'.uarchs[] | select(.name == $u) | .ops_per_cycle_per_core[$p] // "null"' configs/uarch.json)
		c=$(cyc "$core" "$r")
		if [ "$(has "$core" "$ft")" != 1 ]; then printf " n/a |"; continue; fi
		[ -z "$c" ] && { printf " - |"; continue; }
		got=$(awk -v o="$ops" -v c="$c" 'BEGIN{printf "%.1f", o / c}')
		if [ -z "$want" ] || [ "$want" = null ]; then printf " %s / - |" "$got"; continue; fi
		v=$(awk -v g="$got" -v w="$want" 'BEGIN{print (g > 1.1 * w || g < 0.9 * w) ? "DIFFERS" : "agrees"}')
		echo "$v $core $prec" >> "$TMP/agree"
		if [ "$v" = agrees ]; then printf " %s / %s |" "$got" "$want"; else printf " %s / %s DIFFERS |" "$got" "$want"; fi
	done
	printf "\n"
done
echo
echo "uarch.json against the models: $(grep -c '^agrees' "$TMP/agree") agree, $(grep -c '^DIFFERS' "$TMP/agree") differ$(grep '^DIFFERS' "$TMP/agree" | awk '{printf "%s %s %s", NR == 1 ? ":" : ",", $2, $3}')."
echo
echo "### ARM boards (configs/devices): in-core rate per core vs DRAM per core"
echo
echo "In-core GB/s = bytes per cycle (above, the kernel eaves picks there) x max clock; DRAM per"
echo "core = the datasheet's memory bandwidth / cores. In-core below DRAM share: decode there is"
echo "bound by eaves' kernel, not by the board (the verdict column)."
echo
echo "The bw column: the slowest bandwidth loop above at that clock; below the DRAM share, the"
echo "board's DRAM figure from \`eaves bw\` on one core would be the loop's (verdict: bw-loop-bound)."
echo
echo "| board | core model | GHz | DRAM GB/s per core | q4_0 GB/s | q8_0 GB/s | f16 GB/s | q4_K GB/s | q5_K GB/s | q6_K GB/s | bw GB/s | verdict |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
boards | while read -r id ua ghz share; do
	case "$ua" in cortex-a78ae) core=cortex-a78 ;; cortex-*|neoverse-*) core=$ua ;; *) continue ;; esac
	[ -n "$(echo "$CORES" | awk -v c="$core" '$1 == c')" ] || continue
	row="| $id | $core | $ghz | $share |"
	worst=""
	for q in q4_0 q8_0 f16 q4_K q5_K q6_K; do
		r=$(pick "$core" "$q"); c=$(cyc "$core" "$r"); b=$(bytes "$r")
		g=$(awk -v b="$b" -v c="$c" -v h="$ghz" 'BEGIN{ if (c > 0) printf "%.2f", b / c * h; else print "-" }')
		row="$row $g ($r) |"
		[ "$g" != "-" ] && awk -v g="$g" -v s="$share" 'BEGIN{exit !(g < s)}' && worst="$worst $q"
	done
	bwr=$(echo "$BWLOOPS" | while read -r r f fl b ft; do
		awk -v b="$b" -v c="$(cyc "$core" "$r")" -v h="$ghz" -v r="$r" 'BEGIN{ if (c > 0) printf "%.2f %s\n", b / c * h, r }'
	done | sort -n | head -1)
	row="$row ${bwr% *} (${bwr#* }) |"
	bwb=$(awk -v g="${bwr% *}" -v s="$share" 'BEGIN{ if (g < s) print " bw-loop-bound" }')
	if [ -n "$worst" ]; then row="$row kernel-bound:$worst$bwb |"; elif [ -n "$bwb" ]; then row="$row$bwb |"; else row="$row memory |"; fi
	echo "$row"
done

# ---- RISC-V: LLVM 19's models (LLVM 16 has no RVV scheduling model) ----
# The RVV kernel files built as the riscv64 build does (clang-16, FLAGS_rvv from
# the Makefile), the generic C with -march=rv64gc; llvm-mca-19 on the SiFive
# X280 (in-order, VLEN 512), P670 (out-of-order, VLEN 128) and U74 (no V: the
# VisionFive 2's core, which runs the generic C) models. Bytes per iteration of
# a vector-length-agnostic loop depend on VLEN: "NV" means N x VLEN/8.
RVCC=${MCA_RVCC:-clang-16}
RVMCA=${MCA_RV:-llvm-mca-19}
echo
echo "### RISC-V loops on core models (llvm-mca-19, a model: every access an L1 hit)"
echo
if ! command -v "$RVCC" >/dev/null 2>&1 || ! command -v "$RVMCA" >/dev/null 2>&1; then
	echo "skipped: $RVCC or $RVMCA not found (Debian: clang-16, llvm-19)"
	exit 0
fi
RVFLAGS=$(sed -n 's/^FLAGS_rvv *:= *//p' Makefile)
# region | file | flags (rvv or gc) | bytes (or NV) per iteration | VLEN it is built for (0: any)
RVLOOPS="q8_0-rvv probes/quant-rvv.c rvv 68 128
q8_0-rvv-256 probes/quant-rvv.c rvv 136 256
q8_0-rvv-512 probes/quant-rvv.c rvv 136 512
q4_0-rvv probes/quant-rvv.c rvv 36 128
q4_0-rvv-256 probes/quant-rvv.c rvv 72 256
q4_0-rvv-512 probes/quant-rvv.c rvv 72 512
f16-rvv probes/quant-rvv.c rvv 2V 0
q4_K-rvv probes/kquant-rvv.c rvv 144 128
q4_K-rvv-256 probes/kquant-rvv.c rvv 144 256
q4_K-rvv-512 probes/kquant-rvv.c rvv 144 512
q5_K-rvv probes/kquant-rvv.c rvv 176 128
q5_K-rvv-512 probes/kquant-rvv.c rvv 176 512
q6_K-rvv probes/kquant-rvv.c rvv 210 128
q6_K-rvv-512 probes/kquant-rvv.c rvv 210 512
bw-read-rvv probes/bw-rvv.c rvv 8V 0
bw-write-rvv probes/bw-rvv.c rvv 8V 0
bw-copy-rvv probes/bw-rvv.c rvv 16V 0
bw-triad-rvv probes/bw-rvv.c rvv 24V 0
q4_0-generic probes/quant.c gc 18 0
q8_0-generic probes/quant.c gc 34 0
q4_K-generic probes/kquant.c gc 144 0"
# core | VLEN (0: no V)
RVCORES="sifive-x280 512
sifive-p670 128
sifive-u74 0"
for f in $(echo "$RVLOOPS" | awk '{print $2 "," $3}' | sort -u); do
	src=${f%,*}; kind=${f#*,}
	if [ "$kind" = rvv ]; then fl="$RVFLAGS -DEV_FILE_SET=\"rvv\""; else fl="-march=rv64gc -DEV_FILE_SET=\"generic\""; fi
	# shellcheck disable=SC2086
	"$RVCC" --target=riscv64-linux-gnu $fl -O2 -std=c11 -D_GNU_SOURCE -DEV_KERNELS_ONLY -DEV_MCA \
		-Isrc/core -Iprobes -S -o "$TMP/rv-$(basename "$src" .c)-$kind.s" "$src" 2>/dev/null ||
		{ echo "mca: cannot compile $src for riscv64" >&2; exit 1; }
	# LLVM 16's ISA string and options, which LLVM 19's assembler refuses
	sed -i '/^[[:space:]]*\.attribute/d; /^[[:space:]]*\.option/d' "$TMP/rv-$(basename "$src" .c)-$kind.s"
done
for s in "$TMP"/rv-*.s; do
	awk '/LLVM-MCA-BEGIN/ {r = $NF; inr = 1; next} /LLVM-MCA-END/ {inr = 0}
	     inr && /^[[:space:]]+(j|jal|jalr|call|tail|beqz?|bnez?|bltz?|bgez?|blez|bgtz|bltu|bgeu|bgt|ble|bgtu|bleu)[[:space:]]/ {print r}' "$s"
done | sort -u > "$TMP/rvlooped"
echo "$RVCORES" | {
	while read -r core vlen; do
		for s in "$TMP"/rv-*.s; do
			case "$s" in *-rvv.s) [ "$vlen" -gt 0 ] || continue ;; esac
			cycles "$core" "$RVMCA" "$s" -mtriple=riscv64 -mcpu="$core" \
				-mattr=+m,+a,+f,+d,+c$([ "$vlen" -gt 0 ] && echo ,+v)
		done > "$TMP/rvcyc-$core.tsv" &
	done
	wait
}
cat "$TMP"/rvcyc-*.tsv > "$TMP/rvcyc.tsv"
rvcyc() { awk -F'\t' -v c="$1" -v r="$2" '$1 == c && $2 == r {print $3; exit}' "$TMP/rvcyc.tsv"; }
rvbytes() { # bytes per iteration of loop $1 on a core of VLEN $2
	echo "$RVLOOPS" | awk -v r="$1" -v v="$2" '$1 == r {b = $4; if (b ~ /V$/) {sub(/V$/, "", b); b = b * v / 8} print b; exit}'
}
echo "Cycles per iteration / bytes per cycle (decode: bytes of weights; bandwidth: STREAM bytes). Each"
echo "RVV decode kernel is built three times, its register groups sized to a block at VLEN 128,"
echo "256 and 512 (\`-256\`, \`-512\`); a core runs the one for its VLEN (in bold; X280: 512, P670:"
echo "128), the others are shown on its model for comparison. Bytes of the vector-length-agnostic"
echo "loops (f16, bandwidth) are at the core's VLEN. n/a: no V (the U74 runs the generic C)."
echo "$("$RVMCA" --version 2>/dev/null | grep -i 'llvm version' | sed 's/^ *//'), $("$RVCC" --version | head -1),"
echo "flags: $RVFLAGS (RVV), -march=rv64gc (generic)."
echo
printf "| loop (bytes per iteration) |"
echo "$RVCORES" | while read -r core vlen; do printf " %s (VLEN %s) |" "$core" "$vlen"; done
printf "\n|---|"
echo "$RVCORES" | while read -r core vlen; do printf -- "---:|"; done
printf "\n"
echo "$RVLOOPS" | while read -r r f kind b built; do
	printf "| %s (%s B) |" "$r" "$b"
	echo "$RVCORES" | while read -r core vlen; do
		c=$(rvcyc "$core" "$r")
		if [ "$kind" = rvv ] && [ "$vlen" -eq 0 ]; then printf " n/a |"; continue; fi
		[ -z "$c" ] && { printf " - |"; continue; }
		by=$(rvbytes "$r" "$vlen")
		cell=$(awk -v b="$by" -v c="$c" 'BEGIN{printf "%.2f", b / c}')
		if grep -qx "$r" "$TMP/rvlooped"; then printf " >=%s / <=%s |" "$c" "$cell"
		elif [ "$built" = "$vlen" ]; then printf " **%s / %s** |" "$c" "$cell"
		else printf " %s / %s |" "$c" "$cell"; fi
	done
	printf "\n"
done
if [ -s "$TMP/rvlooped" ]; then
	echo
	echo ">= / <=: the loop's body keeps an inner loop or a call (a lower bound on cycles). Such loops:"
	echo "$(tr '\n' ' ' < "$TMP/rvlooped" | sed 's/ $//; s/ /, /g')."
fi
echo
echo "RISC-V boards (configs/devices): the VisionFive 2's U74 (no V) runs the generic C; the Milk-V"
echo "Pioneer's C920 has RVV 0.7.1 (not 1.0: eaves' RVV kernels do not run there) and no LLVM model."
echo
echo "| board | core model | GHz | DRAM GB/s per core | q4_0 GB/s | q8_0 GB/s | q4_K GB/s | verdict |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
boards | while read -r id ua ghz share; do
	[ "$ua" = sifive-u74 ] || continue
	row="| $id | $ua | $ghz | $share |"
	worst=""
	for q in q4_0 q8_0 q4_K; do
		r="$q-generic"; c=$(rvcyc "$ua" "$r"); b=$(rvbytes "$r" 0)
		g=$(awk -v b="$b" -v c="$c" -v h="$ghz" 'BEGIN{ if (c > 0) printf "%.2f", b / c * h; else print "-" }')
		if grep -qx "$r" "$TMP/rvlooped"; then row="$row <=$g ($r) |"; else row="$row $g ($r) |"; fi
		[ "$g" != "-" ] && awk -v g="$g" -v s="$share" 'BEGIN{exit !(g < s)}' && worst="$worst $q"
	done
	if [ -n "$worst" ]; then row="$row kernel-bound:$worst |"; else row="$row memory |"; fi
	echo "$row"
done
