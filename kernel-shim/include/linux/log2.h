/* SPDX-License-Identifier: GPL-2.0-only */
/* Stands for: include/linux/log2.h. Everything the model uses of it lives in <linux/bits.h>. */
#include <linux/bits.h>
