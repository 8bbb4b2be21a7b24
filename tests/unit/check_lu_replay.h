/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replay an existing live-update test file with every oracle installed
 * (test_check_lu_{kexec,preserve,rollback,iommu}.c): the file is compiled
 * unchanged, its main() renamed, and sim/check's hooks are installed first,
 * so every kexec stage of every test runs the live-update checks (records,
 * preserved memory, translations, domain ids, ownership and PASIDs across
 * the kexec) and the machine's memory events are judged. The replayed
 * tests assert no findings where they expect none, so a false positive of
 * an oracle fails them. Op-end checks need the op layer to bracket its
 * actions (lusim_check_op_begin/end), which sim/ops' direct calls do not.
 *
 * Define REPLAY_FILE as the file's name in quotes before including this.
 */
#ifndef _LUSIM_CHECK_LU_REPLAY_H
#define _LUSIM_CHECK_LU_REPLAY_H

#include <check/check.h>

#define main replayed_main
#include REPLAY_FILE
#undef main

int main(void)
{
	lusim_check_set_all_enabled(true);
	lusim_check_init();
	return replayed_main();
}

#endif /* _LUSIM_CHECK_LU_REPLAY_H */
