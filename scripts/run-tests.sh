#!/bin/sh
# Run every test program under each build folder given, print their output and
# one closing line: "total: N passed, N failed, N skipped". Exit 1 on any failure.
set -u
pass=0; fail=0; skip=0
for dir in "$@"; do
	case "$dir" in
	skip:*)
		echo "SKIP ${dir#skip:}"
		skip=$((skip + 1))
		continue
		;;
	esac
	# DIR:CPU runs the kernel tests again under qemu's model of that CPU (its
	# HWCAP lacks features), so dispatch and fallbacks are exercised too
	cpu="" only=""
	case "$dir" in
	*:*) cpu=${dir#*:}; dir=${dir%%:*}
	     only="test-quant test-dispatch test-decode test-bw test-flops test-lat" ;;
	esac
	run=""
	case "$dir" in
	*aarch64*) [ "$(uname -m)" != aarch64 ] && run="qemu-aarch64 -L /${cpu:+ -cpu $cpu}" ;;
	# riscv64 (kernels only): RVV 1.0 at VLEN 256 unless the CPU part says otherwise
	*riscv64*) run="qemu-riscv64 -L /usr/riscv64-linux-gnu -cpu ${cpu:-rv64,v=true,vlen=256}" ;;
	esac
	for t in "$dir"/tests/test-*; do
		[ -x "$t" ] || continue
		name="$(basename "$t")"
		if [ -n "$only" ]; then
			case " $only " in *" $name "*) ;; *) continue ;; esac
		fi
		[ "$dir" != "build" ] && name="$name ($dir${cpu:+ $cpu})"
		# cross-built tests run under qemu-user (the arm64 multiarch libraries in /)
		t0=$(date +%s)
		out=$(EAVES_BIN="$dir/eaves" EAVES_SRC="$(pwd)" EAVES_RUN="$run" $run "$t" 2>&1)
		rc=$?
		echo "[$name] took $(( $(date +%s) - t0 )) s" >> "${TMPDIR:-/tmp}/eaves-test-times.$$"
		printf '%s\n' "$out" | sed "s|^|[$name] |"
		line=$(printf '%s\n' "$out" | grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -1)
		if [ -z "$line" ]; then
			echo "[$name] FAIL: exited $rc without a summary line"
			fail=$((fail + 1))
			continue
		fi
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		s=$(echo "$line" | sed -E 's/.* ([0-9]+) skipped$/\1/')
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "[$name] FAIL: exited $rc"
			fail=$((fail + 1))
		fi
	done
done
# the slowest programs, for keeping the suite short
if [ -f "${TMPDIR:-/tmp}/eaves-test-times.$$" ]; then
	echo "slowest:"
	awk '{n = $(NF-1); print n, $0}' "${TMPDIR:-/tmp}/eaves-test-times.$$" | sort -n -r | head -8 | cut -d' ' -f2-
	rm -f "${TMPDIR:-/tmp}/eaves-test-times.$$"
fi
echo "total: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
