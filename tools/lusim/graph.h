/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `lusim run --graph OUT.dot`: the live object graph of a scenario run in
 * Graphviz DOT (tools/lusim/graph.c).
 */
#ifndef _LUSIM_TOOLS_GRAPH_H
#define _LUSIM_TOOLS_GRAPH_H

#include <ops/oplang.h>

/*
 * The object graph as the VM and the kernel see it now (the process's fds,
 * iommufd objects and attachments per PASID, sessions and preserved files,
 * PCI functions, their drivers and IOMMU domains, the IOMMU units), as the
 * body of a DOT digraph, appended to @out. Call it while the process still
 * runs (before opl_vm_end()).
 */
void lusim_graph_objects(const struct opl_vm *vm, struct opl_str *out);
/* The findings raised so far, as red nodes. */
void lusim_graph_findings(struct opl_str *out);

#endif /* _LUSIM_TOOLS_GRAPH_H */
