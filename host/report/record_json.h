/*
 * Reading a result record's members (docs/results.md) for the reports: each
 * lookup answers NULL, false or empty for a member that is missing or of
 * another type, never an error, so a report shows what a record has and
 * leaves the rest out. Text is cut to printable ASCII: it ends up on a
 * terminal and in HTML.
 */
#ifndef HB_RECORD_JSON_H
#define HB_RECORD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

/* object's member key, or NULL (also when object is not an object). */
const cJSON *record_member(const cJSON *object, const char *key);

/* The member if it is an object, else NULL. */
const cJSON *record_object(const cJSON *object, const char *key);

/* A finite number into *out; false (and *out untouched) otherwise. */
bool record_number(const cJSON *object, const char *key, double *out);

/* A string's printable ASCII (others become '?'), cut to capacity; "" when absent. */
void record_text(const cJSON *object, const char *key, char *out, size_t capacity);

/* A number in 0..2^32-1, else 0: for sizes and clocks, where 0 means unknown. */
uint32_t record_u32(const cJSON *object, const char *key);

#endif
