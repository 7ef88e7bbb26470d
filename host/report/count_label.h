/*
 * What a board's counts are, decided once from the profile's counter kind:
 * their unit, their source and the caveat a latency derived from them
 * carries. Every renderer (terminal, Markdown, JSON, suite summary) asks
 * here, so an emulated instruction count is never shown as cycles.
 */
#ifndef HB_COUNT_LABEL_H
#define HB_COUNT_LABEL_H

#include <stdbool.h>

#include "config/profile.h"

/* "instructions" or "cycles". */
const char *count_unit(enum profile_counter counter);
/* "instructions/MAC" or "cycles/MAC". */
const char *count_per_mac_label(enum profile_counter counter);
/* "emulated" (counted by QEMU) or "measured" (a hardware counter). */
const char *count_source(enum profile_counter counter);
/* How the counts were taken, one sentence for records. */
const char *count_method(enum profile_counter counter);
/* True when the counts are not cycles, so a latency from them is not a timing. */
bool count_is_emulated(enum profile_counter counter);
/* The caveat a latency derived from these counts carries ("" for cycles). */
const char *latency_caveat(enum profile_counter counter);
/* A sentence for under a table of these counts ("" for cycles). */
const char *count_note(enum profile_counter counter);

#endif
