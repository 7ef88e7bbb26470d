/*
 * Flash and static RAM use from an ARM ELF's section headers, without
 * libelf. Sections are classified by their flags the way the linker placed
 * them, so the numbers do not depend on section names (except .stack and
 * .heap, which are reservations rather than variables).
 */
#include "flash/elf_size.h"

#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ELF_HEADER_SIZE		   52
#define ELF_SECTION_HEADER_SIZE	   40
#define ELF_CLASS_32		   1
#define ELF_DATA_LITTLE		   1
#define ELF_VERSION_CURRENT	   1
#define ELF_MACHINE_ARM		   40
#define ELF_SECTION_UNDEFINED	   0
#define ELF_SECTION_EXTENDED_INDEX 0xffff
#define ELF_TYPE_NOBITS		   8
#define ELF_FLAG_WRITE		   0x1
#define ELF_FLAG_ALLOC		   0x2
#define ELF_FLAG_EXECINSTR	   0x4

/* Firmware images are at most a few MiB; refuse to slurp anything huge. */
#define ELF_MAX_FILE_BYTES (256L * 1024 * 1024)

struct elf_section {
	uint32_t name;
	uint32_t type;
	uint32_t flags;
	uint32_t offset;
	uint32_t size;
};

static uint16_t read_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void read_section(const uint8_t *image, uint64_t offset, struct elf_section *out)
{
	const uint8_t *p = image + offset;

	out->name = read_u32(p);
	out->type = read_u32(p + 4);
	out->flags = read_u32(p + 8);
	out->offset = read_u32(p + 16);
	out->size = read_u32(p + 20);
}

/* Names from an untrusted file reach a terminal: show only plain ones. */
static const char *printable_name(const char *label)
{
	for (const char *c = label; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return "(unprintable name)";
	return label;
}

int elf_sizes_parse(const uint8_t *image, size_t length, const char *name, struct elf_sizes *out)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	uint64_t text = 0, rodata = 0, data = 0, bss = 0, stack = 0, harness = 0;
	struct elf_section strings;
	uint32_t section_offset;
	uint16_t entry_size, section_count, string_index;

	memset(out, 0, sizeof *out);
	if (!name)
		name = "<elf>";
	if (length < 4 || memcmp(image, magic, 4) != 0)
		return hb_error(HB_ERR_INPUT, "'%s': not an ELF file (bad magic)", name);
	if (length < ELF_HEADER_SIZE)
		return hb_error(HB_ERR_INPUT, "'%s': file too short for an ELF header (%zu bytes)",
				name, length);
	if (image[4] != ELF_CLASS_32)
		return hb_error(HB_ERR_INPUT, "'%s': expected a 32-bit ELF file, got class %u",
				name, image[4]);
	if (image[5] != ELF_DATA_LITTLE)
		return hb_error(HB_ERR_INPUT,
				"'%s': expected a little-endian ELF file, got data "
				"encoding %u",
				name, image[5]);
	if (image[6] != ELF_VERSION_CURRENT)
		return hb_error(HB_ERR_INPUT, "'%s': expected ELF version 1, got %u", name,
				image[6]);
	if (read_u16(image + 18) != ELF_MACHINE_ARM)
		return hb_error(HB_ERR_INPUT,
				"'%s': expected an ARM ELF file (machine 40), got "
				"machine %u",
				name, read_u16(image + 18));

	section_offset = read_u32(image + 32);
	entry_size = read_u16(image + 46);
	section_count = read_u16(image + 48);
	string_index = read_u16(image + 50);
	if (section_count == 0 || section_offset == 0)
		return hb_error(HB_ERR_INPUT,
				"'%s': no section headers (stripped or extended "
				"numbering), cannot read sizes",
				name);
	if (entry_size != ELF_SECTION_HEADER_SIZE)
		return hb_error(HB_ERR_INPUT, "'%s': expected section header size 40, got %u", name,
				entry_size);
	/* 64-bit arithmetic: 32-bit offset + 16-bit count * 40 cannot overflow. */
	if ((uint64_t)section_offset + (uint64_t)section_count * entry_size > length)
		return hb_error(HB_ERR_INPUT,
				"'%s': section header table runs past the end of the "
				"file (%u headers at offset %u, file is %zu bytes)",
				name, section_count, section_offset, length);
	if (string_index == ELF_SECTION_UNDEFINED || string_index == ELF_SECTION_EXTENDED_INDEX ||
	    string_index >= section_count)
		return hb_error(HB_ERR_INPUT,
				"'%s': section name string table index %u out of "
				"range (%u sections)",
				name, string_index, section_count);
	read_section(image, (uint64_t)section_offset + (uint64_t)string_index * entry_size,
		     &strings);
	if (strings.type == ELF_TYPE_NOBITS || (uint64_t)strings.offset + strings.size > length)
		return hb_error(HB_ERR_INPUT,
				"'%s': section name string table runs past the end "
				"of the file",
				name);

	for (uint16_t i = 0; i < section_count; i++) {
		struct elf_section section;
		const char *section_label;

		read_section(image, (uint64_t)section_offset + (uint64_t)i * entry_size, &section);
		if (section.name >= strings.size)
			return hb_error(HB_ERR_INPUT,
					"'%s': section %u: name offset %u outside the "
					"section name string table",
					name, i, section.name);
		section_label = (const char *)image + strings.offset + section.name;
		if (!memchr(section_label, '\0', strings.size - section.name))
			return hb_error(HB_ERR_INPUT,
					"'%s': section %u: name at offset %u is not "
					"terminated inside the section name string "
					"table",
					name, i, section.name);
		/* A truncated file shows up here before anyone trusts its sizes. */
		if (section.type != ELF_TYPE_NOBITS &&
		    (uint64_t)section.offset + section.size > length)
			return hb_error(HB_ERR_INPUT,
					"'%s': section %u '%s' runs past the end of "
					"the file",
					name, i, printable_name(section_label));
		if (!(section.flags & ELF_FLAG_ALLOC))
			continue;
		if (section.flags & ELF_FLAG_EXECINSTR)
			text += section.size;
		else if (!(section.flags & ELF_FLAG_WRITE))
			rodata += section.size;
		else if (section.type != ELF_TYPE_NOBITS)
			data += section.size; /* PROGBITS, and .init_array and friends */
		else if (strcmp(section_label, ".stack") == 0)
			stack += section.size;
		else if (strcmp(section_label, ".heap") != 0)
			bss += section.size;
		if (strcmp(section_label, ".harness_bss") == 0)
			harness += section.size;
	}

	if (text + rodata + data > UINT32_MAX || data + bss > UINT32_MAX || stack > UINT32_MAX)
		return hb_error(HB_ERR_INPUT, "'%s': section sizes add up to more than 4 GiB",
				name);
	out->text = (uint32_t)text;
	out->rodata = (uint32_t)rodata;
	out->data = (uint32_t)data;
	out->bss = (uint32_t)bss;
	out->stack = (uint32_t)stack;
	out->harness_bss = (uint32_t)harness;
	out->flash = (uint32_t)(text + rodata + data);
	out->static_ram = (uint32_t)(data + bss);
	out->entry = read_u32(image + 24);
	return HB_OK;
}

int elf_sizes_read(const char *path, struct elf_sizes *out)
{
	uint8_t *image;
	size_t length;
	int status;

	memset(out, 0, sizeof *out);
	status = file_read_all(path, ELF_MAX_FILE_BYTES, "a firmware ELF", &image, &length);
	if (status != HB_OK)
		return status;
	status = elf_sizes_parse(image, length, path, out);
	free(image);
	return status;
}
