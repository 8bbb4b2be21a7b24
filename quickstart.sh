#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lusim quick start. Two commands on a fresh Debian machine:
#
#   ./quickstart.sh fuzz   install what is missing, build the libFuzzer
#                          targets, run a 60-second campaign on all cores
#                          (fuzz_ops once it exists, fuzz_xarray until then)
#                          and print a summary (docs/fuzzing.md)
#   ./quickstart.sh test   install what is missing, build (gcc, clang
#                          ASan+UBSan, libFuzzer, AFL++), run the whole test
#                          suite, the corpus replays and the fuzz smoke tests
#
# Build directories: build/gcc (plain gcc), build/asan (clang, ASan+UBSan,
# instrumented like the fuzzers: -fsanitize=fuzzer-no-link), build/fuzz
# (clang, libFuzzer, ASan+UBSan) and build/afl (afl-clang-fast, AFL++); the
# last two build only the fuzz targets.
#
# Environment: JOBS (parallel jobs, default: all cores), FUZZ_SECONDS
# (campaign length for `fuzz`, default 60).
set -euo pipefail

cd "$(dirname "$0")"

PACKAGES=(meson ninja-build gcc clang llvm libclang-rt-14-dev afl++ libcmocka-dev
	  liburcu-dev pkg-config graphviz python3)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SAN_FATAL=(-Dc_args='-fno-sanitize-recover=all' -Dc_link_args='-fno-sanitize-recover=all')

say() { printf '\n== %s\n' "$*"; }

install_deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# setup DIR COMPILER [meson options...]: configure once, reconfigure after that
setup() {
	local dir=$1 compiler=$2
	shift 2
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		CC=$compiler meson setup "$dir" "$@" >/dev/null
	fi
}

build_gcc() {
	say "building build/gcc (gcc, plain)"
	setup build/gcc gcc
	ninja -C build/gcc -j "$JOBS" >/dev/null
}

build_asan() {
	say "building build/asan (clang, ASan+UBSan, fuzzer-no-link instrumentation)"
	setup build/asan clang -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fno-sanitize-recover=all -fsanitize=fuzzer-no-link' \
		-Dc_link_args=-fno-sanitize-recover=all
	ninja -C build/asan -j "$JOBS" >/dev/null
}

# The fuzz targets present (fuzz/<name>.c) and their ninja targets in a build
# directory with the given suffixes ("" = the libFuzzer binary).
fuzz_targets() {
	local f
	for f in fuzz/fuzz_*.c; do
		[ -e "$f" ] && basename "$f" .c
	done
}

fuzz_ninja_targets() {
	local t s
	for t in $(fuzz_targets); do
		for s in "$@"; do
			printf 'fuzz/%s%s\n' "$t" "$s"
		done
	done
}

# build/fuzz: libFuzzer + ASan+UBSan (errors fatal, so the fuzzer records
# them), only the fuzz targets and their replay binaries.
build_fuzz() {
	say "building build/fuzz (clang, libFuzzer, ASan+UBSan; fuzz targets only)"
	setup build/fuzz clang -Dfuzzing=libfuzzer -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbenchmarks=false "${SAN_FATAL[@]}"
	# shellcheck disable=SC2046
	ninja -C build/fuzz -j "$JOBS" $(fuzz_ninja_targets "" -replay) >/dev/null
}

# build/afl: AFL++ persistent mode, only the fuzz targets (skipped without
# afl-clang-fast).
have_afl() {
	command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null
}

build_afl() {
	if ! have_afl; then
		say "afl-clang-fast/afl-fuzz not found: skipping the AFL++ build"
		return 0
	fi
	say "building build/afl (afl-clang-fast, AFL++ persistent mode; fuzz targets only)"
	AFL_QUIET=1 setup build/afl afl-clang-fast -Dfuzzing=afl -Dbenchmarks=false
	# shellcheck disable=SC2046
	AFL_QUIET=1 ninja -C build/afl -j "$JOBS" $(fuzz_ninja_targets -afl -replay) >/dev/null
}

run_tests() {
	local rc=0
	say "unit tests, gcc build"
	meson test -C build/gcc --num-processes "$JOBS" --print-errorlogs || rc=1
	say "unit tests, ASan+UBSan build"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C build/asan --num-processes "$JOBS" --print-errorlogs \
			--no-suite slow --no-suite tools || rc=1
	# The fuzz builds hold only the fuzz targets: run just their suites,
	# without letting meson build the rest.
	say "fuzz smoke tests, libFuzzer build (bounded -runs, must execute and find nothing)"
	meson test -C build/fuzz --no-rebuild --suite fuzz-smoke --verbose || rc=1
	if have_afl; then
		say "fuzz smoke tests, AFL++ build (afl-fuzz -V 3)"
		AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
			meson test -C build/afl --no-rebuild --suite fuzz-smoke --verbose || rc=1
	fi
	return $rc
}

cmd_test() {
	install_deps
	build_gcc
	build_asan
	build_fuzz
	build_afl
	run_tests
	say "all tests passed"
}

# fuzz_campaign TARGET: libFuzzer on all cores for FUZZ_SECONDS, then the
# summary (fuzz/summary.py: execs, exec/s, coverage, corpus, findings with
# the command that reproduces each). Exit status 1 if it found something.
fuzz_campaign() {
	local target=$1
	say "fuzzing $target for ${FUZZ_SECONDS}s on $JOBS cores (libFuzzer -fork=$JOBS)"
	# the open findings (docs/fuzzing.md "Known findings") are suppressed
	LUSIM_SUPPRESSIONS="${LUSIM_SUPPRESSIONS:-$PWD/fuzz/known-findings.supp}" \
	python3 fuzz/summary.py run "$target" --build build/fuzz \
		--seconds "$FUZZ_SECONDS" --workers "$JOBS"
}

cmd_fuzz() {
	local target=fuzz_ops
	install_deps
	build_fuzz
	if [ ! -f "fuzz/$target.c" ]; then
		say "fuzz_ops (the whole system over the op language) is not built yet; fuzzing fuzz_xarray instead"
		target=fuzz_xarray
	fi
	fuzz_campaign "$target"
}

case "${1:-}" in
test) cmd_test ;;
fuzz) cmd_fuzz ;;
*)
	echo "usage: $0 fuzz|test" >&2
	exit 2
	;;
esac
