/*
 * Shape checks and messages shared by the JSON file readers. Every report
 * goes through json_fail so the file name and the error count stay right.
 */
#include "util/json_read.h"

#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_fail(struct json_reader *reader, const char *format, ...)
{
	char text[768];
	va_list args;

	va_start(args, format);
	vsnprintf(text, sizeof text, format, args);
	va_end(args);
	reader->errors++;
	hb_error(HB_ERR_INPUT, "%s: %s", reader->file, text);
}

void json_printable(const char *text, char *out, size_t capacity)
{
	size_t used = 0;

	for (; *text && used + 4 < capacity; text++) {
		unsigned char c = (unsigned char)*text;
		out[used++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (*text) {
		memcpy(out + used, "...", 3);
		used += 3;
	}
	out[used] = '\0';
}

void json_field_path(char *out, size_t capacity, const char *parent, const char *key)
{
	char shown[48];

	json_printable(key, shown, sizeof shown);
	if (parent && parent[0])
		snprintf(out, capacity, "%s.%s", parent, shown);
	else
		snprintf(out, capacity, "%s", shown);
}

void json_describe(const cJSON *item, char *out, size_t capacity)
{
	if (cJSON_IsString(item)) {
		char shown[48];

		json_printable(item->valuestring, shown, sizeof shown);
		snprintf(out, capacity, "\"%s\"", shown);
	} else if (cJSON_IsNumber(item)) {
		snprintf(out, capacity, "%.17g", item->valuedouble);
	} else if (cJSON_IsBool(item)) {
		snprintf(out, capacity, "%s", cJSON_IsTrue(item) ? "true" : "false");
	} else if (cJSON_IsNull(item)) {
		snprintf(out, capacity, "null");
	} else if (cJSON_IsArray(item)) {
		snprintf(out, capacity, "an array");
	} else {
		snprintf(out, capacity, "an object");
	}
}

void json_list_names(const char *const *names, char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		int n = snprintf(out + used, capacity - used, "%s%s", i ? ", " : "", names[i]);
		if (n < 0 || (size_t)n >= capacity - used) {
			/* Drop the partly written name rather than show half of it. */
			out[used] = '\0';
			return;
		}
		used += (size_t)n;
	}
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t json_edit_distance(const char *a, const char *b)
{
	enum { MAX_NAME = 64 };
	size_t row[MAX_NAME + 1];
	size_t length_a = strlen(a), length_b = strlen(b);

	if (length_a > MAX_NAME || length_b > MAX_NAME)
		return SIZE_MAX;
	for (size_t j = 0; j <= length_b; j++)
		row[j] = j;
	for (size_t i = 1; i <= length_a; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= length_b; j++) {
			size_t above = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			row[j] = min3(row[j] + 1, row[j - 1] + 1, diagonal + cost);
			diagonal = above;
		}
	}
	return row[length_b];
}

const char *json_closest_name(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_distance = 3;

	for (size_t i = 0; names[i]; i++) {
		size_t distance = json_edit_distance(word, names[i]);
		if (distance < best_distance) {
			best = names[i];
			best_distance = distance;
		}
	}
	return best;
}

int json_name_index(const char *word, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(word, names[i]) == 0)
			return i;
	return -1;
}

void json_text_position(const char *text, size_t offset, unsigned *line, unsigned *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			++*line;
			*column = 1;
		} else {
			++*column;
		}
	}
}

