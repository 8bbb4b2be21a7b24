// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_lu_rollback.c replayed with every oracle installed (check_lu_replay.h): its
 * kexecs run the live-update checks, and it must still pass.
 */
#define REPLAY_FILE "test_lu_rollback.c"
#include "check_lu_replay.h"
