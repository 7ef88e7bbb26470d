/* The emulators' pty (emu_pty.h). */
#include "emu_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int emu_pty_open(const char *program)
{
	struct termios mode;
	const char *name;
	int master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    !(name = ptsname(master))) {
		fprintf(stderr, "%s: cannot open a pseudo-terminal: %s\n", program,
			strerror(errno));
		return -1;
	}
	/* Raw mode outlives this open: the settings belong to the pty, not the fd. */
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &mode) != 0) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", program, name, strerror(errno));
		return -1;
	}
	cfmakeraw(&mode);
	tcsetattr(slave, TCSANOW, &mode);
	close(slave);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	printf("%s\n", name);
	fflush(stdout);
	return master;
}
