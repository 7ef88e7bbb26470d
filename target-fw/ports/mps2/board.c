/*
 * ARM MPS2 (AN385, AN386, AN500; other images through mps2_image.h) as QEMU
 * emulates it. The clocks need no set-up; timing comes from SysTick because
 * QEMU does not model the DWT.
 */
#include "mps2.h"
#include "port.h"

void port_init(void)
{
	mps2_uart_init();
	mps2_counter_init();
	mps2_window_marker_init();
}

uint32_t port_clock_hz(void)
{
	return MPS2_CLOCK_HZ;
}

const char *port_name(void)
{
	return MPS2_IMAGE_PORT_NAME;
}

/* QEMU's MPS2 and MPS3 machines back the code and model region with RAM
 * (SSRAM1, or the AN547's ITCM) loaded by -device loader, so the firmware
 * can damage its image there for MSG_DEBUG_CORRUPT; a restart reloads it. */
int port_model_region_writable(void)
{
	return 1;
}
