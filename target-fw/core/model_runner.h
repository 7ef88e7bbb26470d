/*
 * The model the firmware runs: the device image in the board's model region
 * (linker symbols __model_start/__model_end), checked once at boot, and the
 * RAM after .bss (__arena_start to __arena_end) split into the planned arena
 * and a copy of the input that each run starts from, unless the image keeps
 * its input alive in the arena (MODEL_IMAGE_INPUT_IN_ARENA): the input is
 * then received straight into its tensor and no copy is made.
 */
#ifndef FW_MODEL_RUNNER_H
#define FW_MODEL_RUNNER_H

#include <stdint.h>

#include "model_image.h"

/* Checks the image; returns the enum model_check result (also kept). */
enum model_check model_runner_init(void);

enum model_check model_runner_status(void);

/* 1 while the image's bytes still match the CRC in its header (checked
 * at boot): the host's INVOKE checks it before each batch of runs, since
 * flash can change under a firmware that runs for days. 0 without a model. */
int model_runner_image_intact(void);
const struct model_image_header *model_runner_header(void); /* NULL unless OK */

/* The input and output tensors as the boot check found them (copies in
 * RAM, so later changes to the image do not move them); NULL without a
 * model. */
const struct model_tensor *model_runner_input_tensor(void);
const struct model_tensor *model_runner_output_tensor(void);

/* Where MSG_INPUT_WRITE bytes go (the copy above the arena, or the input
 * tensor itself when the image keeps it in the arena), and how many fit. */
uint8_t *model_runner_input(void);
uint32_t model_runner_input_length(void);
/* Bytes of RAM above the arena the input copy takes (4-byte aligned): 0
 * when the input is kept in the arena, or without a model. */
uint32_t model_runner_input_staging(void);
const uint8_t *model_runner_output(void);
uint32_t model_runner_output_length(void);

/* The RAM above the arena and the input copy that no run touches (4-byte aligned), for a
 * protocol's own buffers; *length 0 (and NULL) without a model. */
uint8_t *model_runner_spare(uint32_t *length);

/* Bytes of RAM for the arena plus the input copy. */
uint32_t model_runner_arena_capacity(void);
uint32_t model_runner_region_origin(void);
uint32_t model_runner_region_size(void);

/* Fills the arena with a known word so model_runner_arena_used() can find
 * how much of it the runs wrote; a kept input's words keep the input. */
void model_runner_paint_arena(void);
uint32_t model_runner_arena_used(void);

/* Copies the input into the arena (untimed; not for a kept input), then
 * runs the graph; returns the counter ticks the graph took. */
uint64_t model_runner_invoke(void);

/* The same, with the counter read between ops too (layer_profile.h): returns
 * the ops' summed ticks, read cost included, and keeps each op's. */
uint64_t model_runner_invoke_profiled(void);

#endif
