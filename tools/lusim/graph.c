// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live object graph of a scenario run, in Graphviz DOT.
 *
 * Three clusters: the process (its fds, the iommufd objects behind an
 * iommufd fd with their user counts, which HWPT each device is attached to
 * at each PASID the scenario used, live-update sessions and the files
 * preserved or retrieved through them), the kernel's view of each PCI
 * function (driver, IOMMU domain) and the machine (IOMMU units, functions).
 * Findings are red boxes. Objects are named as in the op trace (ioas0,
 * hwpt1, ...), domains by first appearance: no addresses, so the same run
 * draws the same graph.
 */
#include <stdio.h>
#include <string.h>

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <lusim/findings.h>
#include <lusim/hotplug.h>
#include <ops/ops.h>

#include "graph.h"
#include "../../sim/ops/opl_internal.h"

#define MAX_DOMAINS	64

static const struct opl_call *maker(const struct opl_vm *vm, int o);

/* Each PCI function's RID domain (index into the domains seen), or -1. */
static int dev_domain[OPS_MAX_DEVS];

static const char *domain_type(unsigned int type)
{
	switch (type) {
	case IOMMU_DOMAIN_BLOCKED:
		return "blocked";
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_UNMANAGED:
		return "unmanaged";
	case IOMMU_DOMAIN_DMA:
		return "DMA";
	case IOMMU_DOMAIN_NESTED:
		return "nested";
	default:
		return "other";
	}
}

/* The PCI function a VFIO fd or an idev object stands for, or -1. */
static int obj_dev(const struct opl_vm *vm, int o)
{
	const struct opl_call *c;

	if (o >= 0 && vm->objs[o].kind == OPK_IDEV)
		o = vm->objs[o].vfio;
	if (o < 0)
		return -1;
	c = maker(vm, o);
	if (!c || strcmp(opl_ops[c->op].name, "vfio_open"))
		return -1;
	return (int)c->val[0];
}

static const char *kind_color(unsigned int kind)
{
	switch (kind) {
	case OPK_IOMMUFD:
		return "lightblue";
	case OPK_VFIO:
		return "palegreen";
	case OPK_MEMFD:
		return "khaki";
	case OPK_LUO:
	case OPK_SESSION:
		return "plum";
	case OPK_IOAS:
	case OPK_HWPT:
	case OPK_IDEV:
		return "lightcyan";
	default:
		return "white";
	}
}

/* The call that made object @o, or NULL. */
static const struct opl_call *maker(const struct opl_vm *vm, int o)
{
	for (unsigned int i = 0; i < vm->nr_calls; i++)
		if (vm->calls[i].product == o)
			return &vm->calls[i];
	return NULL;
}

/* A live id object of the iommufd object @ictx with the id @id, or -1. */
static int find_id(const struct opl_vm *vm, int ictx, uint32_t id)
{
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		const struct opl_obj *o = &vm->objs[i];

		if (o->state == OPL_OBJ_LIVE && !opl_kind_is_fd(o->kind) &&
		    o->parent == ictx && o->value == id)
			return (int)i;
	}
	return -1;
}

