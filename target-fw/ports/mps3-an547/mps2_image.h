/*
 * The MPS3 AN547 FPGA image (Cortex-M55 in an SSE-300 subsystem) as QEMU
 * 7.2 models it, for the mps2 port's files. The core starts in Secure
 * state; the port stays there and uses the Secure alias of every address
 * (bit 28 set), which the image's IDAU marks Secure, while the PPCs and
 * MPCs leave every port and block Secure from reset.
 */
#ifndef FW_MPS2_IMAGE_H
#define FW_MPS2_IMAGE_H

#define MPS2_IMAGE_PORT_NAME "mps3-an547"

/* The CPU and SysTick run at 32 MHz, the FPGA's APB peripherals (the
 * UARTs) at 25 MHz. */
#define MPS2_IMAGE_CPU_HZ  32000000u
#define MPS2_IMAGE_UART_HZ 25000000u

/* UART0 at 0x49303000 (non-secure alias), 0x59303000 (Secure). */
#define MPS2_IMAGE_UART0_BASE 0x59303000u
/* Interrupt 34: UART0 receive (33 is its transmit). */
#define MPS2_IMAGE_UART0_RX_IRQ 34u

/* FPGAIO at 0x49302000 (non-secure alias), 0x59302000 (Secure); its LED
 * register carries the window marker. */
#define MPS2_IMAGE_FPGAIO_BASE 0x59302000u

#endif
