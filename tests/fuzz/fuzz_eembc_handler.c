/* clang-format off */ // FUZZ_DEPS: tests/fuzz/fw_host_port.c tests/fuzz/fw_host_model.c target-fw/core/eembc_handler.c target-fw/core/model_runner.c target-fw/core/layer_profile.c target-fw/core/stack_paint.c target-fw/proto/crc32.c target-fw/nn/model_image.c target-fw/nn/model_op_check.c target-fw/nn/nn_add_f32.c target-fw/nn/nn_add_s8.c target-fw/nn/nn_avg_pool2d_f32.c target-fw/nn/nn_avg_pool2d_s8.c target-fw/nn/nn_conv2d_f32.c target-fw/nn/nn_conv2d_s8.c target-fw/nn/nn_depthwise_conv2d_f32.c target-fw/nn/nn_depthwise_conv2d_s8.c target-fw/nn/nn_dequantize_s8_f32.c target-fw/nn/nn_fully_connected_f32.c target-fw/nn/nn_fully_connected_s8.c target-fw/nn/nn_max_pool2d_f32.c target-fw/nn/nn_max_pool2d_s8.c target-fw/nn/nn_quantize_f32_s8.c target-fw/nn/nn_softmax_f32.c target-fw/nn/nn_softmax_s8.c -Itests/fuzz -DNN_FAST_KERNELS=1
// clang-format on
/*
 * The firmware's MLPerf Tiny ASCII handler (target-fw/core/eembc_handler.c,
 * the PROTOCOL=eembc build) on the host, fed arbitrary bytes as its UART
 * would deliver them. It must never read or write out of bounds (ASan);
 * it says nothing until a command ends with '%', then answers in printable
 * lines ending "\r\n", the last of them "m-ready". The first input byte
 * says whether the tiny model of fw_host_model.c is in the region.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_host_model.h"
#include "fw_host_port.h"
#include "protocol_handler.h"

#define FUZZ_CHECK(condition)                                                                      \
	do {                                                                                       \
		if (!(condition))                                                                  \
			abort();                                                                   \
	} while (0)

/* Counter reads per input: a few hundred runs of the tiny model. */
#define FUZZ_COUNTER_READS 4000u

static void fuzz_boot(void *argument)
{
	(void)argument;
	protocol_init();
}

static void fuzz_push(void *argument)
{
	protocol_receive_byte(*(const uint8_t *)argument);
}

/* Printable lines, each ending "\r\n", the last one "m-ready". */
static void fuzz_check_answer(const uint8_t *text, size_t length)
{
	static const char ready[] = "m-ready\r\n";

	FUZZ_CHECK(length >= sizeof ready - 1);
	FUZZ_CHECK(memcmp(text + length - (sizeof ready - 1), ready, sizeof ready - 1) == 0);
	for (size_t i = 0; i < length; i++) {
		if (text[i] == '\r') {
			FUZZ_CHECK(i + 1 < length && text[i + 1] == '\n');
			i++;
			continue;
		}
		FUZZ_CHECK(text[i] >= 0x20 && text[i] < 0x7F);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t length;
	const uint8_t *text;

	if (size < 1)
		return 0;
	memset(fw_host_region, 0xFF, FW_HOST_REGION_BYTES);
	memset(fw_host_ram, 0, FW_HOST_RAM_BYTES);
	if (data[0] & 1u)
		FUZZ_CHECK(fw_host_model_write(fw_host_region, FW_HOST_REGION_BYTES) > 0);
	fw_host_reset(FUZZ_COUNTER_READS);
	FUZZ_CHECK(fw_host_run(fuzz_boot, NULL) == FW_HOST_RETURNED);
	text = fw_host_tx(&length);
	fuzz_check_answer(text, length); /* the boot banner */
	fw_host_tx_take();
	for (size_t i = 1; i < size; i++) {
		enum fw_host_end end = fw_host_run(fuzz_push, (void *)&data[i]);

		if (end == FW_HOST_OVER_BUDGET)
			break;
		FUZZ_CHECK(end == FW_HOST_RETURNED);
		text = fw_host_tx(&length);
		if (data[i] == '%')
			fuzz_check_answer(text, length);
		else
			FUZZ_CHECK(length == 0);
		fw_host_tx_take();
	}
	return 0;
}
