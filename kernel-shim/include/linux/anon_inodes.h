/* SPDX-License-Identifier: GPL-2.0-only */
/* Stands for: include/linux/anon_inodes.h. Modelled in <linux/fs.h>. */
#include <linux/fs.h>
