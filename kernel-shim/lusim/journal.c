// SPDX-License-Identifier: GPL-2.0-only
/*
 * The undo journal's hook state (<lusim/journal.h>). It lives in the shim so
 * that every shim file can call the hooks; the journal itself (what is
 * recorded and how a failed op is judged) is sim/check/journal.c, which
 * points lusim_journal at its ops for the duration of an op.
 */
#include <lusim/journal.h>

const struct lusim_journal_ops *lusim_journal;
unsigned int lusim_journal_internal;
unsigned int lusim_journal_cache_fill;
unsigned int lusim_journal_step_commit;
unsigned int lusim_journal_written_off;
unsigned int lusim_journal_final;
