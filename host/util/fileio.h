/* Whole-file reads and atomic writes (temp file in the same folder, fsync,
 * rename, fsync of the folder), so a result on disk is always either the old
 * or the new complete file, and stays so across a kill or a power cut. */
#ifndef HB_FILEIO_H
#define HB_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole regular file of at most max_bytes, NUL-terminated (the
 * terminator is not counted); `what` names the expected content in the
 * size error ("a board profile"). Caller frees *data. Errors name the path. */
int file_read_all(const char *path, size_t max_bytes, const char *what, uint8_t **data,
		  size_t *length);

/* Writes via PATH.tmp-PID, fsync, rename, fsync of the folder. A kill
 * between the first and the last step can leave PATH.tmp-PID behind; PATH
 * itself is never half written. */
int file_write_atomic(const char *path, const void *data, size_t length);

/* fsyncs the folder that holds path, so a file just created or renamed
 * there keeps its name after a crash. */
int file_sync_parent_dir(const char *path);

/* mkdir -p; existing folders are fine. */
int file_make_dirs(const char *path);

/* Removes a flat scratch folder and the files in it (not recursive: a
 * folder inside is an error, so nothing deeper is ever removed by mistake). */
int file_remove_scratch_dir(const char *path);

#endif
