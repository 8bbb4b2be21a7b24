// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-update differential (INV-LU-INTERFERENCE, docs/oracles.md).
 *
 * Live-update state must be per object, never a global gate on unrelated
 * operations (reviewer-bugs.md section 4 item 11): an op that
 * touches nothing a preserve reached behaves exactly as it would with no
 * live update going on. The oracle checks that by running the input again
 * without its live-update ops and comparing results.
 *
 * After a run ends, if a preserve succeeded before the first kexec or
 * fault-injection op (the comparison stops there: a kexec drops the process
 * and fault counters count the live-update ops' allocations too):
 *
 *  1. the preserved closure: the preserved fds; an iommufd's objects (its
 *     IOAS, HWPTs, device ids), a device id's VFIO file and back; the PCI
 *     functions of the VFIO files in it, their IOMMU groups' functions and
 *     their remapping units; every VFIO file opened for those functions;
 *     to a fixed point;
 *  2. the run again, from its own printed trace (names resolve objects,
 *     so handles stay right when fds shift), without luo_open,
 *     session_create/retrieve, preserve, retrieve, session_finish, the
 *     closes of LUO and session fds, and everything from the stop on; the
 *     second run's findings are discarded;
 *  3. every op of the first run that names nothing in the closure (no
 *     handle, device, or unit in it; no handle that is not a live object
 *     of its kind, whose meaning could shift) must have the same result:
 *     both succeed, or both fail with the same errno. An op with such a
 *     shifting handle ends the comparison unless it failed alike in both
 *     runs (then it changed nothing): it may have hit different objects.
 *
 * The first difference is the finding. The comparison is conservative: an
 * op touching the closure is never compared, whatever its result.
 */
#include <stdlib.h>
#include <string.h>

#include <lusim/findings.h>

#include "oplang.h"
#include "opl_internal.h"
#include "oprace.h"
#include "ops.h"

bool lusim_check_enabled(const char *id);
#pragma weak lusim_check_enabled

#define LU_DIFF_ID	"INV-LU-INTERFERENCE"

static bool in_differential;
static struct opl_vm *vm2;

static bool op_is(const struct opl_call *c, const char *name)
{
	return !strcmp(opl_ops[c->op].name, name);
}

/* An op of the live-update interface: left out of the second run. */
static bool lu_op(const struct opl_vm *vm, const struct opl_call *c)
{
	static const char *const names[] = {
		"luo_open", "session_create", "session_retrieve", "preserve",
		"retrieve", "session_finish",
	};
	const struct opl_obj *o;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (op_is(c, names[i]))
			return true;
	if (!op_is(c, "close") || c->obj[0] < 0)
		return false;
	o = opl_vm_obj(vm, (unsigned int)c->obj[0]);
	return o && (o->kind == OPK_LUO || o->kind == OPK_SESSION);
}

/* Is every handle of @c a live object of the kind the op expects? */
static bool names_live_objects(const struct opl_call *c)
{
	const struct opl_op *d = &opl_ops[c->op];

	for (unsigned int a = 0; a < opl_op_nr_args(d); a++)
		if (d->args[a].type == OPA_HANDLE &&
		    (c->sel[a] != OPL_SEL_LIVE || c->obj[a] < 0))
			return false;
	return true;
}

struct closure {
	bool obj[OPL_MAX_OBJS];
	bool dev[OPS_MAX_DEVS];
	bool unit[OPS_MAX_UNITS];
};

static int arg_index(const struct opl_op *d, const char *name)
{
	for (unsigned int a = 0; a < opl_op_nr_args(d); a++)
		if (!strcmp(d->args[a].name, name) && d->args[a].type != OPA_HANDLE)
			return (int)a;
	return -1;
}

/* The PCI function a VFIO file object was opened for, or -1. */
static int vfio_dev(const struct opl_vm *vm, const struct opl_obj *o)
{
	const struct opl_call *c = opl_vm_call(vm, o->born);
	int a;

	if (!c || !op_is(c, "vfio_open"))
		return -1;
	a = arg_index(&opl_ops[c->op], "dev");
	return a < 0 ? -1 : (int)c->val[a];
}

