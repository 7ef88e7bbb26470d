/*
 * The RP2040's second-stage boot (boot2) for a W25Q080-family QSPI flash
 * (the Pico's W25Q16JV answers the same commands): sets the XIP SSI to
 * serial Fast Read (0Bh, 24-bit address, 8 dummy clocks) at clk_sys / 2,
 * then enters the image's vector table at 0x10000100.
 *
 * The bootrom copies the first 256 bytes of flash to SRAM at 0x20041f00,
 * checks the CRC-32 of the first 252 against the last 4 and jumps here with
 * lr 0; a caller with a return address gets it back instead. RP2040
 * datasheet 2.8.1 (boot sequence) and 4.10.13 (SSI registers); the CRC is
 * added at build time by boot2_checksum.c. Quad reads would be faster but
 * need the flash's QE bit set; serial Fast Read works on every part.
 */
	.syntax unified
	.cpu cortex-m0plus
	.thumb

	.equ XIP_SSI_BASE,	0x18000000
	.equ SSI_CTRLR0,	0x00
	.equ SSI_CTRLR1,	0x04
	.equ SSI_SSIENR,	0x08
	.equ SSI_BAUDR,		0x14
	.equ SSI_RX_SAMPLE_DLY,	0xf0
	.equ SSI_SPI_CTRLR0,	0xf4

	/* 32-bit frames (DFS_32 31), EEPROM read mode (TMOD 3), standard SPI. */
	.equ CTRLR0_XIP,	(31 << 16) | (3 << 8)
	/* XIP command 0Bh, 8 wait cycles, 8-bit instruction (INST_L 2), 24-bit
	 * address (ADDR_L 6, in 4-bit units), instruction and address on one
	 * line (TRANS_TYPE 0). */
	.equ SPI_CTRLR0_XIP,	(0x0b << 24) | (8 << 11) | (2 << 8) | (6 << 2)
	/* clk_sys / 2: 62.5 MHz at the 125 MHz the firmware sets, within the
	 * W25Q080's Fast Read limit; the data is sampled a clk_sys later. */
	.equ SSI_CLOCK_DIVIDER,	2

	.equ VTOR,		0xe000ed08
	.equ IMAGE_VECTORS,	0x10000100

	.section .text.boot2, "ax"
	.global boot2_entry
	.type boot2_entry, %function
boot2_entry:
	push	{lr}
	ldr	r3, =XIP_SSI_BASE
	movs	r1, #0
	str	r1, [r3, #SSI_SSIENR]	/* configurable only while disabled */
	movs	r1, #SSI_CLOCK_DIVIDER
	str	r1, [r3, #SSI_BAUDR]
	movs	r1, #1
	movs	r2, #SSI_RX_SAMPLE_DLY
	str	r1, [r3, r2]
	ldr	r1, =CTRLR0_XIP
	str	r1, [r3, #SSI_CTRLR0]
	ldr	r1, =SPI_CTRLR0_XIP
	movs	r2, #SSI_SPI_CTRLR0
	str	r1, [r3, r2]
	movs	r1, #0
	str	r1, [r3, #SSI_CTRLR1]	/* one 32-bit frame per XIP access */
	movs	r1, #1
	str	r1, [r3, #SSI_SSIENR]

	pop	{r0}
	cmp	r0, #0
	beq	enter_image
	bx	r0
enter_image:
	ldr	r0, =IMAGE_VECTORS
	ldr	r1, =VTOR
	str	r0, [r1]
	ldmia	r0, {r0, r1}	/* initial stack pointer, reset handler */
	msr	msp, r0
	bx	r1
	.ltorg
