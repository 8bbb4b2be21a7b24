// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_iommu_lu.c replayed with every oracle installed (check_lu_replay.h):
 * its kexecs run the live-update checks, and it must still pass.
 *
 * Two of its tests build, on purpose, a state the full stack refuses, and
 * run with the one oracle that (rightly) flags it switched off:
 *
 *  - test_kexec_pasid_entries_scrubbed preserves, through the IOMMU core
 *    API, a device with a PASID-5 attachment (iommufd's device preserve
 *    refuses that with -EOPNOTSUPP) to show the new kernel scrubs the
 *    entry: INV-PASID-DROPPED;
 *  - test_kexec_without_pasid_table_faults uses the VT-d test hook that
 *    leaves the PASID table out of the preserve (the series before its
 *    PASID-table patch) to show DMA then faults: INV-PT-PAGE-UNPRESERVED
 *    (the PASID directory the hardware walks is not preserved) and
 *    INV-RESTORE-TRANSLATION (test_check_lu.c asserts both on that hook).
 */
#include <stdbool.h>

#include <check/check.h>

static void test_kexec_pasid_entries_scrubbed(void **state);
static void test_kexec_without_pasid_table_faults(void **state);
#define test_kexec_pasid_entries_scrubbed(s)	orig_pasid_entries_scrubbed(s)
#define test_kexec_without_pasid_table_faults(s) orig_without_pasid_table_faults(s)

#define REPLAY_FILE "test_iommu_lu.c"
#include "check_lu_replay.h"

#undef test_kexec_pasid_entries_scrubbed
#undef test_kexec_without_pasid_table_faults

static void without(const char *id, const char *id2, void (*fn)(void **),
		    void **state)
{
	lusim_check_set_enabled(id, false);
	if (id2)
		lusim_check_set_enabled(id2, false);
	fn(state);
	lusim_check_set_enabled(id, true);
	if (id2)
		lusim_check_set_enabled(id2, true);
}

static void test_kexec_pasid_entries_scrubbed(void **state)
{
	without("INV-PASID-DROPPED", NULL, orig_pasid_entries_scrubbed, state);
}

static void test_kexec_without_pasid_table_faults(void **state)
{
	without("INV-RESTORE-TRANSLATION", "INV-PT-PAGE-UNPRESERVED",
		orig_without_pasid_table_faults, state);
}
