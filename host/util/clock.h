/*
 * The host's one monotonic clock: deadlines, timeouts, wall times and rates.
 * Monotonic so that a clock step (NTP, a suspended laptop) never makes a
 * deadline pass early or a rate come out negative.
 */
#ifndef HB_CLOCK_H
#define HB_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point. */
int64_t clock_now_ms(void);

/* Seconds since an arbitrary fixed point, to the nanosecond. */
double clock_now_seconds(void);

#endif