int json_parse_object(struct json_reader *reader, const char *text, size_t length, cJSON **root)
{
	const char *nul = memchr(text, '\0', length);
	const char *parse_end = NULL;
	unsigned line, column;
	char *copy;

	*root = NULL;
	if (nul) {
		json_text_position(text, (size_t)(nul - text), &line, &column);
		return hb_error(HB_ERR_INPUT, "%s:%u:%u: invalid JSON: NUL byte in the text",
				reader->file, line, column);
	}
	/* cJSON needs a terminator to reject trailing garbage. */
	copy = malloc(length + 1);
	if (!copy)
		return hb_error(HB_ERR_NOMEM, "%s: out of memory", reader->file);
	memcpy(copy, text, length);
	copy[length] = '\0';
	*root = cJSON_ParseWithLengthOpts(copy, length + 1, &parse_end, 1);
	if (!*root) {
		size_t offset = parse_end && parse_end >= copy ? (size_t)(parse_end - copy) : 0;

		if (offset > length)
			offset = length;
		json_text_position(copy, offset, &line, &column);
		free(copy);
		return hb_error(HB_ERR_INPUT, "%s:%u:%u: invalid JSON", reader->file, line, column);
	}
	free(copy);

	if (!cJSON_IsObject(*root)) {
		char shown[64];

		json_describe(*root, shown, sizeof shown);
		cJSON_Delete(*root);
		*root = NULL;
		return hb_error(HB_ERR_INPUT, "%s: expected a JSON object at the top level, got %s",
				reader->file, shown);
	}
	return HB_OK;
}

void json_check_members(struct json_reader *reader, const cJSON *object, const char *parent,
			const char *const *known)
{
	const cJSON *child;
	char path[160];

	cJSON_ArrayForEach(child, object)
	{
		const char *key = child->string;

		json_field_path(path, sizeof path, parent, key);
		if (known && json_name_index(key, known) < 0) {
			const char *suggestion = json_closest_name(key, known);
			char suggestion_path[160];
			char names[256];

			if (suggestion) {
				json_field_path(suggestion_path, sizeof suggestion_path, parent,
						suggestion);
				json_fail(reader, "unknown field '%s' (did you mean '%s'?)", path,
					  suggestion_path);
			} else {
				json_list_names(known, names, sizeof names);
				json_fail(reader, "unknown field '%s' (known fields here: %s)",
					  path, names);
			}
			continue;
		}
		for (const cJSON *earlier = object->child; earlier != child;
		     earlier = earlier->next) {
			if (strcmp(earlier->string, key) == 0) {
				json_fail(reader, "field '%s' appears more than once", path);
				break;
			}
		}
	}
}

const cJSON *json_member(struct json_reader *reader, const cJSON *object, const char *parent,
			 const char *key, const char *expected)
{
	const cJSON *item = object ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
	const cJSON *child;
	char path[160];

	if (item || !object || !expected)
		return item;
	cJSON_ArrayForEach(child, object)
	{
		if (child->string && json_edit_distance(child->string, key) <= 2)
			return NULL;
	}
	json_field_path(path, sizeof path, parent, key);
	json_fail(reader, "missing field '%s' (expected %s)", path, expected);
	return NULL;
}

void json_fail_expected(struct json_reader *reader, const char *parent, const char *key,
			const char *expected, const cJSON *got)
{
	char path[160];
	char shown[64];

	json_field_path(path, sizeof path, parent, key);
	json_describe(got, shown, sizeof shown);
	json_fail(reader, "field '%s': expected %s, got %s", path, expected, shown);
}

bool json_number_to_u32(const cJSON *item, uint32_t minimum, uint32_t maximum, uint32_t *out)
{
	double value;

	if (!cJSON_IsNumber(item))
		return false;
	value = item->valuedouble;
	/* Written so NaN fails every comparison. */
	if (!(value >= (double)minimum && value <= (double)maximum))
		return false;
	if ((double)(uint32_t)value != value)
		return false;
	*out = (uint32_t)value;
	return true;
}

void json_check_schema(struct json_reader *reader, const cJSON *root, uint32_t version)
{
	char expected[16];
	const cJSON *schema;
	uint32_t found;

	snprintf(expected, sizeof expected, "%lu", (unsigned long)version);
	schema = json_member(reader, root, "", "schema", expected);
	if (schema && (!json_number_to_u32(schema, 0, UINT32_MAX, &found) || found != version))
		json_fail_expected(reader, "", "schema", expected, schema);
}

