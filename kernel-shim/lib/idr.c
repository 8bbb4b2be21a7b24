// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDA of lib/idr.c on the shim xarray: one entry per allocated id in an
 * XA_FLAGS_ALLOC array, so the lowest free id in range is the xarray's free
 * search (O(log n) in the tree, like the kernel's bitmap chunks).
 */
#include <linux/idr.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>

/* The entry stored for an allocated id (any non-NULL, non-internal value). */
#define IDA_ENTRY	xa_mk_value(0)

int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max,
		    gfp_t gfp)
{
	u32 id;
	int ret;

	/* The kernel's ids are ints: clamp as it does. */
	if ((int)min < 0)
		return -ENOSPC;
	if ((int)max < 0)
		max = INT_MAX;
	if (min > max)
		return -EINVAL;

	ret = xa_alloc(&ida->xa, &id, IDA_ENTRY, XA_LIMIT(min, max), gfp);
	if (ret == -EBUSY)
		return -ENOSPC;
	if (ret)
		return ret;
	return (int)id;
}

void ida_free(struct ida *ida, unsigned int id)
{
	if (WARN((int)id < 0 || xa_erase(&ida->xa, id) == NULL,
		 "ida_free called for id=%d which is not allocated.\n", id))
		return;
}

bool ida_exists(struct ida *ida, unsigned int id)
{
	return xa_load(&ida->xa, id) != NULL;
}

void ida_destroy(struct ida *ida)
{
	xa_destroy(&ida->xa);
}