/*
 * The preserved closure of @vm's calls before @stop. False when a preserve
 * succeeded on a handle that is not a live object of its kind (a raw
 * number, another kind's id used as an fd): what it preserved is not
 * known, so nothing can be compared.
 */
static bool closure_build(const struct opl_vm *vm, unsigned int stop,
			  struct closure *cl)
{
	const struct ops_machine_cfg *cfg = ops_machine_cfg();
	unsigned int n = opl_vm_nr_objs(vm), i, j;
	bool grew = true;

	memset(cl, 0, sizeof(*cl));
	for (i = 0; i < stop; i++) {
		const struct opl_call *c = opl_vm_call(vm, i);

		if (!op_is(c, "preserve") || c->ret != 0)
			continue;
		if (!names_live_objects(c))
			return false;
		cl->obj[c->obj[1]] = true;
	}
	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			const struct opl_obj *o = opl_vm_obj(vm, i);
			bool in = cl->obj[i];
			int d;

			if (!in && o->parent >= 0 && cl->obj[o->parent])
				in = true;
			if (!in && o->kind == OPK_IDEV && o->vfio >= 0 &&
			    cl->obj[o->vfio])
				in = true;
			/* any VFIO file of a preserved function */
			d = o->kind == OPK_VFIO ? vfio_dev(vm, o) : -1;
			if (!in && d >= 0 && d < OPS_MAX_DEVS && cl->dev[d])
				in = true;
			if (in && o->kind == OPK_IDEV && o->vfio >= 0 &&
			    !cl->obj[o->vfio]) {
				cl->obj[o->vfio] = true;
				grew = true;
			}
			if (in && d >= 0 && d < OPS_MAX_DEVS && !cl->dev[d]) {
				cl->dev[d] = true;
				grew = true;
			}
			if (in && !cl->obj[i]) {
				cl->obj[i] = true;
				grew = true;
			}
		}
		/* the IOMMU groups and the remapping units of those functions */
		for (i = 0; cfg && i < cfg->nr_devs; i++) {
			if (!cl->dev[i])
				continue;
			if (cfg->devs[i].unit < OPS_MAX_UNITS)
				cl->unit[cfg->devs[i].unit] = true;
			for (j = 0; j < cfg->nr_devs; j++) {
				if (!cfg->devs[i].group_tag || cl->dev[j] ||
				    cfg->devs[j].group_tag != cfg->devs[i].group_tag)
					continue;
				cl->dev[j] = true;
				grew = true;
			}
		}
	}
	return true;
}

/* May the results of @c be compared: does it name nothing in @cl? */
static bool comparable(const struct opl_vm *vm, const struct opl_call *c,
		       const struct closure *cl)
{
	const struct opl_op *d = &opl_ops[c->op];

	if (lu_op(vm, c))
		return false;
	for (unsigned int a = 0; a < opl_op_nr_args(d); a++) {
		const struct opl_arg *arg = &d->args[a];

		if (arg->type == OPA_HANDLE) {
			if (!names_live_objects(c) || cl->obj[c->obj[a]])
				return false;
		} else if (!strcmp(arg->name, "dev")) {
			if (c->val[a] >= OPS_MAX_DEVS || cl->dev[c->val[a]])
				return false;
		} else if (!strcmp(arg->name, "unit")) {
			if (c->val[a] >= OPS_MAX_UNITS || cl->unit[c->val[a]])
				return false;
		}
	}
	return true;
}

static bool same_result(int a, int b)
{
	if (a < 0 || b < 0)
		return a == b;
	return true;	/* fds and ids may be numbered differently */
}

static void errno_text(char *buf, size_t len, int ret)
{
	const char *name = opl_errno_name(ret);

	if (ret >= 0)
		snprintf(buf, len, "ok");
	else if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%d", ret);
}

