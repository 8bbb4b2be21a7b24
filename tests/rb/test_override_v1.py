#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The override path end to end (issue 8; suite 'slow').

Configures lusim in a temporary build directory with
-Dkernel_overrides=corpus/overrides/v1-iommufd-device-preserve.c (the v1-era
iommufd_device_preserve/unpreserve in kernel style), builds the CLI and the
fuzz_ops replay binary, and checks that the v1 code is caught exactly as the
switches catch it, with NO switch on:

  1. configure reports both functions as overridden;
  2. the RB-01 scenario (its `bugs` line removed) reproduces RB-01: the
     device with a PASID attachment is preserved;
  3. the RB-02 scenario (its `bugs` line removed) reproduces RB-02 and
     RB-03: the detach after preserve is allowed, INV-DEV-ATTACH-CHANGED,
     WARN and KHO-PRESERVED-FREED fire;
  4. the fixed twin of RB-03 fails (the detach is not refused);
  5. the fuzz_ops replay binary, run on RB-02's encoded scenario, reports
     WARN-CONST-COND for both WARN_ON(-errno) sites of the override (the
     build-time site list) and aborts on the runtime finding.

usage: test_override_v1.py --meson MESON --source-root DIR [--keep]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

failed = 0


def run(cmd, env=None, cwd=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    return p.returncode, p.stdout + p.stderr


def check(cond, what, out=""):
    global failed
    if cond:
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}\n{out[-6000:]}")


def strip_bugs(src, dst):
    with open(src) as f:
        lines = [ln for ln in f if not ln.lstrip().startswith("bugs ")]
    with open(dst, "w") as f:
        f.writelines(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    src = os.path.abspath(a.source_root)
    tmp = tempfile.mkdtemp(prefix="lusim-rb-override-")
    build = os.path.join(tmp, "build")
    override = os.path.join(src, "corpus", "overrides", "v1-iommufd-device-preserve.c")
    scen = os.path.join(src, "corpus", "scenarios")
    env = dict(os.environ)
    env.pop("LUSIM_BUGS", None)
    env.pop("LUSIM_SERIES", None)
    try:
        rc, out = run([a.meson, "setup", build, src, "-Dkernel_overrides=" + override,
                       "-Dbenchmarks=false", "-Dfuzzing=none"])
        check(rc == 0, "configure with the v1 override", out)
        if rc:
            return 1
        check("iommufd_device_preserve" in out and "iommufd_device_unpreserve" in out,
              "configure lists both overridden functions", out)
        rc, out = run(["ninja", "-C", build, "tools/lusim/lusim", "fuzz/fuzz_ops-replay"])
        check(rc == 0, "build the CLI and the fuzz_ops replay binary", out)
        if rc:
            return 1
        lusim = os.path.join(build, "tools", "lusim", "lusim")
        replay = os.path.join(build, "fuzz", "fuzz_ops-replay")

        t1 = os.path.join(tmp, "rb-01.lus")
        strip_bugs(os.path.join(scen, "rb-01-pasid-dropped.lus"), t1)
        rc, out = run([lusim, "run", "-q", t1], env=env)
        check(rc == 0, "RB-01 reproduced by the override without a switch", out)

        t2 = os.path.join(tmp, "rb-02.lus")
        strip_bugs(os.path.join(scen, "rb-02-warn-on-errno.lus"), t2)
        rc, out = run([lusim, "run", "-q", t2], env=env)
        check(rc == 0, "RB-02/RB-03 reproduced by the override without a switch", out)

        rc, out = run([lusim, "run", "-q",
                       os.path.join(scen, "rb-03-attach-after-preserve-fixed.lus")], env=env)
        check(rc == 1, "the fixed twin of RB-03 fails against the override", out)

        b2 = os.path.join(tmp, "rb-02.bin")
        rc, out = run([lusim, "encode", "-o", b2, t2], env=env)
        check(rc == 0, "encode the RB-02 scenario for fuzz_ops", out)
        rc, out = run([replay, b2], env=env)
        const = [ln for ln in out.splitlines() if "finding WARN-CONST-COND" in ln]
        check(len(const) == 2 and "v1-iommufd-device-preserve.c:" in out,
              "fuzz_ops reports WARN-CONST-COND for both WARN_ON(-errno) sites", out)
        check(rc != 0, "fuzz_ops aborts on the runtime finding", out)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
