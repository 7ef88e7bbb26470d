// FUZZ_DEPS: host/flash/elf_size.c host/util/error.c host/util/fileio.c
/*
 * elf_sizes_parse on arbitrary bytes: every offset comes from the input, so
 * this is where an unchecked one would read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "flash/elf_size.h"
#include "util/error.h"

static void fuzz_elf_size_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_sizes sizes;

	hb_log_set_sink(fuzz_elf_size_quiet, NULL);
	if (elf_sizes_parse(data, size, "fuzz.elf", &sizes) == 0) {
		if ((uint64_t)sizes.text + sizes.rodata + sizes.data != sizes.flash ||
		    (uint64_t)sizes.data + sizes.bss != sizes.static_ram)
			__builtin_trap();
	}
	return 0;
}
