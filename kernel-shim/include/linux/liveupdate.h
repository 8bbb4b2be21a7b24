/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/liveupdate.h
 * Models: the Live Update Orchestrator's in-kernel API (kernel-model.md 1.2-1.8):
 *         file handlers (struct liveupdate_file_handler / _file_ops /
 *         _file_op_args) and their registration, FLBs (struct liveupdate_flb
 *         / _flb_ops / _flb_op_args, luo_flb_private*) and their
 *         registration, liveupdate_flb_get_incoming/_outgoing, the
 *         in-kernel token API of the IOMMU series' LUO patch (v1 03/14):
 *         liveupdate_get_token_outgoing() and liveupdate_get_file_incoming(),
 *         liveupdate_reboot() (freeze + serialize + KHO finalize) and
 *         liveupdate_enabled().
 *         struct liveupdate_file_op_args carries the `session` field the
 *         IOMMU series depends on (LUO fills it for every callback), and both
 *         the newest `retrieve_status` (0 never tried, > 0 retrieved, < 0 the
 *         cached errno) and the older `retrieved` flag (== retrieve_status > 0)
 *         so handler code of either generation compiles.
 *         Implemented in kernel-shim/kernel/liveupdate/luo_*.c; the user-side
 *         interface is /dev/liveupdate (uapi/linux/liveupdate.h).
 * Leaves out: module owners are accepted and ignored (no module unloading in
 *         lusim, so -EAGAIN / -ENODEV for an unloading owner never happen);
 *         the mid-2026 get/put FLB variant (MODEL_LATEST) and the void
 *         unregister functions; CONFIG_LIVEUPDATE=n stubs (always built).
 */
#ifndef _LUSIM_LINUX_LIVEUPDATE_H
#define _LUSIM_LINUX_LIVEUPDATE_H

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/kho/abi/luo.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/liveupdate.h>

struct liveupdate_file_handler;
struct liveupdate_flb;
struct liveupdate_session;
struct file;
struct module;

/**
 * struct liveupdate_file_op_args - Arguments for file operation callbacks.
 * @handler:         The file handler being called.
 * @session:         The session this file belongs to (IOMMU series, 03/14).
 * @retrieve_status: can_finish / finish: 0 = retrieve never attempted,
 *                   > 0 = retrieved, < 0 = the errno of the failed retrieve.
 * @retrieved:       Older spelling of retrieve_status > 0.
 * @file:            retrieve: [OUT] the new file. Other ops: [IN] the file.
 * @serialized_data: The opaque u64 handle; preserve and freeze may update it.
 * @private_data:    Runtime-only state: set by .preserve(), freed by
 *                   .unpreserve().
 */
struct liveupdate_file_op_args {
	struct liveupdate_file_handler *handler;
	struct liveupdate_session *session;
	int retrieve_status;
	bool retrieved;
	struct file *file;
	u64 serialized_data;
	void *private_data;
};

/**
 * struct liveupdate_file_ops - Callbacks for live-updatable files.
 * @can_preserve: Required. Lightweight type check.
 * @preserve:     Required. Save the file's state (PRESERVE_FD).
 * @unpreserve:   Required. Undo @preserve (session closed before reboot).
 * @freeze:       Optional. Last step before kexec, FIFO over the files.
 * @unfreeze:     Optional. Undo @freeze (reboot aborted).
 * @retrieve:     Required. Re-create the file in the new kernel.
 * @can_finish:   Optional (default true). May the session finish now?
 * @finish:       Required. Final cleanup in the new kernel, LIFO.
 * @get_id:       Optional. Identity key of a file for the table of files
 *                managed by LUO (default: the file's per-boot f_seq, which
 *                lusim uses instead of the struct file pointer).
 * @owner:        Module reference (ignored).
 */
struct liveupdate_file_ops {
	bool (*can_preserve)(struct liveupdate_file_handler *handler,
			     struct file *file);
	int (*preserve)(struct liveupdate_file_op_args *args);
	void (*unpreserve)(struct liveupdate_file_op_args *args);
	int (*freeze)(struct liveupdate_file_op_args *args);
	void (*unfreeze)(struct liveupdate_file_op_args *args);
	int (*retrieve)(struct liveupdate_file_op_args *args);
	bool (*can_finish)(struct liveupdate_file_op_args *args);
	void (*finish)(struct liveupdate_file_op_args *args);
	unsigned long (*get_id)(struct file *file);
	struct module *owner;
};

/**
 * struct liveupdate_file_handler - A handler for one live-updatable file type.
 * @ops:        Callback functions.
 * @compatible: Unique string ("memfd-v1", "iommufd-v1", ...) matched after
 *              kexec to find the handler of each preserved file.
 */
struct liveupdate_file_handler {
	const struct liveupdate_file_ops *ops;
	const char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];

	/* private: */
	/* link in the global list of registered handlers */
	struct list_head __private list;
	/* the FLBs this handler depends on (struct luo_flb_link) */
	struct list_head __private flb_list;
};

