/*
 * port_model_region_writable for every port that does not say otherwise:
 * a real board's model region is flash, which the firmware never writes
 * (MSG_DEBUG_CORRUPT is refused there). The emulated MPS2 family defines
 * its own (ports/mps2/board.c).
 */
#include "port.h"

__attribute__((weak)) int port_model_region_writable(void)
{
	return 0;
}
