/* Builds the benchmark firmware for a board (target-fw/firmware.mk through
 * make, so an unchanged tree is not rebuilt) and describes the result. */
#ifndef HB_FIRMWARE_BUILD_H
#define HB_FIRMWARE_BUILD_H

#include <stdint.h>

#include "config/profile.h"

struct firmware_image {
	char elf_path[512];
	uint32_t crc32;	    /* of the ELF file, identifies the exact binary */
	char compiler[160]; /* first line of `arm-none-eabi-gcc --version` */
};

/* Builds into build/fw/<board id>/firmware.elf under the source root. */
int firmware_build(const struct board_profile *board, struct firmware_image *image);

/* The same with firmware.mk's PROTOCOL set ("eembc": the MLPerf Tiny ASCII
 * protocol), into build/fw/<board id>-<protocol>/. NULL: firmware_build. */
int firmware_build_protocol(const struct board_profile *board, const char *protocol,
			    struct firmware_image *image);

/* What a caller may vary in a build. Each folder holds one variant, so
 * builds of different variants do not undo each other's make state. */
struct firmware_options {
	/* firmware.mk PROTOCOL: "hilbench" or "eembc"; NULL: the default. */
	const char *protocol;
	/* firmware.mk MODEL_NAME, what the eembc build's profile% names
	 * (m-model-[NAME]): kws01, vww01, ic01, ad01 or another name of 1 to
	 * 31 characters from [A-Za-z0-9_-]; NULL: the build's default. */
	const char *model_name;
	/* firmware.mk ENERGY_MODE=1 (eembc only): the reference's energy mode,
	 * timestamps as pulses on the window pin; the folder gains "-energy". */
	int energy_mode;
};

/* Builds into build/fw/<board id>[-<protocol>][-<model name>][-energy]/. A NULL
 * options is firmware_build. A malformed model name is HB_ERR_INPUT before
 * make runs. */
int firmware_build_with(const struct board_profile *board, const struct firmware_options *options,
			struct firmware_image *image);

/* 1 if `name` is a model name firmware.mk accepts, else 0. */
int firmware_model_name_valid(const char *name);

/* Describes a prebuilt ELF (--firmware FILE): hash only, compiler unknown. */
int firmware_describe(const char *elf_path, struct firmware_image *image);

#endif
