#include "build_info.h"

/* Only this file sees the values, so a new build id recompiles one file. */
#ifndef HB_BUILD_ID
#error "HB_BUILD_ID is not set: build the firmware with target-fw/firmware.mk"
#endif
#ifndef HB_CORE
#error "HB_CORE is not set: build the firmware with target-fw/firmware.mk"
#endif

uint32_t build_id(void)
{
	return (uint32_t)HB_BUILD_ID;
}

const char *build_core(void)
{
	return HB_CORE;
}
