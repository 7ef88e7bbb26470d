/*
 * The device-image checker's second half (model_op_check.c): an image
 * whose op parameters lie about its tensors, or could overflow the int32
 * arithmetic of a kernel, is refused with MODEL_CHECK_BAD_OP even with a
 * correct CRC; the same image unchanged passes. On the tiny
 * FULLY_CONNECTED image of tests/fuzz/fw_host_model.c.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "crc32.h"
#include "model_image.h"
#include "nn_params.h"
#include "../fuzz/fw_host_model.h"

static _Alignas(16) uint8_t op_check_image[1024];
static size_t op_check_size;

static struct model_image_header op_check_header(void)
{
	struct model_image_header header;

	memcpy(&header, op_check_image, sizeof header);
	return header;
}

static struct model_op op_check_op(void)
{
	struct model_op op;

	memcpy(&op, op_check_image + op_check_header().ops_offset, sizeof op);
	return op;
}

static struct nn_fc_params *op_check_params(void)
{
	return (struct nn_fc_params *)(void *)(op_check_image + op_check_op().params_offset);
}

/* Word i of tensor `index`'s constant data. */
static int32_t *op_check_constant(uint32_t index, uint32_t i)
{
	struct model_image_header header = op_check_header();
	struct model_tensor tensor;

	memcpy(&tensor, op_check_image + header.tensors_offset + index * sizeof tensor,
	       sizeof tensor);
	return (int32_t *)(void *)(op_check_image + tensor.offset) + i;
}

/* Recomputes the CRC, as a tool writing a lying image would. */
static enum model_check op_check_sealed(void)
{
	struct model_image_header header = op_check_header();

	header.crc32 =
	    crc32_compute(op_check_image + sizeof header, header.image_size - sizeof header);
	memcpy(op_check_image, &header, sizeof header);
	return model_image_check(op_check_image, op_check_size, 4096);
}

static void op_check_init(void)
{
	memset(op_check_image, 0, sizeof op_check_image);
	op_check_size = fw_host_model_write(op_check_image, sizeof op_check_image);
	cr_assert_gt(op_check_size, 0);
}

TestSuite(model_op_check, .init = op_check_init);

Test(model_op_check, the_image_as_written_passes)
{
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_OK);
}

Test(model_op_check, more_inputs_than_the_input_tensor_holds_are_refused)
{
	op_check_params()->input_count = FW_HOST_MODEL_INPUT_BYTES + 1;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, more_outputs_than_the_output_tensor_holds_are_refused)
{
	op_check_params()->output_count = FW_HOST_MODEL_OUTPUT_BYTES + 1;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, batches_past_the_tensors_are_refused)
{
	op_check_params()->batches = 2;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, a_shift_past_31_bits_is_refused)
{
	/* Tensor 4 is the rescale: multipliers, then shifts. */
	*op_check_constant(4, FW_HOST_MODEL_OUTPUT_BYTES + 2) = -32;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
	*op_check_constant(4, FW_HOST_MODEL_OUTPUT_BYTES + 2) = -31;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_OK);
}

Test(model_op_check, a_bias_that_can_overflow_the_accumulator_is_refused)
{
	/* 8 products of at most 128 x (1 + 128) reach 132 096 past the bias. */
	*op_check_constant(3, 1) = 2147483647 - 132096;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_OK);
	*op_check_constant(3, 1) = 2147483647 - 132095;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, a_rescale_that_overflows_with_the_output_offset_is_refused)
{
	/* A left shift of 31 saturates every sum; plus the output offset it would overflow. */
	*op_check_constant(4, FW_HOST_MODEL_OUTPUT_BYTES) = 31;
	*op_check_constant(4, 0) = 2147483647;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, offsets_and_clamps_outside_int8_are_refused)
{
	op_check_params()->input_offset = 129;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
	op_check_params()->input_offset = 1;
	op_check_params()->output_offset = 128;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
	op_check_params()->output_offset = 0;
	op_check_params()->activation_max = 128;
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

Test(model_op_check, an_int8_op_without_its_rescale_is_refused)
{
	struct model_op op = op_check_op();

	op.input_count = 3;
	op.inputs[3] = MODEL_NO_TENSOR;
	memcpy(op_check_image + op_check_header().ops_offset, &op, sizeof op);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
}

/* The header's flags word (tensor 0 is the input, 1 the output). */
static void op_check_set_flags(uint32_t flags)
{
	struct model_image_header header = op_check_header();

	header.flags = flags;
	memcpy(op_check_image, &header, sizeof header);
}

static void op_check_move_tensor(uint32_t index, uint32_t offset)
{
	struct model_image_header header = op_check_header();
	struct model_tensor tensor;
	uint8_t *record = op_check_image + header.tensors_offset + index * sizeof tensor;

	memcpy(&tensor, record, sizeof tensor);
	tensor.offset = offset;
	memcpy(record, &tensor, sizeof tensor);
}

Test(model_op_check, flags_it_does_not_know_are_refused)
{
	op_check_set_flags(MODEL_IMAGE_INPUT_IN_ARENA);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_OK, "the output lies beside the kept input");
	op_check_set_flags(0x2u);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_VERSION);
}

Test(model_op_check, a_fully_connected_output_over_its_input_is_refused)
{
	/* The kernel reads the whole input row for every output: any overlap
	 * (here bytes 4-7, then all of them) would feed it its own results. */
	op_check_move_tensor(1, 4);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
	op_check_move_tensor(1, 0);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_BAD_OP);
	op_check_move_tensor(1, 8);
	cr_expect_eq(op_check_sealed(), MODEL_CHECK_OK);
}
