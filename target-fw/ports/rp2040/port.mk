# The Raspberry Pi Pico (RP2040, Cortex-M0+): a second-stage boot for its
# QSPI flash, built here and checksummed by a host tool (boot2/), in front
# of the image; SysTick timing of its own (ARMv6-M has no DWT); the reset
# at the end of a run is every real board's (shared/reset.c).
PORT_SHARED := shared/reset.c
# Their inline assembly is written in unified syntax, which GCC assumes for
# Thumb-2 but not for ARMv6-M's Thumb.
PORT_CFLAGS := -masm-syntax-unified

HOST_CC ?= cc
BOOT2_OUT := $(OUT)/boot2
BOOT2_DIR := $(PORT_DIR)/boot2

$(BOOT2_OUT)/boot2.elf: $(BOOT2_DIR)/boot2_w25q080.S $(BOOT2_DIR)/boot2.ld
	@mkdir -p $(@D)
	$(FW_CC) -mthumb -mcpu=cortex-m0plus -nostdlib -nostartfiles -Wl,--fatal-warnings \
		-T $(BOOT2_DIR)/boot2.ld $< -o $@

$(BOOT2_OUT)/boot2.bin: $(BOOT2_OUT)/boot2.elf
	$(CROSS)objcopy -O binary $< $@

$(BOOT2_OUT)/boot2_checksum: $(BOOT2_DIR)/boot2_checksum.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=c99 -O2 -Wall -Wextra -Werror $< -o $@

$(BOOT2_OUT)/boot2_image.c: $(BOOT2_OUT)/boot2.bin $(BOOT2_OUT)/boot2_checksum
	$(BOOT2_OUT)/boot2_checksum $< $@

$(BOOT2_OUT)/boot2_image.o: $(BOOT2_OUT)/boot2_image.c $(OUT)/obj/flags.txt
	$(FW_CC) $(CFLAGS) -c $< -o $@

PORT_EXTRA_OBJECTS := $(BOOT2_OUT)/boot2_image.o
PORT_ID_FILES := $(wildcard $(BOOT2_DIR)/*)
