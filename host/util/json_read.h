/*
 * Reading user-written JSON files (board profiles, suites) with cJSON.
 *
 * A struct json_reader names the file in every message and counts the
 * problems found, so a caller reports all of them in one pass and then
 * decides from reader->errors. Messages name the field by its dotted path
 * ("memory.flash.size"), say what was expected and show what was there,
 * with a "did you mean" for misspelt names. Only shape checks live here;
 * what a value means stays with the file format that owns it.
 */
#ifndef HB_JSON_READ_H
#define HB_JSON_READ_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_reader {
	const char *file; /* name used in messages */
	int errors;
};

/* Reports "<file>: <message>" as HB_ERR_INPUT and counts it. */
void json_fail(struct json_reader *reader, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies text with control and non-ASCII bytes as '?', cut with "..." to
 * fit: text from the file ends up on a terminal. */
void json_printable(const char *text, char *out, size_t capacity);

/* "memory" + "flash" -> "memory.flash"; an empty or NULL parent gives the
 * key alone. The key is made printable. */
void json_field_path(char *out, size_t capacity, const char *parent, const char *key);

/* A short rendering of a value for "got ...": "\"text\"", 42, true, null,
 * "an array" or "an object". */
void json_describe(const cJSON *item, char *out, size_t capacity);

/* "a, b, c" from a NULL-terminated list; names that do not fit are left out. */
void json_list_names(const char *const *names, char *out, size_t capacity);

/* Levenshtein distance; SIZE_MAX when either word is over 64 bytes. */
size_t json_edit_distance(const char *a, const char *b);

/* The name within edit distance 2 of word (the first of the closest), or NULL. */
const char *json_closest_name(const char *word, const char *const *names);

/* The index of word in a NULL-terminated list, or -1. */
int json_name_index(const char *word, const char *const *names);

/* 1-based line and byte column of offset in text, as editors count them. */
void json_text_position(const char *text, size_t offset, unsigned *line, unsigned *column);

/* Parses text (which may lack a terminator) into *root, which must be a
 * JSON object; errors say file:line:column and return HB_ERR_INPUT or
 * HB_ERR_NOMEM without touching reader->errors. The caller frees *root. */
int json_parse_object(struct json_reader *reader, const char *text, size_t length, cJSON **root);

/* Reports members of object not in known (with a suggestion) and repeated
 * members, which cJSON keeps both of. known NULL checks only repeats. */
void json_check_members(struct json_reader *reader, const cJSON *object, const char *parent,
			const char *const *known);

/* The member key of object, or NULL. When it is missing and expected is
 * given, reports it, unless a near spelling is present (that one was
 * already reported as unknown). object may be NULL (a parent was invalid). */
const cJSON *json_member(struct json_reader *reader, const cJSON *object, const char *parent,
			 const char *key, const char *expected);

/* Reports "field '<parent.key>': expected <expected>, got <got>". */
void json_fail_expected(struct json_reader *reader, const char *parent, const char *key,
			const char *expected, const cJSON *got);

/* Reports the member "schema" unless it is the integer version. */
void json_check_schema(struct json_reader *reader, const cJSON *root, uint32_t version);

/* True for a JSON number holding an exact integer in [minimum, maximum]. */
bool json_number_to_u32(const cJSON *item, uint32_t minimum, uint32_t maximum, uint32_t *out);

enum json_string_kind {
	JSON_STRING_TEXT,	/* any non-empty text without control characters */
	JSON_STRING_TOKEN,	/* also no spaces (argv values, paths) */
	JSON_STRING_IDENTIFIER, /* letters, digits, '-', '_' (file and folder names) */
};

bool json_string_is_kind(const char *text, enum json_string_kind kind);

/* Copies a string item of that kind that fits in capacity into out;
 * otherwise reports it under path and returns false. */
bool json_copy_string(struct json_reader *reader, const cJSON *item, const char *path,
		      enum json_string_kind kind, char *out, size_t capacity);

/* The read_* functions take the member key of object and return true when
 * it was present and valid; a missing one is reported when required
 * (json_read_bool: always). */
bool json_read_string(struct json_reader *reader, const cJSON *object, const char *parent,
		      const char *key, bool required, enum json_string_kind kind, char *out,
		      size_t capacity);
bool json_read_bool(struct json_reader *reader, const cJSON *object, const char *parent,
		    const char *key, bool *out);
bool json_read_u32(struct json_reader *reader, const cJSON *object, const char *parent,
		   const char *key, bool required, uint32_t minimum, const char *expected,
		   uint32_t *out);

/* Always required. Returns the index of the value in names, or -1. */
int json_read_choice(struct json_reader *reader, const cJSON *object, const char *parent,
		     const char *key, const char *const *names);

/* Always required; the object's members are checked against known.
 * Returns the object, or NULL when missing or not an object. */
const cJSON *json_read_object(struct json_reader *reader, const cJSON *object, const char *parent,
			      const char *key, const char *const *known);

#endif