static void report(const struct opl_vm *vm, unsigned int i, int with,
		   int without)
{
	const struct opl_call *c = opl_vm_call(vm, i);
	struct opl_str line = { 0 };
	char site[64], w1[40], w2[40];

	errno_text(w1, sizeof(w1), with);
	errno_text(w2, sizeof(w2), without);
	opl_print_call(vm, c, 0, &line);
	snprintf(site, sizeof(site), "op:%s", opl_ops[c->op].name);
	lusim_report(LU_DIFF_ID, site, NULL,
		     "op #%u `%s` returned %s with live update in progress and %s without; it touches nothing a preserve reached",
		     i + 1, line.s ? line.s : opl_ops[c->op].name,
		     w1, w2);
	opl_str_free(&line);
}

unsigned int opl_lu_differential(struct opl_vm *vm)
{
	unsigned int n = opl_vm_nr_calls(vm), stop = n, i, j, before;
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct lusim_findings_saved *saved;
	struct opl_str text = { 0 }, err = { 0 };
	struct opl_script *s = NULL;
	struct opl_result res;
	struct closure *cl;
	bool *skip = NULL, preserved = false;

	/*
	 * Sequential runs only: without its live-update ops a concurrent
	 * block would reach its scheduling points elsewhere and interleave
	 * differently.
	 */
	if (in_differential || !n || opl_vm_race_actors(vm) > 1)
		return 0;
	if (lusim_check_enabled && !lusim_check_enabled(LU_DIFF_ID))
		return 0;
	for (i = 0; i < n; i++) {
		const struct opl_call *c = opl_vm_call(vm, i);

		if (op_is(c, "kexec") || op_is(c, "fail_nth")) {
			stop = i;
			break;
		}
		if (op_is(c, "preserve") && c->ret == 0)
			preserved = true;
	}
	if (!preserved)
		return 0;

	cl = malloc(sizeof(*cl));
	skip = calloc(n, sizeof(*skip));
	if (!cl || !skip)
		goto out;
	if (!closure_build(vm, stop, cl))
		goto out;
	for (i = 0; i < n; i++)
		skip[i] = i >= stop || lu_op(vm, opl_vm_call(vm, i));

	opl_print_trace(vm, 0, &text);
	s = opl_script_parse("lu-differential", text.s, text.len, &err);
	if (!s)
		goto out;	/* the round trip test covers printing */
	if (!vm2)
		vm2 = opl_vm_new();
	if (!vm2)
		goto out;

	saved = lusim_findings_save();
	if (!saved)
		goto out;
	before = lusim_findings_count();
	lusim_findings_set_mode(LUSIM_FINDINGS_MUTE);
	opts.skip = skip;
	in_differential = true;
	opl_script_run(s, vm2, &opts, &res);
	in_differential = false;
	lusim_findings_restore(saved);

	for (i = 0, j = 0; i < stop; i++) {
		const struct opl_call *c1 = opl_vm_call(vm, i), *c2;

		if (skip[i])
			continue;
		c2 = opl_vm_call(vm2, j++);
		if (!c2)
			break;
		if (c2->op != c1->op)
			break;		/* the runs went apart: stop comparing */
		/*
		 * A handle that is not a live object of its kind (a raw
		 * number, a stale id, another kind) may name different
		 * objects in the two runs (the fds are numbered differently):
		 * unless it failed alike in both (a failed op changes
		 * nothing), the runs may have gone apart here.
		 */
		if (!names_live_objects(c1) &&
		    (c1->ret >= 0 || c2->ret != c1->ret))
			break;
		if (!comparable(vm, c1, cl) || same_result(c1->ret, c2->ret))
			continue;
		report(vm, i, c1->ret, c2->ret);
		break;
	}
	n = lusim_findings_count() - before;
	goto done;
out:
	n = 0;
done:
	opl_script_free(s);
	opl_str_free(&text);
	opl_str_free(&err);
	free(skip);
	free(cl);
	return n;
}
