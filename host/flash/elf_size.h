/*
 * Sizes read from a 32-bit little-endian ARM ELF executable's section
 * headers: what the firmware costs in flash and static RAM. The file is
 * treated as untrusted: every offset and count is checked before use.
 */
#ifndef HB_ELF_SIZE_H
#define HB_ELF_SIZE_H

#include <stddef.h>
#include <stdint.h>

struct elf_sizes {
	uint32_t text;	     /* executable allocated sections (incl. vectors) */
	uint32_t rodata;     /* read-only allocated data (incl. .ARM.exidx) */
	uint32_t data;	     /* writable initialised data (also stored in flash) */
	uint32_t bss;	     /* writable zero-initialised data, excluding the stack and heap */
	uint32_t stack;	     /* a section named .stack, if the linker script reserves one */
	uint32_t flash;	     /* text + rodata + data */
	uint32_t static_ram; /* data + bss */
	uint32_t
	    harness_bss; /* of bss: the section .harness_bss, the benchmark harness's own buffers */
	uint32_t entry;
};

int elf_sizes_parse(const uint8_t *image, size_t length, const char *name, struct elf_sizes *out);
int elf_sizes_read(const char *path, struct elf_sizes *out);

#endif
