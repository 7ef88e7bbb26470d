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

/* Describes a prebuilt ELF (--firmware FILE): hash only, compiler unknown. */
int firmware_describe(const char *elf_path, struct firmware_image *image);

#endif
