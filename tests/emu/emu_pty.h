/*
 * The pty every instrument emulator offers its driver: opened raw (a byte
 * 0x0a must not become "\r\n"), non-blocking on the emulator's side, and its
 * path printed as the first line of stdout for the test to open.
 */
#ifndef HB_EMU_PTY_H
#define HB_EMU_PTY_H

/* Returns the master fd, or -1 after a message on stderr naming `program`. */
int emu_pty_open(const char *program);

#endif
