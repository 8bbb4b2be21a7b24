// SPDX-License-Identifier: GPL-2.0-only
/*
 * refcount_t misuse reports (the out-of-line half of <linux/refcount.h>):
 * saturate the counter and report the kernel's WARN text as a finding at the
 * caller's site.
 */
#include <linux/refcount.h>
#include <lusim/findings.h>

#include <stdio.h>

void lusim_refcount_warn_saturate(refcount_t *r,
				  enum refcount_saturation_type t,
				  int old, const char *site)
{
	const char *id, *msg;
	char detail[96];

	refcount_set(r, REFCOUNT_SATURATED);
	switch (t) {
	case REFCOUNT_ADD_NOT_ZERO_OVF:
	case REFCOUNT_ADD_OVF:
		id = "REFCOUNT-OVERFLOW";
		msg = "saturated; leaking memory";
		break;
	case REFCOUNT_ADD_UAF:
		id = "REFCOUNT-INC-ZERO";
		msg = "addition on 0; use-after-free";
		break;
	case REFCOUNT_SUB_UAF:
		id = "REFCOUNT-UNDERFLOW";
		msg = "underflow; use-after-free";
		break;
	case REFCOUNT_DEC_LEAK:
	default:
		id = "REFCOUNT-DEC-LEAK";
		msg = "decrement hit 0; leaking memory";
		break;
	}
	snprintf(detail, sizeof(detail),
		 "  counter was %d, now saturated at %d\n", old,
		 REFCOUNT_SATURATED);
	lusim_report(id, site, detail, "refcount_t: %s.", msg);
}

bool __lusim_refcount_dec_if_one(refcount_t *r)
{
	__lusim_refcount_journal(r, "refcount_dec_if_one");
	return atomic_cmpxchg(&r->refs, 1, 0) == 1;
}

/* Decrement unless the count is 1; true if it decremented. */
bool __lusim_refcount_dec_not_one(refcount_t *r, const char *site)
{
	int val = atomic_read(&r->refs);

	if (unlikely(val == REFCOUNT_SATURATED))
		return true;
	if (val == 1)
		return false;
	if (unlikely(val <= 0)) {
		lusim_refcount_warn_saturate(r, REFCOUNT_SUB_UAF, val, site);
		return true;
	}
	__lusim_refcount_journal(r, site);
	atomic_set(&r->refs, val - 1);
	return true;
}