static void process_cluster(const struct opl_vm *vm, struct opl_str *out)
{
	char name[32], other[32];

	opl_str_printf(out, "  subgraph cluster_process {\n"
			    "    label=\"process (VMM)\"; style=rounded;\n");
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		const struct opl_obj *o = &vm->objs[i];
		unsigned int users = 0;

		if (o->state != OPL_OBJ_LIVE)
			continue;
		opl_obj_name(vm, (int)i, name, sizeof(name));
		opl_str_printf(out, "    \"%s\" [style=filled, fillcolor=%s, label=\"%s\\n",
			       name, kind_color(o->kind), name);
		if (opl_kind_is_fd(o->kind)) {
			opl_str_printf(out, "fd %u", o->value);
			if (o->kind == OPK_SESSION)
				opl_str_printf(out, " (vm%u)", o->aux);
		} else {
			opl_str_printf(out, "id %u", o->value);
			if (o->parent >= 0 &&
			    !ops_test_obj_users((int)vm->objs[o->parent].value,
						o->value, &users))
				opl_str_printf(out, ", users %u", users);
		}
		opl_str_printf(out, "\"];\n");
	}
	/* ownership: ids under their iommufd, the idev under its vfio fd */
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		const struct opl_obj *o = &vm->objs[i];
		const struct opl_call *c;

		if (o->state != OPL_OBJ_LIVE)
			continue;
		opl_obj_name(vm, (int)i, name, sizeof(name));
		if (o->parent >= 0 && vm->objs[o->parent].state == OPL_OBJ_LIVE) {
			opl_obj_name(vm, o->parent, other, sizeof(other));
			opl_str_printf(out, "    \"%s\" -> \"%s\" [style=dotted, arrowhead=none];\n",
				       other, name);
		}
		if (o->vfio >= 0 && vm->objs[o->vfio].state == OPL_OBJ_LIVE) {
			opl_obj_name(vm, o->vfio, other, sizeof(other));
			opl_str_printf(out, "    \"%s\" -> \"%s\" [label=\"bind\"];\n",
				       other, name);
		}
		/* a HWPT on its IOAS or parent HWPT */
		c = o->kind == OPK_HWPT ? maker(vm, (int)i) : NULL;
		if (c && c->obj[2] >= 0 && vm->objs[c->obj[2]].state == OPL_OBJ_LIVE) {
			opl_obj_name(vm, c->obj[2], other, sizeof(other));
			opl_str_printf(out, "    \"%s\" -> \"%s\" [label=\"on\"];\n",
				       name, other);
		}
		/* a VFIO fd to its PCI function */
		c = o->kind == OPK_VFIO ? maker(vm, (int)i) : NULL;
		if (c && c->op < opl_nr_ops && !strcmp(opl_ops[c->op].name, "vfio_open"))
			opl_str_printf(out, "    \"%s\" -> \"dev%u\";\n", name,
				       (unsigned int)c->val[0]);
	}
	/* attachments per PASID, as the kernel reports them now */
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		const struct opl_obj *o = &vm->objs[i];
		uint32_t pasids[16];
		unsigned int n;

		if (o->state != OPL_OBJ_LIVE || o->kind != OPK_IDEV || o->parent < 0)
			continue;
		n = opl_vm_pasids(vm, (int)i, pasids, 16);
		if (o->vfio >= 0)
			n += opl_vm_pasids(vm, o->vfio, pasids + n, 16 - n);
		opl_obj_name(vm, (int)i, name, sizeof(name));
		for (unsigned int k = 0; k < n; k++) {
			uint32_t hwpt = 0;
			int h;

			for (unsigned int j = 0; j < k; j++)
				if (pasids[j] == pasids[k])
					goto next;
			if (ops_test_pasid_check_hwpt((int)vm->objs[o->parent].value,
						      o->value, pasids[k], &hwpt) ||
			    !hwpt)
				continue;
			h = find_id(vm, o->parent, hwpt);
			if (h >= 0)
				opl_obj_name(vm, h, other, sizeof(other));
			else
				snprintf(other, sizeof(other), "auto hwpt id %u", hwpt);
			if (pasids[k]) {
				opl_str_printf(out, "    \"%s\" -> \"%s\" [color=blue, label=\"pasid %u\"];\n",
					       name, other, pasids[k]);
			} else {
				int dev = obj_dev(vm, (int)i);

				opl_str_printf(out, "    \"%s\" -> \"%s\" [color=blue, label=\"RID\"];\n",
					       name, other);
				/* the HWPT's IOMMU domain, as the device uses it */
				if (dev >= 0 && dev < OPS_MAX_DEVS && dev_domain[dev] >= 0)
					opl_str_printf(out, "    \"%s\" -> \"domain%d\" [style=dashed, label=\"domain\"];\n",
						       other, dev_domain[dev]);
			}
next:
			;
		}
	}
	/* sessions: files preserved (outgoing) or retrieved (incoming) */
	for (unsigned int i = 0; i < vm->nr_calls; i++) {
		const struct opl_call *c = &vm->calls[i];
		const char *op = opl_ops[c->op].name;

		if (c->ret < 0 || c->obj[0] < 0 ||
		    vm->objs[c->obj[0]].state != OPL_OBJ_LIVE)
			continue;
		if (!strcmp(op, "preserve") && c->obj[1] >= 0) {
			opl_obj_name(vm, c->obj[0], name, sizeof(name));
			opl_obj_name(vm, c->obj[1], other, sizeof(other));
			opl_str_printf(out, "    \"%s\" -> \"%s\" [color=purple, label=\"preserved, token %llu\"%s];\n",
				       name, other, (unsigned long long)c->val[2],
				       vm->objs[c->obj[1]].state == OPL_OBJ_LIVE ?
				       "" : ", style=dashed");
		} else if (!strcmp(op, "retrieve") && c->product >= 0) {
			opl_obj_name(vm, c->obj[0], name, sizeof(name));
			opl_obj_name(vm, c->product, other, sizeof(other));
			opl_str_printf(out, "    \"%s\" -> \"%s\" [color=purple, label=\"retrieved, token %llu\"];\n",
				       name, other, (unsigned long long)c->val[1]);
		}
	}
	opl_str_printf(out, "  }\n");
}

