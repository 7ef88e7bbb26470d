/*
 * The lab map: which boards are attached to this host, a JSON file kept
 * out of the repository (docs/boards.md#the-lab-map), like Zephyr's
 * hardware map. Each instance names a board profile (the facts of its
 * kind) and the facts of this one board: its probe's kind and serial
 * number, its console port and, optionally, the command that switches its
 * power off and on (an argv array, the recovery's last resort). Validated once, against the
 * profiles, into struct lab_map; every problem names the file and the field.
 */
#ifndef HB_LAB_MAP_H
#define HB_LAB_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/profile.h"

#define LAB_MAP_SCHEMA 1

struct lab_instance {
	char id[64];	  /* "nucleo-l4r5zi-1": what --board names */
	char profile[64]; /* a board profile id */
	bool has_probe;	  /* emulated boards have none */
	char probe_kind[24];
	char probe_serial[64];
	char console[256]; /* serial port or host:port; "" for emulated boards */
	/* "power_cycle" (optional, real boards): the argv that cuts and
	 * restores the board's power; count 0 when not given. */
	struct profile_power_cycle power_cycle;
};

struct lab_map {
	char path[512];
	struct lab_instance *boards;
	size_t count;
};

/* Validates text against the profiles (an instance's profile must be one
 * of them). Errors name `path` and the field, e.g. "boards[1].console". */
int lab_map_parse(const char *text, size_t length, const char *path,
		  const struct board_profile *profiles, size_t profile_count, struct lab_map *out);

/* Reads path and validates it against the profiles in boards_dir. */
int lab_map_load(const char *path, const char *boards_dir, struct lab_map *out);

void lab_map_release(struct lab_map *map);

const struct lab_instance *lab_map_find(const struct lab_map *map, const char *id);

/* The profile for --board `id`: without a lab map (lab_path NULL), the
 * profile of that id; with one, the instance of that id, its profile
 * carrying the instance's console and probe (board->instance). An id the
 * map does not list may still name an emulated board's profile (it has no
 * device facts); any other is an error naming the map and its ids. */
int lab_board_resolve(const char *lab_path, const char *boards_dir, const char *id,
		      struct board_profile *out);

#endif
