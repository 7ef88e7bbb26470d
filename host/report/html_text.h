/* Text from records and files into the HTML report: nothing in it may become markup. */
#ifndef HB_HTML_TEXT_H
#define HB_HTML_TEXT_H

#include <stdio.h>

/* Writes text with &, <, >, " and ' escaped (safe in elements and quoted attributes). */
void html_put_text(FILE *out, const char *text);

#endif
