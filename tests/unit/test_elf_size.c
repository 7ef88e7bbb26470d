/* elf_sizes_parse on ELF images built in memory: each section class and each
 * rejected header, so the reader never trusts an offset it has not checked. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/elf_size.h"
#include "util/error.h"

#define ELF_TEST_PROGBITS   1
#define ELF_TEST_STRTAB	    3
#define ELF_TEST_NOBITS	    8
#define ELF_TEST_INIT_ARRAY 14
#define ELF_TEST_ARM_EXIDX  0x70000001
#define ELF_TEST_W	    0x1
#define ELF_TEST_A	    0x2
#define ELF_TEST_X	    0x4

struct elf_test_section {
	const char *name;
	uint32_t type;
	uint32_t flags;
	uint32_t size;
};

struct elf_test_image {
	uint8_t *bytes;
	size_t length;
	uint32_t section_offset; /* where the section header table starts */
	uint32_t string_offset;	 /* where .shstrtab's bytes start */
	uint32_t string_size;
};

static char elf_test_log[4096];

static void elf_test_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(elf_test_log);
	(void)level;
	(void)context;
	snprintf(elf_test_log + used, sizeof elf_test_log - used, "%s\n", message);
}

static void elf_test_setup(void)
{
	elf_test_log[0] = '\0';
	hb_log_set_sink(elf_test_sink, NULL);
}

static void elf_test_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

static void elf_test_put16(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
}

static void elf_test_put32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static void elf_test_section_header(uint8_t *p, uint32_t name, uint32_t type, uint32_t flags,
				    uint32_t offset, uint32_t size)
{
	memset(p, 0, 40);
	elf_test_put32(p, name);
	elf_test_put32(p + 4, type);
	elf_test_put32(p + 8, flags);
	elf_test_put32(p + 16, offset);
	elf_test_put32(p + 20, size);
}

/* Layout: ELF header | .shstrtab bytes | section contents | section headers
 * (null section, the given ones, .shstrtab last). */
static struct elf_test_image elf_test_build(const struct elf_test_section *sections, size_t count)
{
	struct elf_test_image image = {0};
	uint32_t strings_size = 1 + (uint32_t)sizeof ".shstrtab";
	uint32_t contents_size = 0, offset, name_at, content_at;
	uint8_t *p;

	for (size_t i = 0; i < count; i++) {
		strings_size += (uint32_t)strlen(sections[i].name) + 1;
		if (sections[i].type != ELF_TEST_NOBITS)
			contents_size += sections[i].size;
	}
	image.string_offset = 52;
	image.string_size = strings_size;
	image.section_offset = 52 + strings_size + contents_size;
	image.length = image.section_offset + (count + 2) * 40;
	image.bytes = calloc(1, image.length);
	cr_assert_not_null(image.bytes);
	p = image.bytes;

	memcpy(p,
	       "\x7f"
	       "ELF",
	       4);
	p[4] = 1;		    /* ELFCLASS32 */
	p[5] = 1;		    /* ELFDATA2LSB */
	p[6] = 1;		    /* EV_CURRENT */
	elf_test_put16(p + 16, 2);  /* ET_EXEC */
	elf_test_put16(p + 18, 40); /* EM_ARM */
	elf_test_put32(p + 20, 1);
	elf_test_put32(p + 24, 0x00000401); /* Thumb entry point */
	elf_test_put32(p + 32, image.section_offset);
	elf_test_put16(p + 40, 52);
	elf_test_put16(p + 46, 40);
	elf_test_put16(p + 48, (uint32_t)count + 2);
	elf_test_put16(p + 50, (uint32_t)count + 1);

	name_at = 1;
	content_at = 52 + strings_size;
	offset = image.section_offset + 40; /* after the null section header */
	for (size_t i = 0; i < count; i++) {
		memcpy(p + 52 + name_at, sections[i].name, strlen(sections[i].name) + 1);
		elf_test_section_header(p + offset, name_at, sections[i].type, sections[i].flags,
					content_at, sections[i].size);
		name_at += (uint32_t)strlen(sections[i].name) + 1;
		if (sections[i].type != ELF_TEST_NOBITS)
			content_at += sections[i].size;
		offset += 40;
	}
	memcpy(p + 52 + name_at, ".shstrtab", sizeof ".shstrtab");
	elf_test_section_header(p + offset, name_at, ELF_TEST_STRTAB, 0, 52, strings_size);
	return image;
}

