/*
 * The inference-window marker on the MPS2/MPS3 images: LED0 of the FPGAIO
 * block. QEMU models the register (its mps2_fpgaio_write trace event shows
 * each edge) but no pin leaves the emulator, so nothing measures it; the
 * write keeps the marker's cost in the emulated instruction counts the
 * same as on a real part.
 */
#include "cortex_m.h"
#include "mps2.h"
#include "port.h"

#define FPGAIO_LED CORTEX_M_REGISTER(MPS2_IMAGE_FPGAIO_BASE + 0x00u)

void mps2_window_marker_init(void)
{
	FPGAIO_LED = 0u;
}

void port_window_marker(int high)
{
	FPGAIO_LED = high ? 1u : 0u;
}
