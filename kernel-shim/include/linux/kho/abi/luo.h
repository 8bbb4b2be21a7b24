/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/luo.h
 * Models: the LUO serialization ABI handed from one kernel to the next: the
 *         session header and array (struct luo_session_header_ser followed
 *         by struct luo_session_ser[]), each session's file array
 *         (struct luo_file_ser[], found through struct luo_file_set_ser) and
 *         the FLB header and array (struct luo_flb_header_ser +
 *         struct luo_flb_ser[]). All are __packed, hold physical addresses
 *         (never pointers) and live in KHO-preserved pages.
 * Leaves out: the FDT. The kernel publishes a small FDT under the KHO entry
 *         "LUO" with the properties compatible, liveupdate-number,
 *         luo-session/luo-session-header and luo-flb/luo-flb-header; lusim
 *         publishes the same facts as struct luo_root_ser in one preserved
 *         page (same entry name, same compatible strings).
 *
 * The new kernel trusts none of these bytes: counts are bounded by the
 * array capacity, strings must be NUL-terminated inside their field, and
 * every physical address must be the head of a preserved block large
 * enough for what is read from it (kernel-shim/kernel/liveupdate/).
 */
#ifndef _LUSIM_LINUX_KHO_ABI_LUO_H
#define _LUSIM_LINUX_KHO_ABI_LUO_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <uapi/linux/liveupdate.h>

#define LUO_FDT_SIZE			PAGE_SIZE
#define LUO_FDT_KHO_ENTRY_NAME		"LUO"
#define LUO_FDT_COMPATIBLE		"luo-v1"
#define LUO_FDT_LIVEUPDATE_NUM		"liveupdate-number"

#define LUO_FDT_SESSION_NODE_NAME	"luo-session"
#define LUO_FDT_SESSION_COMPATIBLE	"luo-session-v2"
#define LUO_FDT_SESSION_HEADER		"luo-session-header"

#define LUO_FDT_FLB_NODE_NAME		"luo-flb"
#define LUO_FDT_FLB_COMPATIBLE		"luo-flb-v1"
#define LUO_FDT_FLB_HEADER		"luo-flb-header"

/* Length of a file handler's / an FLB's compatible string, NUL included */
#define LIVEUPDATE_HNDL_COMPAT_LENGTH	48
#define LIVEUPDATE_FLB_COMPAT_LENGTH	48

/* lusim's stand-in for the LUO FDT: one preserved page. */
#define LUO_ROOT_COMPAT_LENGTH		32
struct luo_root_ser {
	char compatible[LUO_ROOT_COMPAT_LENGTH];	  /* LUO_FDT_COMPATIBLE */
	u64 liveupdate_num;
	char session_compatible[LUO_ROOT_COMPAT_LENGTH]; /* ..._SESSION_COMPATIBLE */
	u64 session_header;	/* phys of struct luo_session_header_ser */
	char flb_compatible[LUO_ROOT_COMPAT_LENGTH];	  /* ..._FLB_COMPATIBLE */
	u64 flb_header;		/* phys of struct luo_flb_header_ser */
} __packed;

/*
 * struct luo_file_ser - one preserved file
 * @compatible: the handler's compatible string, matched in the new kernel
 * @data:       the handler's opaque u64 (args->serialized_data)
 * @token:      the user's token
 */
struct luo_file_ser {
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	u64 data;
	u64 token;
} __packed;

/*
 * struct luo_file_set_ser - where a session's files are
 * @files: phys of an array of struct luo_file_ser (LUO_FILE_PGCNT pages),
 *         0 when the session has no files
 * @count: number of valid entries
 */
struct luo_file_set_ser {
	u64 files;
	u64 count;
} __packed;

/* Header of the session block (LUO_SESSION_PGCNT pages). */
struct luo_session_header_ser {
	u64 count;
} __packed;

struct luo_session_ser {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct luo_file_set_ser file_set_ser;
} __packed;

/* Header of the FLB block (LUO_FLB_PGCNT pages). */
struct luo_flb_header_ser {
	u64 pgcnt;
	u64 count;
} __packed;

/*
 * struct luo_flb_ser - one FLB with a non-zero outgoing count at reboot
 * @name:  the FLB's compatible string
 * @data:  the FLB's u64 handle (what .preserve() returned in args->data)
 * @count: how many preserved files depended on it
 */
struct luo_flb_ser {
	char name[LIVEUPDATE_FLB_COMPAT_LENGTH];
	u64 data;
	u64 count;
} __packed;

#endif /* _LUSIM_LINUX_KHO_ABI_LUO_H */
