/* clang-format off */ // FUZZ_DEPS: host/config/profile.c host/link/transport.c host/link/transport_serial.c host/link/transport_tcp.c host/flash/flasher.c host/flash/flasher_qemu.c host/flash/flasher_openocd.c host/util/spawn.c host/util/clock.c host/util/paths.c host/util/json_read.c host/util/error.c host/util/fileio.c
// clang-format on
/*
 * profile_parse on arbitrary bytes: it must reject (never crash on, never
 * read past) anything, and what it accepts must hold terminated strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/error.h"
#include "config/profile.h"

static void fuzz_profile_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board_profile profile;

	hb_log_set_sink(fuzz_profile_quiet, NULL);
	if (profile_parse((const char *)data, size, "boards/fuzz.json", &profile) == HB_OK) {
		/* Accepted profiles obey the rules the rest of the host relies on. */
		if (strcmp(profile.id, "fuzz") != 0 || profile.clock_hz == 0 ||
		    memchr(profile.name, '\0', sizeof profile.name) == NULL ||
		    memchr(profile.console.device, '\0', sizeof profile.console.device) == NULL ||
		    (uint64_t)profile.flash.origin + profile.flash.size > (uint64_t)1 << 32)
			__builtin_trap();
	}
	return 0;
}
