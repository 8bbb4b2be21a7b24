#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run kernel-shim/scripts/modpost on the test modules and check that it
reports exactly the mistakes they contain.

Usage: check_modpost.py MODPOST IOMMUFD_LIB VFIO_LIB VFIO_GOOD_LIB PROPRIETARY_LIB
"""
import os
import subprocess
import sys
import tempfile


def run(modpost, *args):
    p = subprocess.run([sys.executable, modpost, *args], capture_output=True,
                       text=True)
    return p.returncode, p.stdout.splitlines(), p.stderr


def expect(cond, what, out=None):
    if not cond:
        print(f"FAIL: {what}")
        if out is not None:
            print("\n".join(out))
        sys.exit(1)
    print(f"ok: {what}")


def main():
    modpost, iommufd, vfio, vfio_good, proprietary = sys.argv[1:6]
    # vfio carries no record at all: its name is given (NAME=PATH); the
    # others are named by the records their MODULE_*() left
    vfio = "vfio=" + vfio

    rc, out, err = run(modpost, iommufd, vfio, vfio_good)
    expect(rc == 1, "a missing import fails the check", out)
    expect(len(out) == 2, "exactly one finding", out)
    expect(out[0] == 'lusim: finding NS-IMPORT-MISSING: module vfio uses '
           'iommufd_device_bind from namespace IOMMUFD without '
           'MODULE_IMPORT_NS("IOMMUFD")', "the finding names module, symbol "
           "and namespace", out)
    expect(out[1].startswith("  at ") and "vfio_missing_import.c" in out[1],
           "the finding names the object", out)

    rc, out, err = run(modpost, iommufd, vfio_good)
    expect(rc == 0 and out == [], "a module that imports is clean", out)

    rc, out, err = run(modpost, vfio.split("=", 1)[1], iommufd)
    expect(rc == 1 and "module modpost_vfio uses" in out[0],
           "without records or NAME=, the file name names the module", out)

    rc, out, err = run(modpost, iommufd, proprietary)
    expect(rc == 1 and len(out) == 2 and out[0] ==
           "lusim: finding MODPOST-GPL-ONLY: GPL-incompatible module "
           "proprietary uses GPL-only symbol iommufd_device_bind",
           "GPL-only symbol from a proprietary module", out)

    rc, out, err = run(modpost, "--require-license", iommufd, vfio, vfio_good)
    expect(rc == 1 and len(out) == 4 and
           out[0] == "lusim: finding MODPOST-NO-LICENSE: missing "
           "MODULE_LICENSE() in module vfio",
           "--require-license reports the module without a licence", out)

    rc, out, err = run(modpost, "--list", iommufd)
    expect(rc == 0 and "  export iommufd_device_bind GPL ns IOMMUFD" in out
           and "  modinfo iommufd.license=GPL" in out, "--list", out)

    # the same module as a plain object and as a regular (not thin) archive
    vfio_lib = vfio.split("=", 1)[1]
    members = subprocess.run(["ar", "t", vfio_lib], capture_output=True,
                             text=True, check=True).stdout.split()
    obj = members[0] if os.path.isabs(members[0]) else \
        os.path.join(os.path.dirname(vfio_lib), members[0])
    if not os.path.exists(obj):
        obj = members[0]
    with tempfile.TemporaryDirectory() as tmp:
        fat = os.path.join(tmp, "libvfio.a")
        subprocess.run(["ar", "rc", fat, obj], check=True)
        for what, path in (("object file", obj), ("regular archive", fat)):
            rc, out, err = run(modpost, iommufd, "vfio=" + path)
            expect(rc == 1 and len(out) == 2 and "module vfio uses "
                   "iommufd_device_bind" in out[0], f"input as {what}", out)

    rc, out, err = run(modpost, modpost)
    expect(rc == 2 and "not an ELF file" in err, "a bad input is an error")


if __name__ == "__main__":
    main()
