#include <criterion/criterion.h>
#include <stdint.h>

#include "util/grow.h"

Test(grow, keeps_the_array_while_it_has_room_then_doubles)
{
	size_t capacity = 0;
	int *array = NULL;

	for (size_t count = 0; count < 40; count++) {
		int *grown = grow_array(array, &capacity, count, sizeof *array, 4);
		cr_assert_not_null(grown);
		cr_assert_gt(capacity, count);
		array = grown;
		array[count] = (int)count;
	}
	cr_assert_eq(capacity, 64);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(array[i], i);
	cr_assert_eq(grow_array(array, &capacity, 63, sizeof *array, 4), array);
	free(array);
}

Test(grow, refuses_a_size_that_overflows_and_leaves_the_array)
{
	size_t capacity = SIZE_MAX / 8 + 1;
	char *array = malloc(1);

	cr_assert_not_null(array);
	*array = 'x';
	cr_assert_null(grow_array(array, &capacity, capacity, 4, 4));
	cr_assert_eq(capacity, SIZE_MAX / 8 + 1);
	cr_assert_eq(*array, 'x');
	free(array);
}
