/* clang-format off */ // FUZZ_DEPS: host/lab/lab_map.c host/lab/lab_probe.c host/lab/lab_recording.c host/lab/lab_enum.c host/lab/lab_source_usb.c host/lab/lab_detect.c host/lab/lab_init.c host/config/profile.c host/link/transport.c host/link/transport_serial.c host/link/transport_tcp.c host/flash/flasher.c host/flash/flasher_qemu.c host/flash/flasher_openocd.c host/util/spawn.c host/util/clock.c host/util/paths.c host/util/json_read.c host/util/error.c host/util/fileio.c
// clang-format on
/*
 * The lab map and the recorded enumeration on arbitrary bytes, against the
 * shipped profiles: both must reject (never crash on, never read past)
 * anything. What the map accepts holds terminated strings and unique ids;
 * a recording that parses goes through detection and lab init, whose
 * draft is parsed back as a lab map.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "lab/lab_detect.h"
#include "lab/lab_init.h"
#include "lab/lab_map.h"
#include "util/error.h"

static void fuzz_lab_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static struct board_profile *fuzz_lab_profiles;
static size_t fuzz_lab_profile_count;

static void fuzz_lab_check_map(const struct lab_map *map)
{
	for (size_t i = 0; i < map->count; i++) {
		const struct lab_instance *board = &map->boards[i];

		if (!memchr(board->id, '\0', sizeof board->id) || !board->id[0] ||
		    !memchr(board->console, '\0', sizeof board->console) ||
		    lab_map_find(map, board->id) != board)
			__builtin_trap();
	}
}

static void fuzz_lab_recording(const uint8_t *data, size_t size)
{
	struct lab_enumeration enumeration;
	struct lab_detection detection;
	struct lab_map map;
	size_t placeholders;
	char *text;

	if (lab_recording_parse((const char *)data, size, "rec.json", &enumeration) != HB_OK)
		return;
	if (lab_detect(&enumeration, fuzz_lab_profiles, fuzz_lab_profile_count, &detection) ==
	    HB_OK) {
		text = lab_init_text(&detection, fuzz_lab_profiles, fuzz_lab_profile_count,
				     &placeholders);
		if (text && lab_map_parse(text, strlen(text), "lab.json", fuzz_lab_profiles,
					  fuzz_lab_profile_count, &map) == HB_OK) {
			fuzz_lab_check_map(&map);
			lab_map_release(&map);
		}
		free(text);
		lab_detection_release(&detection);
	}
	lab_enumeration_release(&enumeration);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_map map;
	size_t invalid;

	hb_log_set_sink(fuzz_lab_quiet, NULL);
	if (!fuzz_lab_profiles && profile_list(HB_SOURCE_ROOT "/boards", &fuzz_lab_profiles,
					       &fuzz_lab_profile_count, &invalid) != HB_OK)
		__builtin_trap();
	if (lab_map_parse((const char *)data, size, "lab.json", fuzz_lab_profiles,
			  fuzz_lab_profile_count, &map) == HB_OK) {
		fuzz_lab_check_map(&map);
		lab_map_release(&map);
	}
	fuzz_lab_recording(data, size);
	return 0;
}
