/*
 * Board profiles: boards/<id>.json parsed with cJSON into a typed struct.
 *
 * The raw JSON is validated once here (every field's type and range,
 * unknown fields rejected with a did-you-mean) and nothing downstream
 * looks at JSON again. Errors name the file, the field and what was
 * expected. docs/boards.md describes the format.
 */
#ifndef HB_PROFILE_H
#define HB_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_SCHEMA_VERSION 1
#define PROFILE_MAX_NOTES      8

enum profile_counter {
	PROFILE_COUNTER_DWT,		       /* "dwt" */
	PROFILE_COUNTER_SYSTICK,	       /* "systick" */
	PROFILE_COUNTER_EMULATED_INSTRUCTIONS, /* "emulated-instructions" */
};

enum profile_verified {
	PROFILE_VERIFIED_EMULATED,     /* "emulated" */
	PROFILE_VERIFIED_COMPILE_ONLY, /* "compile-only" */
	PROFILE_VERIFIED_HARDWARE,     /* "hardware" */
};

struct profile_region {
	uint32_t origin;
	uint32_t size;
};

/* Datasheet figures that modelled energy multiplies by the counted time
 * (docs/energy.md): the run current of a real chip, the one this profile is
 * or stands for, at a stated clock. */
struct profile_energy_model {
	bool present;
	char chip[64];	       /* "nRF51822": whose datasheet the figures come from */
	double supply_v;       /* the datasheet's VDD for the figure */
	double run_current_ma; /* typical run current, code from flash, at at_clock_hz */
	uint32_t at_clock_hz;
	char datasheet[256]; /* document, revision and table the figure is from */
};

/* The limits a model must fit and the clock its latency is derived at: the
 * profile's own, or, for an emulated stand-in ("emulates"), those of the real
 * board it stands for, read from that board's profile. */
struct profile_limits {
	char board_id[64]; /* whose limits these are: this profile or the emulated board */
	char board_name[128];
	uint32_t clock_hz;
	struct profile_region flash;
	struct profile_region ram;
	struct profile_region model;
};

/* A lab map instance's power switch (lab/lab_map.h): the command that cuts
 * and restores the board's power (uhubctl on a USB hub port, a relay's
 * tool), run as an argv, never through a shell; the recovery's last resort
 * for a board its flasher cannot reset (run/recovery.h). count 0: none. */
#define PROFILE_POWER_CYCLE_MAX_ARGS  16
#define PROFILE_POWER_CYCLE_ARG_CHARS 128
struct profile_power_cycle {
	char args[PROFILE_POWER_CYCLE_MAX_ARGS][PROFILE_POWER_CYCLE_ARG_CHARS];
	uint32_t count;
};

struct board_profile {
	char path[512]; /* the file it was read from, for messages */
	char id[64];	/* must equal the file name without .json */
	char name[128];
	char core[32]; /* cortex-m0, -m0plus, -m3, -m4, -m7, -m33, -m55 */
	char fpu[32];  /* "none" or a -mfpu value such as fpv4-sp-d16 */
	bool dsp;
	uint32_t clock_hz;
	struct profile_region flash;
	struct profile_region ram;
	struct profile_region model; /* inside flash: where model images are loaded */
	char port[32];		     /* folder under target-fw/ports/ */
	struct {
		char driver[16];	 /* "qemu" or "openocd" */
		char machine[64];	 /* qemu: -M value */
		char interface_cfg[128]; /* openocd: -f interface/... */
		char target_cfg[128];	 /* openocd: -f target/... or board/... */
	} flasher;
	struct {
		char transport[16]; /* a transport driver, or an emulating flasher's name */
		char device[256];   /* serial: /dev/tty...; tcp: host:port */
		uint32_t baud;
	} console;
	enum profile_counter counter;
	enum profile_verified verified;
	struct {
		struct profile_energy_model model;
		/* Real boards: the header pin the firmware raises during the timed
		 * runs, to wire to a meter's logic input ("" when not given). */
		char window_pin[64];
	} energy;
	/* An emulated board standing in for a real one: the real board's id
	 * ("" when the profile stands for itself) and that board's limits, read
	 * from its profile; the counts still come from the emulator. Read them
	 * through profile_limits(). */
	char emulates[64];
	/* "deadline" (optional): what replaces link/deadline.h's defaults for
	 * this board's request deadlines (docs/reliability.md). */
	struct {
		bool given;
		bool have_margin, have_min_ms, have_units_per_mac;
		double margin;	      /* x the counted work, >= 1 */
		uint32_t min_ms;      /* floor, 10 .. 3600000 */
		double units_per_mac; /* the bound before a count, > 0 */
	} deadline;
	struct profile_limits stands_for;
	/* Why a fact is what it is ("notes": field name -> reason), e.g. the
	 * baud: the fastest the board's USB bridge carries. */
	struct profile_note {
		char field[32];
		char text[256];
	} notes[PROFILE_MAX_NOTES];
	size_t note_count;
	/* Set when the board was named by a lab map instance (lab/lab_map.h):
	 * which physical board, its probe and its power switch; all "" (and
	 * no power switch) otherwise. */
	struct {
		char id[64];
		char probe_kind[24];
		char probe_serial[64];
		struct profile_power_cycle power_cycle;
	} instance;
};

/* Parses JSON text; `path` is used in messages and stored, and its folder is
 * where the profile an "emulates" field names is looked up. */
int profile_parse(const char *text, size_t length, const char *path, struct board_profile *out);

/* Reads and parses one file. */
int profile_load(const char *path, struct board_profile *out);

/* Loads boards_dir/<id>.json; an unknown id lists the ids that exist. */
int profile_find(const char *boards_dir, const char *id, struct board_profile *out);

/* Loads every *.json in boards_dir, sorted by id. Invalid files are reported
 * and skipped (count of them in *invalid). Caller frees *profiles. */
int profile_list(const char *boards_dir, struct board_profile **profiles, size_t *count,
		 size_t *invalid);

const char *profile_counter_name(enum profile_counter counter);
/* The counter named so in profiles and records, or -1. */
int profile_counter_from_name(const char *name);
const char *profile_verified_name(enum profile_verified verified);

/* The limits a model must fit on `board` and the clock its latency is
 * derived at: the board's own, or a stand-in's real board's. */
struct profile_limits profile_limits(const struct board_profile *board);

/* The note on `field` ("console.baud"), or NULL. */
const char *profile_note(const struct board_profile *board, const char *field);

/* What a listing or record says of an emulated stand-in, e.g. "emulated
 * stand-in for nucleo-l4r5zi: limits from its profile, counts from QEMU";
 * "" for a board that stands for itself. */
void profile_stand_in_label(const struct board_profile *board, char *out, size_t capacity);

#endif
