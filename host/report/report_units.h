/*
 * The units a user may write after a number for a report column (in
 * --require and in compare's --max-regression), as factors to the column's
 * base unit. '%' is not here: it means a share of capacity or of accuracy in
 * --require and a share of the baseline's value in --max-regression, so
 * each parser gives it its own meaning.
 */
#ifndef HB_REPORT_UNITS_H
#define HB_REPORT_UNITS_H

#include <stdbool.h>

#include "report/report_table.h"

/* The factor from `unit` (case-insensitive; "" for a bare number) to the
 * base unit of columns of this dimension; false when the unit does not fit. */
bool report_unit_factor(enum report_dimension dimension, const char *unit, double *factor);

#endif
