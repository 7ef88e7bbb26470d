/*
 * What differs between the MPS2/MPS3 FPGA images that share this port's
 * files: clocks, where UART0 sits and its receive interrupt. This one
 * describes AN385, AN386 and AN500; a port that reuses the mps2 files for
 * another image (its port.mk) puts its own mps2_image.h first on the
 * include path.
 */
#ifndef FW_MPS2_IMAGE_H
#define FW_MPS2_IMAGE_H

#define MPS2_IMAGE_PORT_NAME "mps2"

/* QEMU clocks the CPU, SysTick and the UARTs of these images at 25 MHz. */
#define MPS2_IMAGE_CPU_HZ  25000000u
#define MPS2_IMAGE_UART_HZ 25000000u

#define MPS2_IMAGE_UART0_BASE 0x40004000u
/* UART0's receive interrupt (IRQ 0 on these images). */
#define MPS2_IMAGE_UART0_RX_IRQ 0u

/* The FPGAIO block, whose LED register carries the window marker. */
#define MPS2_IMAGE_FPGAIO_BASE 0x40028000u

#endif
