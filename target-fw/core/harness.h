/*
 * Marks the benchmark harness's own static buffers (frames, reply cache,
 * UART rings): the linker gathers them into the .harness_bss section, so the
 * host reads from the ELF how much static RAM the harness adds on top of
 * what a deployment of the model would need. Zeroed at boot like .bss.
 */
#ifndef FW_HARNESS_H
#define FW_HARNESS_H

#define HARNESS_BSS __attribute__((section(".bss.harness")))

#endif
