#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""RB-09 regression test (suite 'rb'): modpost reports a vfio_pci-like
module that uses iommufd_device_preserve/unpreserve (namespace IOMMUFD)
without MODULE_IMPORT_NS("IOMMUFD"), as v1 13/14 did; the model's own
modules (vfio_pci imports the namespace: the fix) stay clean.

Usage: check_rb09.py MODPOST V1_LIB MODEL_LIB...
"""
import subprocess
import sys


def main():
    modpost, v1lib, model = sys.argv[1], sys.argv[2], sys.argv[3:]
    ok = True
    p = subprocess.run([sys.executable, modpost] + model, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAIL: the model's modules are not clean:\n" + p.stdout + p.stderr)
        ok = False
    else:
        print("ok: the fixed model (vfio_pci imports IOMMUFD) passes modpost")
    p = subprocess.run([sys.executable, modpost] + model + ["vfio_pci_v1=" + v1lib],
                       capture_output=True, text=True)
    findings = [ln for ln in p.stdout.splitlines() if ln.startswith("lusim: finding")]
    want = ["lusim: finding NS-IMPORT-MISSING: module vfio_pci_v1 uses "
            f"{sym} from namespace IOMMUFD without MODULE_IMPORT_NS(\"IOMMUFD\")"
            for sym in ("iommufd_device_preserve", "iommufd_device_unpreserve")]
    if p.returncode == 1 and sorted(findings) == sorted(want):
        print("ok: the v1-style module is reported (NS-IMPORT-MISSING, both symbols)")
    else:
        print(f"FAIL: exit {p.returncode}, findings:\n" + p.stdout + p.stderr)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
