/* The pty relay between a client (the test, holding the pty's other end as
 * a tool would) and a fake board that answers each '%' with a line. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "link/pty_relay.h"
#include "test_line.h"
#include "util/error.h"

struct relay_fake_board {
	struct transport base;
	struct test_line line;
	char received[256];
	size_t received_length;
	size_t replies_to_stop; /* stop the relay once this many reply bytes were read */
	int closed;		/* reads report the end of the stream */
};

static struct relay_fake_board relay_board;
static volatile sig_atomic_t relay_stop;

static int relay_fake_write(struct transport *transport, const uint8_t *data, size_t length,
			    int timeout_ms)
{
	(void)transport;
	(void)timeout_ms;
	for (size_t i = 0; i < length && relay_board.received_length < 255; i++) {
		relay_board.received[relay_board.received_length++] = (char)data[i];
		if (data[i] == '%')
			test_line_append(&relay_board.line, "m-ready\r\n", 9);
	}
	return HB_OK;
}

static int relay_fake_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
			   int timeout_ms)
{
	int status;

	(void)transport;
	if (relay_board.closed)
		return HB_ERR_IO;
	status = test_line_read(&relay_board.line, data, capacity, got, timeout_ms);
	if (relay_board.line.read_total >= relay_board.replies_to_stop)
		relay_stop = 1;
	return status;
}

static const struct transport_driver relay_fake_driver = {
    .name = "fake", .write = relay_fake_write, .read = relay_fake_read};

static void relay_setup(void)
{
	memset(&relay_board, 0, sizeof relay_board);
	relay_board.base.driver = &relay_fake_driver;
	relay_stop = 0;
}

/* Reads what the client end has within a second. */
static size_t client_read(int fd, char *text, size_t capacity)
{
	struct pollfd ready = {.fd = fd, .events = POLLIN};
	size_t length = 0;

	while (length + 1 < capacity && poll(&ready, 1, 1000) > 0) {
		ssize_t got = read(fd, text + length, capacity - 1 - length);
		if (got <= 0)
			break;
		length += (size_t)got;
		if (length >= 18)
			break;
	}
	text[length] = '\0';
	return length;
}

Test(pty_relay, bytes_go_both_ways_unchanged, .init = relay_setup)
{
	struct pty_relay relay;
	char reply[64];
	int client;

	cr_assert_eq(pty_relay_open(&relay), HB_OK);
	client = open(relay.path, O_RDWR | O_NOCTTY);
	cr_assert(client >= 0, "cannot open %s", relay.path);
	/* Raw: a '\n' or a byte above 127 is neither translated nor echoed. */
	cr_assert_eq(write(client, "name%db \x80\n%", 11), 11);
	relay_board.replies_to_stop = 18;
	cr_expect_eq(pty_relay_run(&relay, &relay_board.base, &relay_stop), HB_OK);
	cr_expect_eq(relay_board.received_length, 11);
	cr_expect_eq(memcmp(relay_board.received, "name%db \x80\n%", 11), 0);
	cr_expect_eq(client_read(client, reply, sizeof reply), 18);
	cr_expect_str_eq(reply, "m-ready\r\nm-ready\r\n");
	cr_expect_eq(relay.to_board, 11);
	cr_expect_eq(relay.from_board, 18);
	close(client);
	pty_relay_close(&relay);
}

Test(pty_relay, the_board_closing_its_console_ends_the_relay, .init = relay_setup)
{
	struct pty_relay relay;

	cr_assert_eq(pty_relay_open(&relay), HB_OK);
	relay_board.closed = 1;
	cr_expect_eq(pty_relay_run(&relay, &relay_board.base, &relay_stop), HB_ERR_IO);
	pty_relay_close(&relay);
}
