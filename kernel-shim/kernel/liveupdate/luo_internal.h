/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: kernel/liveupdate/luo_internal.h
 * Models: LUO's private objects and the calls between luo_core.c,
 *         luo_session.c, luo_file.c and luo_flb.c (kernel-model.md 1.2).
 *         struct luo_session with the kernel's fields (name, ser, list,
 *         retrieved, file_set, mutex) plus `incoming`; struct luo_file_set;
 *         struct luo_ucmd for the extensible-struct ioctls.
 * Leaves out: the FDT helpers (struct luo_root_ser replaces the FDT, see
 *         <linux/kho/abi/luo.h>), session refcounts of the newest LUO.
 */
#ifndef _LUSIM_LUO_INTERNAL_H
#define _LUSIM_LUO_INTERNAL_H

#include <linux/liveupdate.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uaccess.h>

struct file;
struct folio;

/*
 * struct luo_ucmd - one ioctl call
 * @ubuffer:   the user's struct
 * @user_size: its first u32
 * @cmd:       the kernel's copy (size of the kernel's struct)
 */
struct luo_ucmd {
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

static inline int luo_ucmd_respond(struct luo_ucmd *ucmd,
				   size_t kernel_cmd_size)
{
	/*
	 * Copy the minimum of what the user provided or what we actually
	 * have.
	 */
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, kernel_cmd_size)))
		return -EFAULT;
	return 0;
}

/* 2 4K pages, give space for 128 files per session */
#define LUO_FILE_PGCNT		2ul
#define LUO_FILE_MAX							\
	((LUO_FILE_PGCNT << PAGE_SHIFT) / sizeof(struct luo_file_ser))

/*
 * struct luo_file_set - the files of one session
 * @files_list: struct luo_file, in preservation order
 * @files:      the KHO-preserved array of struct luo_file_ser (allocated
 *              with the first file; in the new kernel: restored at
 *              deserialization, freed at finish)
 * @count:      number of files
 */
struct luo_file_set {
	struct list_head files_list;
	struct luo_file_ser *files;
	long count;
};

/*
 * struct luo_session - a named container of preserved files
 * @name:      unique name (per direction)
 * @ser:       the session's slot in the serialized array (outgoing, during
 *             reboot)
 * @list:      link in luo_session_global.{incoming,outgoing}.list
 * @retrieved: an incoming session was claimed by RETRIEVE_SESSION
 * @incoming:  the session came from the previous kernel
 * @file_set:  the files
 * @mutex:     protects the fields and the file set; held across every
 *             handler callback except deserialization
 */
struct luo_session {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct luo_session_ser *ser;
	struct list_head list;
	bool retrieved;
	bool incoming;
	struct luo_file_set file_set;
	struct mutex mutex;
};

/* luo_core.c */
struct folio *luo_restore_block(u64 phys, size_t min_size);

/* luo_session.c */
int luo_session_create(const char *name, struct file **filep);
int luo_session_retrieve(const char *name, struct file **filep);
int luo_session_setup_outgoing(struct luo_root_ser *root);
int luo_session_setup_incoming(const struct luo_root_ser *root);
int luo_session_serialize(void);
void luo_session_abort_reboot(void);
int luo_session_deserialize(void);
bool luo_session_quiesce(void);
void luo_session_resume(void);

/* luo_file.c */
int luo_preserve_file(struct luo_session *session, u64 token, int fd);
void luo_file_unpreserve_files(struct luo_session *session);
int luo_file_freeze(struct luo_session *session,
		    struct luo_file_set_ser *file_set_ser);
void luo_file_unfreeze(struct luo_session *session,
		       struct luo_file_set_ser *file_set_ser);
int luo_retrieve_file(struct luo_session *session, u64 token,
		      struct file **filep);
int luo_file_finish(struct luo_session *session);
int luo_file_deserialize(struct luo_session *session,
			 const struct luo_file_set_ser *file_set_ser);
void luo_file_put_flush(void);
void luo_file_lusim_drop_incoming(struct luo_session *session);
void luo_flb_lusim_drop_incoming(void);
void luo_file_set_init(struct luo_file_set *file_set);
void luo_file_set_destroy(struct luo_file_set *file_set);
bool luo_file_handler_registered(const struct liveupdate_file_handler *fh);
struct liveupdate_file_handler *luo_file_handler_find(const char *compatible);

/* lusim: files of @file_set whose handler is linked to @flb */
unsigned long luo_file_set_count_flb(struct luo_file_set *file_set,
				     struct liveupdate_flb *flb);

/* luo_flb.c */
bool luo_flb_is_linked(struct liveupdate_file_handler *fh,
		       struct liveupdate_flb *flb);
int luo_flb_file_preserve(struct liveupdate_file_handler *fh);
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh);
void luo_flb_file_finish(struct liveupdate_file_handler *fh);
int luo_flb_setup_outgoing(struct luo_root_ser *root);
int luo_flb_setup_incoming(const struct luo_root_ser *root);
void luo_flb_serialize(void);

/* per-boot generation: statics of the model outlive a kexec (luo_core.c) */
unsigned int luo_generation(void);

#endif /* _LUSIM_LUO_INTERNAL_H */
