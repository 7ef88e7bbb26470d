/* Lookups in a result record that never fail: the reports' one reader of members. */
#include "report/record_json.h"

#include <math.h>

const cJSON *record_member(const cJSON *object, const char *key)
{
	return cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
}

const cJSON *record_object(const cJSON *object, const char *key)
{
	const cJSON *item = record_member(object, key);
	return cJSON_IsObject(item) ? item : NULL;
}

bool record_number(const cJSON *object, const char *key, double *out)
{
	const cJSON *item = record_member(object, key);

	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return false;
	*out = item->valuedouble;
	return true;
}

void record_text(const cJSON *object, const char *key, char *out, size_t capacity)
{
	const cJSON *item = record_member(object, key);
	size_t n = 0;

	if (cJSON_IsString(item) && item->valuestring)
		for (const char *c = item->valuestring; *c && n + 1 < capacity; c++)
			out[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	out[n] = '\0';
}

uint32_t record_u32(const cJSON *object, const char *key)
{
	double value;

	if (!record_number(object, key, &value) || value < 0 || value > 4294967295.0)
		return 0;
	return (uint32_t)value;
}
