/*
 * port_reset for every Cortex-M port: a system reset request through the
 * SCB, which resets core and peripherals as the reset pin does (QEMU's
 * MPS2 and netduinoplus2 machines reset and reload their images; they
 * would exit instead only under -no-reboot, which hilbench does not pass).
 * port_reset_cause defaults to "unknown"; a port whose chip keeps reset
 * flags (RCC_CSR, RESETREAS) defines its own.
 */
#include "cortex_m.h"
#include "port.h"

void port_reset(void)
{
	cortex_m_dsb();
	SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
	cortex_m_dsb();
	for (;;) {
	}
}

__attribute__((weak)) uint8_t port_reset_cause(void)
{
	return 0; /* MSG_RESET_CAUSE_UNKNOWN */
}