bool json_string_is_kind(const char *text, enum json_string_kind kind)
{
	if (!text[0])
		return false;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return false;
		if (kind == JSON_STRING_TOKEN && *c == ' ')
			return false;
		if (kind == JSON_STRING_IDENTIFIER &&
		    !((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	}
	return true;
}

static const char *string_kind_text(enum json_string_kind kind)
{
	switch (kind) {
	case JSON_STRING_TOKEN: return "a non-empty string without spaces";
	case JSON_STRING_IDENTIFIER: return "a non-empty string of letters, digits, '-' or '_'";
	default: return "a non-empty string";
	}
}

bool json_copy_string(struct json_reader *reader, const cJSON *item, const char *path,
		      enum json_string_kind kind, char *out, size_t capacity)
{
	char shown[64];
	size_t length;

	if (!cJSON_IsString(item) || !json_string_is_kind(item->valuestring, kind)) {
		json_describe(item, shown, sizeof shown);
		json_fail(reader, "field '%s': expected %s, got %s", path, string_kind_text(kind),
			  shown);
		return false;
	}
	length = strlen(item->valuestring);
	if (length >= capacity) {
		json_fail(reader, "field '%s': expected at most %zu characters, got %zu", path,
			  capacity - 1, length);
		return false;
	}
	memcpy(out, item->valuestring, length + 1);
	return true;
}

bool json_read_string(struct json_reader *reader, const cJSON *object, const char *parent,
		      const char *key, bool required, enum json_string_kind kind, char *out,
		      size_t capacity)
{
	const cJSON *item =
	    json_member(reader, object, parent, key, required ? string_kind_text(kind) : NULL);
	char path[160];

	if (!item)
		return false;
	json_field_path(path, sizeof path, parent, key);
	return json_copy_string(reader, item, path, kind, out, capacity);
}

bool json_read_bool(struct json_reader *reader, const cJSON *object, const char *parent,
		    const char *key, bool *out)
{
	const cJSON *item = json_member(reader, object, parent, key, "true or false");

	if (!item)
		return false;
	if (!cJSON_IsBool(item)) {
		json_fail_expected(reader, parent, key, "true or false", item);
		return false;
	}
	*out = cJSON_IsTrue(item);
	return true;
}

bool json_read_u32(struct json_reader *reader, const cJSON *object, const char *parent,
		   const char *key, bool required, uint32_t minimum, const char *expected,
		   uint32_t *out)
{
	const cJSON *item = json_member(reader, object, parent, key, required ? expected : NULL);

	if (!item)
		return false;
	if (!json_number_to_u32(item, minimum, UINT32_MAX, out)) {
		json_fail_expected(reader, parent, key, expected, item);
		return false;
	}
	return true;
}

int json_read_choice(struct json_reader *reader, const cJSON *object, const char *parent,
		     const char *key, const char *const *names)
{
	char expected[256];
	char list[200];
	const cJSON *item;
	int index;

	json_list_names(names, list, sizeof list);
	snprintf(expected, sizeof expected, "one of %s", list);
	item = json_member(reader, object, parent, key, expected);
	if (!item)
		return -1;
	index = cJSON_IsString(item) ? json_name_index(item->valuestring, names) : -1;
	if (index < 0)
		json_fail_expected(reader, parent, key, expected, item);
	return index;
}

const cJSON *json_read_object(struct json_reader *reader, const cJSON *object, const char *parent,
			      const char *key, const char *const *known)
{
	const cJSON *item = json_member(reader, object, parent, key, "an object");
	char path[160];

	if (!item)
		return NULL;
	if (!cJSON_IsObject(item)) {
		json_fail_expected(reader, parent, key, "an object", item);
		return NULL;
	}
	json_field_path(path, sizeof path, parent, key);
	json_check_members(reader, item, path, known);
	return item;
}
