/* The report writers, in one explicit table: adding a format is one line here. */
#include "report/report_writer.h"

#include <stdio.h>
#include <string.h>

static const struct report_writer *const writer_table[] = {
    &report_writer_text,
    &report_writer_markdown,
    &report_writer_csv,
    &report_writer_html,
};

#define WRITER_COUNT (sizeof writer_table / sizeof writer_table[0])

const struct report_writer *report_writer_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (size_t i = 0; i < WRITER_COUNT; i++)
		if (!strcmp(writer_table[i]->extension, dot))
			return writer_table[i];
	return NULL;
}

const struct report_writer *report_writer_find(const char *name)
{
	for (size_t i = 0; i < WRITER_COUNT; i++)
		if (!strcmp(writer_table[i]->name, name))
			return writer_table[i];
	return NULL;
}

void report_writer_extensions(char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < WRITER_COUNT; i++) {
		int n = snprintf(out + used, capacity - used, "%s%s", i ? ", " : "",
				 writer_table[i]->extension);
		if (n < 0 || (size_t)n >= capacity - used)
			return;
		used += (size_t)n;
	}
}