static void machine_cluster(struct opl_str *out)
{
	const struct ops_machine_cfg *cfg = ops_machine_cfg();
	const void *domains[MAX_DOMAINS];
	unsigned int nr_domains = 0;

	for (unsigned int i = 0; i < OPS_MAX_DEVS; i++)
		dev_domain[i] = -1;
	if (!cfg)
		return;
	opl_str_printf(out, "  subgraph cluster_machine {\n"
			    "    label=\"kernel and machine\"; style=rounded;\n");
	for (unsigned int u = 0; u < cfg->nr_units; u++)
		opl_str_printf(out, "    \"unit%u\" [shape=box3d, label=\"IOMMU unit %u\\n%#llx\"];\n",
			       u, u, (unsigned long long)cfg->units[u].reg_base);
	for (unsigned int i = 0; i < cfg->nr_devs; i++) {
		const struct ops_dev_cfg *dc = &cfg->devs[i];
		struct pci_dev *pdev = lusim_pci_find(dc->segment, dc->bus, dc->devfn);
		struct iommu_domain *dom;
		unsigned int d;

		opl_str_printf(out, "    \"dev%u\" [shape=component, label=\"dev%u %04x:%02x:%02x.%u\\n",
			       i, i, dc->segment, dc->bus, dc->devfn >> 3,
			       dc->devfn & 7);
		if (!pdev) {
			opl_str_printf(out, "removed\", style=dashed];\n");
			opl_str_printf(out, "    \"dev%u\" -> \"unit%u\" [style=dashed];\n",
				       i, dc->unit);
			continue;
		}
		opl_str_printf(out, "driver %s%s\"];\n",
			       pdev->dev.driver ? pdev->dev.driver->name : "none",
			       dc->max_pasids ? ", PASID" : "");
		opl_str_printf(out, "    \"dev%u\" -> \"unit%u\";\n", i, dc->unit);
		dom = iommu_get_domain_for_dev(&pdev->dev);
		if (!dom)
			continue;
		for (d = 0; d < nr_domains; d++)
			if (domains[d] == dom)
				break;
		if (d == nr_domains && nr_domains < MAX_DOMAINS) {
			domains[nr_domains++] = dom;
			opl_str_printf(out, "    \"domain%u\" [shape=ellipse, label=\"domain%u\\n%s\"];\n",
				       d, d, domain_type(dom->type));
		}
		if (d < MAX_DOMAINS) {
			dev_domain[i] = (int)d;
			opl_str_printf(out, "    \"dev%u\" -> \"domain%u\" [color=blue, label=\"RID\"];\n",
				       i, d);
		}
	}
	opl_str_printf(out, "  }\n");
}

void lusim_graph_objects(const struct opl_vm *vm, struct opl_str *out)
{
	opl_str_printf(out, "  rankdir=LR;\n"
			    "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
			    "  edge [fontname=\"monospace\", fontsize=9];\n");
	machine_cluster(out);	/* first: the domains the process edges name */
	process_cluster(vm, out);
}

static void dot_escape(struct opl_str *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			opl_str_printf(out, "\\%c", *s);
		else if (*s == '\n')
			opl_str_printf(out, "\\l");
		else
			opl_str_printf(out, "%c", *s);
	}
}

void lusim_graph_findings(struct opl_str *out)
{
	unsigned int n = lusim_findings_count();

	if (!n)
		return;
	opl_str_printf(out, "  subgraph cluster_findings {\n"
			    "    label=\"findings\"; color=red; fontcolor=red;\n");
	for (unsigned int i = 0; i < n; i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		opl_str_printf(out, "    \"finding%u\" [shape=note, color=red, fontcolor=red, label=\"", i);
		dot_escape(out, f->id);
		opl_str_printf(out, "%s\\n", f->suppressed ? " (suppressed)" : "");
		dot_escape(out, f->site[0] ? f->site : "?");
		opl_str_printf(out, "\\n");
		dot_escape(out, f->msg);
		opl_str_printf(out, "\"];\n");
	}
	opl_str_printf(out, "  }\n");
}
