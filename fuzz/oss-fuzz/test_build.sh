#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# Run fuzz/oss-fuzz/build.sh in a local OSS-Fuzz-like environment (no container
# engine here): the variables OSS-Fuzz sets for a libFuzzer + ASan build,
# fresh $OUT and $WORK, then run every produced target for a few seconds on
# its seed corpus and check the artefacts (zip, dict, options, no dynamic
# liburcu). Usage: fuzz/oss-fuzz/test_build.sh [SECONDS_PER_TARGET]
# A meson test (suite 'slow', fuzz/meson.build) runs it.

set -eu -o pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lusim-ossfuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

export CC=clang
export CFLAGS="-fsanitize=address,fuzzer-no-link -O1 -g -fno-omit-frame-pointer"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export SRC=$tmp/src OUT=$tmp/out WORK=$tmp/work
mkdir -p "$SRC" "$OUT" "$WORK"
ln -s "$here" "$SRC/lusim"

bash "$here/fuzz/oss-fuzz/build.sh"

nr=0
findings=0
for bin in "$OUT"/fuzz_*; do
	case "$bin" in *.zip|*.dict|*.options) continue ;; esac
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	[ -f "$OUT/${name}_seed_corpus.zip" ] || { echo "FAIL: no seed corpus zip for $name"; exit 1; }
	[ -f "$OUT/$name.options" ] || { echo "FAIL: no options for $name"; exit 1; }
	corpus=$tmp/corpus-$name
	mkdir -p "$corpus"
	(cd "$corpus" && unzip -q "$OUT/${name}_seed_corpus.zip")
	dict=()
	[ -f "$OUT/$name.dict" ] && dict=(-dict="$OUT/$name.dict")
	echo "== $name: ${secs}s on $(ls "$corpus" | wc -l) seeds"
	# the runner's way: from $OUT, the options' dict, a fresh corpus dir.
	# This checks the build, not the code: a target that starts, loads its
	# seeds and executes inputs passes; a finding it makes in these seconds
	# is printed (the fuzz-smoke suite and campaigns own findings) and
	# fails the test only with LUSIM_OSSFUZZ_STRICT=1.
	mkdir -p "$tmp/new-$name" "$tmp/artifacts"
	rc=0
	(cd "$OUT" && "./$name" "${dict[@]}" -max_total_time="$secs" \
		-timeout=25 -seed=1 -print_final_stats=1 \
		-artifact_prefix="$tmp/artifacts/$name-" \
		"$tmp/new-$name" "$corpus") > "$tmp/$name.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$name.log" | tail -1)
	if [ -z "$execs" ] || [ "$execs" -lt 1 ]; then
		tail -50 "$tmp/$name.log"
		echo "FAIL: $name did not run (exit $rc)"
		exit 1
	fi
	if [ "$rc" -ne 0 ]; then
		grep -E '^(lusim: finding|SUMMARY|Base64)' "$tmp/$name.log" | head -20 || true
		echo "FINDING: $name (exit $rc) after $execs inputs"
		findings=$((findings + 1))
	else
		echo "ok: $name: $execs inputs"
	fi
	nr=$((nr + 1))
done
[ "$nr" -gt 0 ] || { echo "FAIL: build.sh produced no targets"; exit 1; }
echo "test_build.sh: $nr targets built and run, $findings with a finding"
if [ "$findings" -gt 0 ] && [ "${LUSIM_OSSFUZZ_STRICT:-0}" = 1 ]; then
	exit 1
fi
