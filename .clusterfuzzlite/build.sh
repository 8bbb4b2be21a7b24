#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
# ClusterFuzzLite runs $SRC/build.sh: the same as OSS-Fuzz's.
exec bash "$SRC/lusim/fuzz/oss-fuzz/build.sh"
