/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/rculist.h
 * Models: RCU-safe list and hlist updates and traversals: list_add_rcu,
 *         list_add_tail_rcu, list_del_rcu (next kept for readers still on
 *         the entry, prev poisoned), list_replace_rcu, INIT_LIST_HEAD_RCU,
 *         list_entry_rcu, list_first_or_null_rcu, list_next_or_null_rcu,
 *         list_for_each_entry_rcu(pos, head, member[, cond]) with the
 *         kernel's check: traversal outside a reader without `cond` true is
 *         RCU-SUSPICIOUS ("RCU-list traversed in non-reader section");
 *         list_for_each_entry_continue_rcu / _from_rcu; hlist_add_head_rcu,
 *         hlist_del_rcu, hlist_del_init_rcu, hlist_for_each_entry_rcu.
 *         Publication goes through rcu_assign_pointer (liburcu release
 *         store), reads through READ_ONCE as the kernel does.
 * Leaves out: list_splice_*_rcu, hlist_nulls, the srcu traversal variants,
 *         list_bidir.
 */
#ifndef _LUSIM_LINUX_RCULIST_H
#define _LUSIM_LINUX_RCULIST_H

#include <linux/list.h>
#include <linux/rcupdate.h>

#define list_next_rcu(list)	(*((struct list_head __rcu **)(&(list)->next)))
#define list_tail_rcu(head)	(*((struct list_head __rcu **)(&(head)->prev)))

static inline void INIT_LIST_HEAD_RCU(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	WRITE_ONCE(list->prev, list);
}

static inline void __list_add_rcu(struct list_head *new,
				  struct list_head *prev,
				  struct list_head *next)
{
	new->next = next;
	new->prev = prev;
	rcu_assign_pointer(list_next_rcu(prev), new);
	next->prev = new;
}

static inline void list_add_rcu(struct list_head *new, struct list_head *head)
{
	__list_add_rcu(new, head, head->next);
}

static inline void list_add_tail_rcu(struct list_head *new,
				     struct list_head *head)
{
	__list_add_rcu(new, head->prev, head);
}

/* Readers may still be on @entry: its next stays valid until a grace period. */
static inline void list_del_rcu(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->prev = LIST_POISON2;
}

static inline void list_replace_rcu(struct list_head *old,
				    struct list_head *new)
{
	new->next = old->next;
	new->prev = old->prev;
	rcu_assign_pointer(list_next_rcu(new->prev), new);
	new->next->prev = new;
	old->prev = LIST_POISON2;
}

#define list_entry_rcu(ptr, type, member)				\
	container_of(READ_ONCE(ptr), type, member)

#define list_first_or_null_rcu(ptr, type, member) __extension__ ({	\
	struct list_head *__lr_head = (ptr);				\
	struct list_head *__lr_next = READ_ONCE(__lr_head->next);	\
	likely(__lr_head != __lr_next) ?				\
		list_entry_rcu(__lr_next, type, member) : NULL;		\
})

#define list_next_or_null_rcu(head, ptr, type, member) __extension__ ({ \
	struct list_head *__lr_head = (head);				\
	struct list_head *__lr_ptr = (ptr);				\
	struct list_head *__lr_next = READ_ONCE(__lr_ptr->next);	\
	likely(__lr_next != __lr_head) ?				\
		list_entry_rcu(__lr_next, type, member) : NULL;		\
})

/*
 * The optional last argument of the traversal macros is the lockdep
 * condition under which walking outside rcu_read_lock() is fine (e.g.
 * lockdep_is_held(&lock)).
 */
#define __lusim_list_check_rcu(dummy, cond, extra...)			\
	__extension__ ({						\
		if (unlikely(!(cond) && !rcu_read_lock_any_held()))	\
			lusim_rcu_suspicious(				\
				"RCU-list traversed in non-reader section", \
				LUSIM_SITE);				\
	})

#define list_for_each_entry_rcu(pos, head, member, cond...)		\
	for (__lusim_list_check_rcu(dummy, ## cond, 0),			\
	     pos = list_entry_rcu((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);					\
	     pos = list_entry_rcu((pos)->member.next, __typeof__(*(pos)), member))

#define list_for_each_entry_continue_rcu(pos, head, member)		\
	for (pos = list_entry_rcu((pos)->member.next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);					\
	     pos = list_entry_rcu((pos)->member.next, __typeof__(*(pos)), member))

#define list_for_each_entry_from_rcu(pos, head, member)		\
	for (; &(pos)->member != (head);				\
	     pos = list_entry_rcu((pos)->member.next, __typeof__(*(pos)), member))

/* --- hlist --------------------------------------------------------------- */

#define hlist_first_rcu(head)	(*((struct hlist_node __rcu **)(&(head)->first)))
#define hlist_next_rcu(node)	(*((struct hlist_node __rcu **)(&(node)->next)))
#define hlist_pprev_rcu(node)	(*((struct hlist_node __rcu **)((node)->pprev)))

static inline void hlist_add_head_rcu(struct hlist_node *n,
				      struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	WRITE_ONCE(n->pprev, &h->first);
	rcu_assign_pointer(hlist_first_rcu(h), n);
	if (first)
		WRITE_ONCE(first->pprev, &n->next);
}

static inline void __lusim_hlist_unlink(struct hlist_node *n)
{
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (next)
		WRITE_ONCE(next->pprev, pprev);
}

/* Readers may still be on @n: its next stays valid until a grace period. */
static inline void hlist_del_rcu(struct hlist_node *n)
{
	__lusim_hlist_unlink(n);
	WRITE_ONCE(n->pprev, LIST_POISON2);
}

static inline void hlist_del_init_rcu(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__lusim_hlist_unlink(n);
		WRITE_ONCE(n->pprev, NULL);
	}
}

#define hlist_for_each_entry_rcu(pos, head, member, cond...)		\
	for (__lusim_list_check_rcu(dummy, ## cond, 0),			\
	     pos = hlist_entry_safe(READ_ONCE(hlist_first_rcu(head)),	\
				    __typeof__(*(pos)), member);	\
	     pos;							\
	     pos = hlist_entry_safe(READ_ONCE(hlist_next_rcu(&(pos)->member)), \
				    __typeof__(*(pos)), member))

#endif /* _LUSIM_LINUX_RCULIST_H */
