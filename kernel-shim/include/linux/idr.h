/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/idr.h (the IDA half; lib/idr.c is
 *         kernel-shim/lib/idr.c)
 * Models: struct ida, DEFINE_IDA, IDA_INIT, ida_init, ida_alloc,
 *         ida_alloc_min, ida_alloc_max, ida_alloc_range (lowest free id in
 *         [min, max], -ENOSPC when full, -ENOMEM on allocation failure,
 *         -EINVAL for a bad range), ida_free (WARN on an id that is not
 *         allocated, like the kernel's "ida_free called for id=%d which is
 *         not allocated"), ida_exists, ida_is_empty, ida_destroy. Used for
 *         iommu group ids and VT-d domain ids (iommu->domain_ida), as in
 *         the kernel.
 * Leaves out: the IDR (idr_alloc & co) and the kernel's bitmap-per-chunk
 *         representation: one xarray entry per allocated id here, so memory
 *         is O(ids in use) rather than O(ids / 1024); the observable
 *         behaviour (which id comes next) is the same.
 */
#ifndef _LUSIM_LINUX_IDR_H
#define _LUSIM_LINUX_IDR_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/xarray.h>

struct ida {
	struct xarray xa;
};

#define IDA_INIT_FLAGS	XA_FLAGS_ALLOC
#define IDA_INIT(name)	{ .xa = XARRAY_INIT(name.xa, IDA_INIT_FLAGS) }
#define DEFINE_IDA(name)	struct ida name = IDA_INIT(name)

static inline void ida_init(struct ida *ida)
{
	xa_init_flags(&ida->xa, IDA_INIT_FLAGS);
}

int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max,
		    gfp_t gfp);
void ida_free(struct ida *ida, unsigned int id);
void ida_destroy(struct ida *ida);
bool ida_exists(struct ida *ida, unsigned int id);

static inline int ida_alloc(struct ida *ida, gfp_t gfp)
{
	return ida_alloc_range(ida, 0, ~0U, gfp);
}

static inline int ida_alloc_min(struct ida *ida, unsigned int min, gfp_t gfp)
{
	return ida_alloc_range(ida, min, ~0U, gfp);
}

static inline int ida_alloc_max(struct ida *ida, unsigned int max, gfp_t gfp)
{
	return ida_alloc_range(ida, 0, max, gfp);
}

static inline bool ida_is_empty(const struct ida *ida)
{
	return xa_empty(&ida->xa);
}

#endif /* _LUSIM_LINUX_IDR_H */
