/*
 * What this firmware build is, as set by target-fw/firmware.mk: a hash of
 * its sources and the core it was compiled for. The host compares them with
 * what it expects before trusting any measurement.
 */
#ifndef FW_BUILD_INFO_H
#define FW_BUILD_INFO_H

#include <stdint.h>

/* First 32 bits of the SHA-256 of the firmware sources of this build. */
uint32_t build_id(void);

/* The -mcpu the firmware was compiled for, e.g. "cortex-m4". */
const char *build_core(void);

#endif
