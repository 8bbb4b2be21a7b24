#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# OSS-Fuzz / ClusterFuzzLite build script for lusim: builds every fuzz target
# (fuzz/fuzz_*.c with a corpus/<target>/ directory) from $CC $CFLAGS
# $LIB_FUZZING_ENGINE into $OUT, with <target>_seed_corpus.zip, <target>.dict
# and <target>.options next to each binary. liburcu is linked statically so
# the binaries run on the (bare) OSS-Fuzz runner image.
#
# Environment (set by OSS-Fuzz; fuzz/oss-fuzz/test_build.sh sets them locally):
#   CC CFLAGS LIB_FUZZING_ENGINE SRC OUT WORK  (CXX/CXXFLAGS unused: C only)
#   LUSIM_SRC  the lusim checkout (default $SRC/lusim)
# MemorySanitizer is not supported (liburcu and libc are not instrumented):
# project.yaml lists address and undefined only.

set -eu -o pipefail

SRC_DIR=${LUSIM_SRC:-$SRC/lusim}
BUILD=$WORK/lusim-build
: "${CC:=clang}"
: "${CFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"

case "${SANITIZER:-address}" in
memory)
	echo "build.sh: MemorySanitizer is not supported by lusim" >&2
	exit 1 ;;
esac

# The engine's link flags reach meson through a machine file property
# (fuzz/meson.build: lib_fuzzing_engine); CFLAGS through the environment.
mkdir -p "$WORK"
cat > "$WORK/lusim-native.ini" <<INI
[properties]
lib_fuzzing_engine = '${LIB_FUZZING_ENGINE//\'/\\\'}'
INI

rm -rf "$BUILD"
# b_lundef=false: the sanitizer runtimes resolve at link time; static
# libraries and static liburcu (prefer_static); no meson sanitizer
# options: $CFLAGS carries OSS-Fuzz's -fsanitize= flags (also at link time).
CC="$CC" CFLAGS="$CFLAGS" LDFLAGS="${LDFLAGS:-} $CFLAGS" \
	meson setup "$BUILD" "$SRC_DIR" \
	--native-file "$WORK/lusim-native.ini" \
	-Dfuzzing=libfuzzer -Dbenchmarks=false -Dbuildtype=plain \
	-Ddefault_library=static -Dprefer_static=true -Db_lundef=false

targets=()
for src in "$SRC_DIR"/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	[ -d "$SRC_DIR/corpus/$name" ] || continue
	targets+=("$name")
done
ninja -C "$BUILD" $(printf 'fuzz/%s ' "${targets[@]}")

mkdir -p "$OUT"
for name in "${targets[@]}"; do
	cp "$BUILD/fuzz/$name" "$OUT/$name"
	# liburcu must not be a runtime dependency of the runner image
	if ldd "$OUT/$name" 2>/dev/null | grep -q liburcu; then
		echo "build.sh: $name links liburcu dynamically" >&2
		exit 1
	fi
	rm -f "$OUT/${name}_seed_corpus.zip"
	(cd "$SRC_DIR/corpus/$name" && zip -q -r -X "$OUT/${name}_seed_corpus.zip" .)
	[ -f "$SRC_DIR/fuzz/$name.dict" ] && cp "$SRC_DIR/fuzz/$name.dict" "$OUT/"
	if [ -f "$SRC_DIR/fuzz/$name.options" ]; then
		cp "$SRC_DIR/fuzz/$name.options" "$OUT/"
	elif [ -f "$SRC_DIR/fuzz/$name.dict" ]; then
		printf '[libfuzzer]\ndict = %s.dict\n' "$name" > "$OUT/$name.options"
	fi
done
echo "build.sh: built ${targets[*]} into $OUT"
