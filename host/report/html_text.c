/* The HTML report's one escaper of text. */
#include "report/html_text.h"

void html_put_text(FILE *out, const char *text)
{
	for (const char *c = text; *c; c++)
		switch (*c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*c, out);
		}
}
