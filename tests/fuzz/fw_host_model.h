/*
 * A tiny device model image written by hand for the host runs of the
 * firmware (fuzz targets, unit tests): one int8 FULLY_CONNECTED layer, 8
 * inputs to 4 outputs, 32 MACs, so a run costs next to nothing. It is
 * written as the host compiler lays an image out (model_image.h) and must
 * pass model_image_check.
 */
#ifndef FW_HOST_MODEL_H
#define FW_HOST_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define FW_HOST_MODEL_INPUT_BYTES  8u
#define FW_HOST_MODEL_OUTPUT_BYTES 4u

/* Writes the image at `region` (4-byte aligned); returns its size, or 0
 * when `capacity` is too small. */
size_t fw_host_model_write(uint8_t *region, size_t capacity);

#endif
