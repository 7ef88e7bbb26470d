/* The model names firmware.mk's MODEL_NAME accepts, checked on the host
 * before make runs, so a bad --model-name fails with the option named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "flash/firmware_build.h"
#include "util/error.h"

Test(firmware_build, model_names_of_the_reference_and_others_are_valid)
{
	const char *const names[] = {"kws01", "vww01",	    "ic01",
				     "ad01",  "my_model-2", "abcdefghijklmnopqrstuvwxyz01234"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		cr_expect(firmware_model_name_valid(names[i]), "'%s' refused", names[i]);
}

Test(firmware_build, malformed_model_names_are_refused)
{
	const char *const names[] = {
	    "",	   "kws 01", "kws'01",	 "a$b",	 "a%b",
	    "a/b", "a\"b",   "\xc3\xa9", "a\nb", "abcdefghijklmnopqrstuvwxyz012345"};

	cr_expect_not(firmware_model_name_valid(NULL));
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		cr_expect_not(firmware_model_name_valid(names[i]), "'%s' accepted", names[i]);
}

static char build_message[512];

static void build_sink(enum hb_level level, const char *message, void *context)
{
	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(build_message, sizeof build_message, "%s", message);
}

Test(firmware_build, a_malformed_model_name_stops_the_build_before_make)
{
	struct board_profile board;
	struct firmware_image image;
	const struct firmware_options options = {.protocol = "eembc", .model_name = "kws 01"};

	memset(&board, 0, sizeof board);
	strcpy(board.id, "no-such-board");
	hb_log_set_sink(build_sink, NULL);
	cr_expect_eq(firmware_build_with(&board, &options, &image), HB_ERR_INPUT);
	hb_log_set_sink(NULL, NULL);
	cr_expect(strstr(build_message, "model name 'kws 01' is malformed"), "message: %s",
		  build_message);
}