static const struct elf_test_section elf_test_firmware[] = {
    {".text", ELF_TEST_PROGBITS, ELF_TEST_A | ELF_TEST_X, 0x100},
    {".rodata", ELF_TEST_PROGBITS, ELF_TEST_A, 0x40},
    {".ARM.exidx", ELF_TEST_ARM_EXIDX, ELF_TEST_A | 0x80, 0x8},
    {".data", ELF_TEST_PROGBITS, ELF_TEST_W | ELF_TEST_A, 0x10},
    {".init_array", ELF_TEST_INIT_ARRAY, ELF_TEST_W | ELF_TEST_A, 0x4},
    {".bss", ELF_TEST_NOBITS, ELF_TEST_W | ELF_TEST_A, 0x200},
    {".heap", ELF_TEST_NOBITS, ELF_TEST_W | ELF_TEST_A, 0x1000},
    {".stack", ELF_TEST_NOBITS, ELF_TEST_W | ELF_TEST_A, 0x800},
    {".comment", ELF_TEST_PROGBITS, 0x30, 0x20},
    {".ARM.attributes", 0x70000003, 0, 0x2e},
};

#define ELF_TEST_FIRMWARE_COUNT (sizeof elf_test_firmware / sizeof elf_test_firmware[0])

/* Parses `image` expecting HB_ERR_INPUT and a message containing `expected`. */
static void elf_test_expect_error(const struct elf_test_image *image, size_t length,
				  const char *expected)
{
	struct elf_sizes sizes;
	int status = elf_sizes_parse(image->bytes, length, "fw.elf", &sizes);

	cr_assert_eq(status, HB_ERR_INPUT, "status %d, log: %s", status, elf_test_log);
	cr_assert_not_null(strstr(elf_test_log, "'fw.elf'"), "log: %s", elf_test_log);
	cr_assert_not_null(strstr(elf_test_log, expected), "expected '%s' in log: %s", expected,
			   elf_test_log);
	cr_assert_eq(sizes.flash, 0);
}

TestSuite(elf_size, .init = elf_test_setup, .fini = elf_test_teardown);

Test(elf_size, classifies_every_kind_of_section)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);
	struct elf_sizes sizes;

	cr_assert_eq(elf_sizes_parse(image.bytes, image.length, "fw.elf", &sizes), HB_OK, "%s",
		     elf_test_log);
	cr_assert_eq(sizes.text, 0x100);
	cr_assert_eq(sizes.rodata, 0x48);
	cr_assert_eq(sizes.data, 0x14);
	cr_assert_eq(sizes.bss, 0x200, "heap and stack must not count as bss");
	cr_assert_eq(sizes.stack, 0x800);
	cr_assert_eq(sizes.flash, 0x100 + 0x48 + 0x14);
	cr_assert_eq(sizes.static_ram, 0x14 + 0x200);
	cr_assert_eq(sizes.entry, 0x401);
	free(image.bytes);
}

Test(elf_size, no_allocated_sections_gives_zeros)
{
	const struct elf_test_section only_debug[] = {
	    {".debug_info", ELF_TEST_PROGBITS, 0, 0x30},
	};
	struct elf_test_image image = elf_test_build(only_debug, 1);
	struct elf_sizes sizes;

	cr_assert_eq(elf_sizes_parse(image.bytes, image.length, "fw.elf", &sizes), HB_OK);
	cr_assert_eq(sizes.flash, 0);
	cr_assert_eq(sizes.static_ram, 0);
	free(image.bytes);
}

Test(elf_size, rejects_bad_magic)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	image.bytes[1] = 'X';
	elf_test_expect_error(&image, image.length, "not an ELF file (bad magic)");
	free(image.bytes);
}

Test(elf_size, rejects_empty_input)
{
	struct elf_test_image image = {0};
	uint8_t nothing[1] = {0};

	image.bytes = nothing;
	elf_test_expect_error(&image, 0, "not an ELF file (bad magic)");
}

Test(elf_size, rejects_truncated_header)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_expect_error(&image, 30, "too short for an ELF header");
	free(image.bytes);
}

Test(elf_size, rejects_64_bit_class)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	image.bytes[4] = 2;
	elf_test_expect_error(&image, image.length, "expected a 32-bit ELF file, got class 2");
	free(image.bytes);
}

Test(elf_size, rejects_big_endian)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	image.bytes[5] = 2;
	elf_test_expect_error(&image, image.length, "expected a little-endian ELF file");
	free(image.bytes);
}

Test(elf_size, rejects_unknown_version)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	image.bytes[6] = 7;
	elf_test_expect_error(&image, image.length, "expected ELF version 1, got 7");
	free(image.bytes);
}

Test(elf_size, rejects_other_machines)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_put16(image.bytes + 18, 62); /* x86-64 */
	elf_test_expect_error(&image, image.length,
			      "expected an ARM ELF file (machine 40), got "
			      "machine 62");
	free(image.bytes);
}

