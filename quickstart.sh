#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lusim quick start. Two commands on a fresh Debian machine:
#
#   ./quickstart.sh fuzz   install what is missing, build, run the main job
#   ./quickstart.sh test   install what is missing, build (gcc and clang
#                          ASan+UBSan), run the whole test suite
#
# Build directories: build/gcc (plain gcc), build/asan (clang, ASan+UBSan).
set -euo pipefail

cd "$(dirname "$0")"

PACKAGES=(meson ninja-build gcc clang llvm libclang-rt-14-dev afl++ libcmocka-dev
	  liburcu-dev pkg-config graphviz python3)
JOBS=${JOBS:-$(nproc)}

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
	say "building build/asan (clang, ASan+UBSan)"
	setup build/asan clang -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all
	ninja -C build/asan -j "$JOBS" >/dev/null
}

run_tests() {
	local rc=0
	say "unit tests, gcc build"
	meson test -C build/gcc --num-processes "$JOBS" --print-errorlogs || rc=1
	say "unit tests, ASan+UBSan build"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C build/asan --num-processes "$JOBS" --print-errorlogs || rc=1
	return $rc
}

cmd_test() {
	install_deps
	build_gcc
	build_asan
	run_tests
	say "all tests passed"
}

cmd_fuzz() {
	install_deps
	build_gcc
	say "fuzzing is not built yet (issue 7); running the tests and benchmarks instead"
	meson test -C build/gcc --num-processes "$JOBS"
	meson test -C build/gcc --benchmark --verbose
}

case "${1:-}" in
test) cmd_test ;;
fuzz) cmd_fuzz ;;
*)
	echo "usage: $0 fuzz|test" >&2
	exit 2
	;;
esac
