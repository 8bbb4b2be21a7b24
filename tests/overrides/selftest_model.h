/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tiny "model file" of the kernel-overrides end-to-end test: its
 * interface.  See selftest_model.c and docs/overrides.md.
 */
#ifndef _LUSIM_OVERRIDE_SELFTEST_H
#define _LUSIM_OVERRIDE_SELFTEST_H

#define SELFTEST_BASE	100

int override_selftest_value(int x);
const char *override_selftest_origin(void);

#endif /* _LUSIM_OVERRIDE_SELFTEST_H */
