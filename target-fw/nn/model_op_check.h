/*
 * The second half of model_image_check: each op's kernel parameters held
 * against the tensors it reads and writes, so that an image the checker
 * accepts is safe to run, however it was made: every index the kernel can
 * form stays inside its tensors, and no int32 sum, shift or rescale it
 * computes can overflow (undefined behaviour in C). Portable C99, no I/O;
 * shared by firmware and host. Private to model_image.c and the tests.
 */
#ifndef MODEL_OP_CHECK_H
#define MODEL_OP_CHECK_H

#include <stdint.h>

#include "model_image.h"

/* 1 when `op` (already known to have a valid kind, params size and tensor
 * indices, see model_image.c) has parameters its kernel can run safely on
 * its tensors. */
int model_op_params_ok(const struct model_image_header *header, const struct model_op *op);

/* Inner-loop steps one run of `op` takes by its parameters (about its
 * MACs, or its elements for element-wise ops), for callers that bound the
 * work of an image before running it; 0 for a reshape. Only for an op that
 * passed model_op_params_ok. */
uint64_t model_op_work(const struct model_image_header *header, const struct model_op *op);

#endif