/**
 * struct liveupdate_flb_op_args - Arguments for FLB operation callbacks.
 * @flb:  The FLB.
 * @data: preserve: [OUT]; unpreserve, retrieve: [IN] the handle.
 * @obj:  preserve, retrieve: [OUT] the live object; unpreserve, finish: [IN].
 */
struct liveupdate_flb_op_args {
	struct liveupdate_flb *flb;
	u64 data;
	void *obj;
};

/**
 * struct liveupdate_flb_ops - Callbacks for File-Lifecycle-Bound global data.
 * @preserve:   The first dependent file is being preserved (count 0 -> 1).
 * @unpreserve: The last dependent file was unpreserved (count 1 -> 0).
 * @retrieve:   First use in the new kernel: rebuild @obj from @data.
 * @finish:     The last dependent file finished in the new kernel.
 * @owner:      Module reference (ignored).
 */
struct liveupdate_flb_ops {
	int (*preserve)(struct liveupdate_flb_op_args *argp);
	void (*unpreserve)(struct liveupdate_flb_op_args *argp);
	int (*retrieve)(struct liveupdate_flb_op_args *argp);
	void (*finish)(struct liveupdate_flb_op_args *argp);
	struct module *owner;
};

/*
 * struct luo_flb_private_state - one direction (outgoing / incoming) of an FLB
 * @count:     preserved (outgoing) or not yet finished (incoming) dependent
 *             files
 * @data:      the u64 handle from .preserve() / for .retrieve()
 * @obj:       the live object from .preserve() / .retrieve()
 * @lock:      serializes the FLB's callbacks and these fields
 * @finished:  .finish() has run (incoming)
 * @retrieved: .retrieve() has run (incoming)
 */
struct luo_flb_private_state {
	long count;
	u64 data;
	void *obj;
	struct mutex lock;
	bool finished;
	bool retrieved;
};

/*
 * struct luo_flb_private - LUO's private part of an FLB
 * @list:        link in the global list of registered FLBs
 * @outgoing:    pre-reboot state
 * @incoming:    post-reboot state
 * @users:       number of handlers the FLB is registered with
 * @initialized: the fields above have been initialized
 * @boot:        lusim: boot number the fields belong to (FLBs are static
 *               objects of the model; kexec re-initializes them lazily)
 */
struct luo_flb_private {
	struct list_head list;
	struct luo_flb_private_state outgoing;
	struct luo_flb_private_state incoming;
	int users;
	bool initialized;
	unsigned int boot;
};

/**
 * struct liveupdate_flb - A global, file-lifecycle-bound shared object.
 * @ops:        Callback functions.
 * @compatible: Unique string ("iommu-core-v1"), matched after kexec.
 */
struct liveupdate_flb {
	const struct liveupdate_flb_ops *ops;
	const char compatible[LIVEUPDATE_FLB_COMPAT_LENGTH];

	/* private: */
	struct luo_flb_private __private private;
};

/* Return true if live update orchestrator is enabled */
bool liveupdate_enabled(void);

/* Called during kexec to tell LUO that entered into reboot */
int liveupdate_reboot(void);

int liveupdate_register_file_handler(struct liveupdate_file_handler *fh);
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh);

int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb);
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb);

int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp);
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp);

/* kernel can internally retrieve files */
int liveupdate_get_file_incoming(struct liveupdate_session *s, u64 token,
				 struct file **filep);

/* Get a token for an outgoing file; the caller holds the session mutex */
int liveupdate_get_token_outgoing(struct liveupdate_session *s,
				  struct file *file, u64 *tokenp);

/* --- lusim --------------------------------------------------------------- */

/*
 * The "liveupdate=on" command line (default on). Takes effect at the next
 * boot; survives kexec, reset at power-on.
 */
void lusim_liveupdate_set_cmdline(bool enabled);
/* Live updates this machine went through (the "liveupdate-number"). */
u64 lusim_liveupdate_number(void);
/*
 * Power off: release the incoming state (sessions, their files and LUO's
 * references) phase 1 never finished; the kernel would keep it until the
 * next reboot, so the teardown leak check must not count it.
 */
void lusim_liveupdate_power_off(void);
/*
 * RFC v1's global live-update state, for the RB-10 switch only: "not
 * normal" from the first file preserved in an outgoing session until none
 * is, and in a new kernel while an incoming session is not finished.
 * Mainline LUO has no such state (the review asked for per-object state).
 */
bool lusim_liveupdate_state_normal(void);
/*
 * Files preserved in outgoing sessions whose handler is linked to @flb,
 * counted by walking the sessions (not the FLB's own count): oracles
 * compare it with the FLB's outgoing object.
 */
unsigned long lusim_liveupdate_flb_outgoing_files(struct liveupdate_flb *flb);

#endif /* _LUSIM_LINUX_LIVEUPDATE_H */
