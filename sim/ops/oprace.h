/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Concurrent blocks of the op language (issue 9, docs/concurrency.md).
 *
 * A VM with racing enabled (opl_vm_race_enable()) runs ops either
 * sequentially, as always, or in a *concurrent block*: ops queued for
 * actors 0..N-1 (opl_race_queue()) run when the block is flushed, each
 * actor executing its own ops in order on its own cooperative context
 * (<lusim/actor.h>), interleaved at lock boundaries by the block's
 * schedule bytes. A sequential op flushes the open block first.
 *
 * The binary form of a racy input (fuzz_race):
 *
 *   input  = header item*
 *   header = one byte: actors = 2 + byte % (LUSIM_MAX_ACTORS - 1)
 *   item   = 0x00-0xbf args...        a sequential op record (opcode, args)
 *          | 0xc0-0xef opcode args... an op of actor (byte - 0xc0) % actors
 *          | 0xf0-0xff byte           one schedule byte for the open block
 *
 * The text form: `@N` before an op runs it on actor N in the open block,
 * `schedule B...` appends schedule choices (N = run actor N, +K = keep the
 * running actor for K points), `actors N` sets the number of actors.
 */
#ifndef _LUSIM_OPRACE_H
#define _LUSIM_OPRACE_H

#include "oplang.h"

#define OPL_RACE_MAX_SCHED	4096	/* schedule bytes per run */
#define OPL_RACE_MAX_BLOCKS	256

/*
 * Enable concurrent blocks on @vm with @nr_actors actors (2..4); 0
 * disables them (the VM is exactly the sequential one). Takes effect at
 * the next opl_vm_start().
 */
void opl_vm_race_enable(struct opl_vm *vm, unsigned int nr_actors);
unsigned int opl_vm_race_actors(const struct opl_vm *vm);

/* Append a schedule byte to the open (or next) block. */
void opl_race_schedule(struct opl_vm *vm, uint8_t b);

/*
 * Callbacks of the scenario runner: @prepare fills the argument bytes of
 * queued item @tag just before it runs (names resolve against the objects
 * live then; returns < 0 to skip the op), @done gets the call index after.
 */
typedef int (*opl_race_prepare_fn)(struct opl_vm *vm, void *arg,
				   unsigned int tag, uint8_t *bytes);
typedef void (*opl_race_done_fn)(struct opl_vm *vm, void *arg,
				 unsigned int tag, unsigned int call);
void opl_race_set_callbacks(struct opl_vm *vm, opl_race_prepare_fn prepare,
			    opl_race_done_fn done, void *arg);

/*
 * Queue an op for @actor (modulo the actors) in the open block. An op
 * that reboots (kexec) cannot run beside others: it flushes the block and
 * runs sequentially. Returns 0, or -E2BIG when the run is full.
 */
int opl_race_queue(struct opl_vm *vm, unsigned int actor, uint8_t opcode,
		   const uint8_t *args, uint32_t line, unsigned int tag);
/* Is a block open (ops or schedule bytes queued)? */
bool opl_race_pending(const struct opl_vm *vm);
/* Run the open block; returns the number of ops it ran. */
unsigned int opl_race_flush(struct opl_vm *vm);

/* Run a fuzz_race input (format above); returns the ops run. */
unsigned int opl_race_run_binary(struct opl_vm *vm, const uint8_t *data,
				 size_t size);
/* The canonical fuzz_race binary of the trace; returns the size needed. */
size_t opl_race_encode(const struct opl_vm *vm, uint8_t *buf, size_t len);
/* The actor (0..) that ran call @i, or -1 when it ran sequentially. */
int opl_race_call_actor(const struct opl_vm *vm, unsigned int i);

/* The switch log hash of the run's blocks (determinism check). */
uint64_t opl_race_hash(const struct opl_vm *vm);

/*
 * The round trip for racy inputs: run @data, print the trace (with actors,
 * schedules), parse and run it, compare trace text, canonical binary and
 * hashes. 0, or -1 with the reason in @why.
 */
int opl_race_roundtrip(struct opl_vm *vm, const uint8_t *data, size_t size,
		       struct opl_str *why);

/* Hooks for opvm.c (only called when racing is enabled). */
void opl_race_start(struct opl_vm *vm);
bool opl_race_op_begin(struct opl_vm *vm, const char *name);
bool opl_race_op_end(struct opl_vm *vm, const char *name, int ret);
void opl_race_print_header(const struct opl_vm *vm, struct opl_str *out);
void opl_race_print_before(const struct opl_vm *vm, unsigned int call,
			   struct opl_str *out);
void opl_race_print_prefix(const struct opl_vm *vm, const struct opl_call *c,
			   struct opl_str *out);

#endif /* _LUSIM_OPRACE_H */