Test(elf_size, rejects_missing_section_headers)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_put16(image.bytes + 48, 0);
	elf_test_expect_error(&image, image.length, "no section headers");
	free(image.bytes);
}

Test(elf_size, rejects_wrong_section_header_size)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_put16(image.bytes + 46, 64);
	elf_test_expect_error(&image, image.length, "expected section header size 40, got 64");
	free(image.bytes);
}

Test(elf_size, rejects_truncated_section_header_table)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_expect_error(&image, image.length - 1,
			      "section header table runs past the end of the file");
	free(image.bytes);
}

Test(elf_size, section_header_offset_cannot_wrap)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	/* 0xfffffff0 + 0xffff * 40 wraps in 32 bits to a small, "valid" offset. */
	elf_test_put32(image.bytes + 32, 0xfffffff0);
	elf_test_put16(image.bytes + 48, 0xffff);
	elf_test_expect_error(&image, image.length,
			      "section header table runs past the end of the file");
	free(image.bytes);
}

Test(elf_size, rejects_string_table_index_out_of_range)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_put16(image.bytes + 50, ELF_TEST_FIRMWARE_COUNT + 2);
	elf_test_expect_error(&image, image.length,
			      "section name string table index 12 out of range");
	free(image.bytes);
}

Test(elf_size, rejects_undefined_string_table_index)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	elf_test_put16(image.bytes + 50, 0);
	elf_test_expect_error(&image, image.length,
			      "section name string table index 0 out of range");
	free(image.bytes);
}

Test(elf_size, rejects_string_table_past_the_end)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);
	uint32_t strtab_header = image.section_offset + (ELF_TEST_FIRMWARE_COUNT + 1) * 40;

	elf_test_put32(image.bytes + strtab_header + 20, 0xfffffff0);
	elf_test_expect_error(&image, image.length,
			      "section name string table runs past the end of the file");
	free(image.bytes);
}

Test(elf_size, rejects_name_offset_outside_string_table)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	/* Section 1 (.text) gets a name offset just past the table. */
	elf_test_put32(image.bytes + image.section_offset + 40, image.string_size);
	elf_test_expect_error(&image, image.length,
			      "section 1: name offset 97 outside the section name string table");
	free(image.bytes);
}

Test(elf_size, rejects_unterminated_name)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	/* The last name in the table (".shstrtab") loses its terminator. */
	image.bytes[image.string_offset + image.string_size - 1] = 'x';
	elf_test_expect_error(&image, image.length,
			      "section 11: name at offset 87 is not terminated inside the section "
			      "name string table");
	free(image.bytes);
}

Test(elf_size, rejects_section_contents_past_the_end)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);

	/* .rodata (section 2) claims to live beyond the file. */
	elf_test_put32(image.bytes + image.section_offset + 2 * 40 + 16, 0x7ffffff0);
	elf_test_expect_error(&image, image.length,
			      "section 2 '.rodata' runs past the end of the file");
	free(image.bytes);
}

Test(elf_size, rejects_sizes_over_4_gib)
{
	const struct elf_test_section huge[] = {
	    {".bss", ELF_TEST_NOBITS, ELF_TEST_W | ELF_TEST_A, 0xfffffff0},
	    {".noinit", ELF_TEST_NOBITS, ELF_TEST_W | ELF_TEST_A, 0x100},
	};
	struct elf_test_image image = elf_test_build(huge, 2);

	elf_test_expect_error(&image, image.length, "sizes add up to more than 4 GiB");
	free(image.bytes);
}

Test(elf_size, read_missing_file_is_not_found)
{
	struct elf_sizes sizes;

	cr_assert_eq(elf_sizes_read("/nonexistent/hilbench/fw.elf", &sizes), HB_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(elf_test_log, "'/nonexistent/hilbench/fw.elf': no such file"),
			   "log: %s", elf_test_log);
}

Test(elf_size, read_file_matches_parse)
{
	struct elf_test_image image = elf_test_build(elf_test_firmware, ELF_TEST_FIRMWARE_COUNT);
	char path[] = "/tmp/hilbench-elf-XXXXXX";
	int fd = mkstemp(path);
	struct elf_sizes sizes;
	int status;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, image.bytes, image.length), (ssize_t)image.length);
	close(fd);
	status = elf_sizes_read(path, &sizes);
	unlink(path);
	cr_assert_eq(status, HB_OK, "%s", elf_test_log);
	cr_assert_eq(sizes.flash, 0x15c);
	cr_assert_eq(sizes.static_ram, 0x214);
	free(image.bytes);
}
