/*
 * The MPS2 AN505 FPGA image (Cortex-M33 in an IoT Kit subsystem) as QEMU
 * 7.2 models it, for the mps2 port's files. The core starts in Secure
 * state; the port stays there and uses the Secure alias of every address
 * (bit 28 set), which the image's IDAU marks Secure, while the PPCs and
 * MPCs leave every port and block Secure from reset.
 */
#ifndef FW_MPS2_IMAGE_H
#define FW_MPS2_IMAGE_H

#define MPS2_IMAGE_PORT_NAME "mps2-an505"

/* SYSCLK: the CPU, SysTick and the APB peripherals all run at 20 MHz. */
#define MPS2_IMAGE_CPU_HZ  20000000u
#define MPS2_IMAGE_UART_HZ 20000000u

/* UART0 at 0x40200000 (non-secure alias), 0x50200000 (Secure). */
#define MPS2_IMAGE_UART0_BASE 0x50200000u
/* Interrupt 33: UART0 receive (32 is its transmit). */
#define MPS2_IMAGE_UART0_RX_IRQ 33u

/* FPGAIO at 0x40302000 (non-secure alias), 0x50302000 (Secure); its LED
 * register carries the window marker. */
#define MPS2_IMAGE_FPGAIO_BASE 0x50302000u

#endif
