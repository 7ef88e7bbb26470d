/*
 * A checker for the unit tests of the planner on compiled images (defined
 * in test_model_inplace.c): walks every step of an image without RESHAPE
 * views and expects no two live arena tensors to share a byte, but an
 * output over the input its in-place op consumes there, at its offset.
 */
#ifndef HB_TEST_IMAGE_WALK_H
#define HB_TEST_IMAGE_WALK_H

#include "model/model_compile.h"

void test_image_walk(const struct compiled_model *compiled);

#endif
