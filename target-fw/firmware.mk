# Builds the benchmark firmware for one board. Run from the repository root:
#
#   make -f target-fw/firmware.mk BOARD=qemu-m4 PORT=mps2 CPU=cortex-m4 \
#        FPU=fpv4-sp-d16 OUT=build/fw/qemu-m4
#
# PORT names a folder under target-fw/ports/, CPU is a -mcpu value, FPU a
# -mfpu value or "none" (soft float). Produces $(OUT)/firmware.elf and
# $(OUT)/firmware.map; objects go to $(OUT)/obj. STACK_SIZE (bytes, default
# 8192) sizes the painted stack. CROSS selects another toolchain prefix.
# PROTOCOL picks what the firmware speaks on its UART: hilbench (default,
# the framed protocol of core/protocol_handler.c) or eembc (the MLPerf Tiny
# runner's ASCII protocol, core/eembc_handler.c); exactly one is compiled.
# Give it on the command line (make ... PROTOCOL=eembc).
# MODEL_NAME (eembc only) is what profile% names as m-model-[NAME], the
# name the MLPerf Tiny runner picks its dataset by: kws01, vww01, ic01,
# ad01 or another of 1 to 31 characters from [A-Za-z0-9_-]; default
# "unnamed". ENERGY_MODE=1 (eembc only) builds the reference's energy
# mode: the window pin idles high and carries the timestamp pulses, and
# no m-lap-us lines are printed; default 0, performance mode.
#
# The firmware reports HB_BUILD_ID: the first 8 hex digits of the SHA-256 of
# the concatenated contents of every source file of the build (C files,
# headers, linker scripts and this file, in byte-wise sorted path order).

FW_ROOT    := target-fw
CROSS      ?= arm-none-eabi-
FW_CC      := $(CROSS)gcc
FPU        ?= none
STACK_SIZE ?= 8192
# Only from the command line: a PROTOCOL variable in the environment is
# too common a name to be trusted to mean this.
ifneq ($(origin PROTOCOL),command line)
PROTOCOL   := hilbench
endif

.DEFAULT_GOAL := all

ifeq ($(wildcard $(FW_ROOT)/firmware.mk),)
$(error firmware build: run from the repository root, '$(FW_ROOT)/firmware.mk' not found in '$(CURDIR)')
endif
ifeq ($(strip $(PORT)),)
$(error firmware build: PORT is not set: expected a folder name under $(FW_ROOT)/ports, e.g. PORT=mps2)
endif
ifeq ($(strip $(CPU)),)
$(error firmware build: CPU is not set: expected a -mcpu value, e.g. CPU=cortex-m4)
endif
ifeq ($(strip $(OUT)),)
$(error firmware build: OUT is not set: expected an output folder, e.g. OUT=build/fw/qemu-m4)
endif

ifneq ($(origin ENERGY_MODE),command line)
ENERGY_MODE := 0
endif
ifneq ($(filter-out 0 1,$(ENERGY_MODE))$(filter-out 1,$(words $(ENERGY_MODE))),)
$(error firmware build: ENERGY_MODE '$(ENERGY_MODE)' is malformed: expected 0 (performance) or 1 (energy))
endif
ifneq ($(origin MODEL_NAME),command line)
MODEL_NAME := unnamed
endif
# Checked in make alone (no shell sees the name): each allowed character
# becomes a word of its own; anything left glued to another is not allowed.
MODEL_NAME_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z \
                    A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
                    0 1 2 3 4 5 6 7 8 9 _ -
MODEL_NAME_SPLIT := $(MODEL_NAME)
$(foreach c,$(MODEL_NAME_CHARS),$(eval MODEL_NAME_SPLIT := $$(subst $(c),$(c) ,$$(MODEL_NAME_SPLIT))))
ifneq ($(words $(MODEL_NAME)),1)
MODEL_NAME_BAD := 1
else ifneq ($(filter-out $(MODEL_NAME_CHARS),$(MODEL_NAME_SPLIT)),)
MODEL_NAME_BAD := 1
else ifneq ($(word 32,$(MODEL_NAME_SPLIT)),)
MODEL_NAME_BAD := 1
endif
ifneq ($(MODEL_NAME_BAD),)
$(error firmware build: MODEL_NAME '$(MODEL_NAME)' is malformed: expected 1 to 31 characters from [A-Za-z0-9_-], e.g. MODEL_NAME=kws01)
endif

ifeq ($(PROTOCOL),hilbench)
UNUSED_HANDLER := $(FW_ROOT)/core/eembc_handler.c
else ifeq ($(PROTOCOL),eembc)
UNUSED_HANDLER := $(FW_ROOT)/core/protocol_handler.c
else
$(error firmware build: unknown PROTOCOL '$(PROTOCOL)': expected hilbench or eembc)
endif

PORT_DIR := $(FW_ROOT)/ports/$(PORT)
ifeq ($(wildcard $(PORT_DIR)/memory.ld),)
$(error firmware build: unknown PORT '$(PORT)': expected a folder with memory.ld under $(FW_ROOT)/ports)
endif

# A port may build on another port's files (another FPGA image of a family,
# the same SysTick counter): its optional port.mk sets PORT_SHARED to paths
# under ports/, whole folders (mps2) or single files (mps2/tick_sync.c).
# Their folders come after the port's own on the include path, so a header
# of the port stands in for the shared one of the same name; memory.ld is
# always the port's own. port.mk may also set the stack size it needs and
# PORT_CFLAGS, flags its files need on every core it runs on; a port that
# builds something of its own first (the rp2040's boot2) adds its rules,
# the objects to link (PORT_EXTRA_OBJECTS) and their sources for the build
# id (PORT_ID_FILES). A single
# shared file brings every header of its folder into the build id, since
# it may include any of them.
PORT_MK := $(wildcard $(PORT_DIR)/port.mk)
ifneq ($(PORT_MK),)
include $(PORT_MK)
endif
PORT_SHARED_PATHS := $(addprefix $(FW_ROOT)/ports/,$(PORT_SHARED))
PORT_SHARED_DIRS  := $(sort $(foreach p,$(PORT_SHARED_PATHS),$(if $(filter %.c,$(p)),$(patsubst %/,%,$(dir $(p))),$(p))))
PORT_SHARED_FILES := $(foreach p,$(PORT_SHARED_PATHS),$(if $(filter %.c,$(p)),$(p) $(wildcard $(dir $(p))*.h),$(wildcard $(p)/*.[ch])))
ifneq ($(words $(PORT_SHARED_PATHS)),$(words $(wildcard $(PORT_SHARED_PATHS))))
$(error firmware build: $(PORT_MK): PORT_SHARED names '$(filter-out $(wildcard $(PORT_SHARED_PATHS)),$(PORT_SHARED_PATHS))', which does not exist)
endif

ifeq ($(shell command -v $(FW_CC) 2>/dev/null),)
$(error firmware build: cross compiler '$(FW_CC)' not found: install the Debian packages gcc-arm-none-eabi and libnewlib-arm-none-eabi (without recommends), or set CROSS to its prefix)
endif
ifeq ($(shell $(FW_CC) -print-file-name=nano.specs),nano.specs)
$(error firmware build: newlib-nano (nano.specs) not found for '$(FW_CC)': install the Debian package libnewlib-arm-none-eabi)
endif

ifeq ($(FPU),none)
FLOAT_FLAGS := -mfloat-abi=soft
else
FLOAT_FLAGS := -mfpu=$(FPU) -mfloat-abi=hard
endif

ARCH_FLAGS := -mthumb -mcpu=$(CPU) $(FLOAT_FLAGS)
INCLUDES   := -I$(FW_ROOT)/core -I$(FW_ROOT)/proto -I$(FW_ROOT)/nn \
              -I$(FW_ROOT)/ports/common -I$(PORT_DIR) $(addprefix -I,$(PORT_SHARED_DIRS))
# -fno-schedule-insns: GCC's scheduling before register allocation (on for
# Arm at -O2) hoists the loads of the kernels' inner loops (target-fw/nn)
# until their pointers spill; without it kws_ref_model takes 4% fewer
# instructions on qemu-m4 and a 640 -> 128 fully connected layer 18% fewer.
CFLAGS     := $(ARCH_FLAGS) -O2 -fno-schedule-insns -g -ffp-contract=off -std=c99 -pedantic -Wall -Wextra -Werror \
              -ffunction-sections -fdata-sections $(INCLUDES) $(PORT_CFLAGS)
LDFLAGS    := $(ARCH_FLAGS) -nostartfiles --specs=nano.specs -Wl,--gc-sections \
              -Wl,--fatal-warnings -Wl,--defsym=__stack_size=$(STACK_SIZE) \
              -L$(FW_ROOT)/link -T$(PORT_DIR)/memory.ld -Wl,-Map=$(OUT)/firmware.map

SOURCES := $(filter-out $(UNUSED_HANDLER), \
             $(sort $(wildcard $(FW_ROOT)/core/*.c $(FW_ROOT)/proto/*.c $(FW_ROOT)/nn/*.c \
                               $(FW_ROOT)/ports/common/*.c $(PORT_DIR)/*.c) \
                     $(filter %.c,$(PORT_SHARED_FILES))))
OBJECTS := $(patsubst $(FW_ROOT)/%.c,$(OUT)/obj/%.o,$(SOURCES)) $(PORT_EXTRA_OBJECTS)
LINKER_SCRIPTS := $(wildcard $(PORT_DIR)/*.ld $(FW_ROOT)/link/*.ld)

# Everything that goes into the image, for the build id.
ID_FILES := $(filter-out $(UNUSED_HANDLER), \
              $(sort $(FW_ROOT)/firmware.mk $(LINKER_SCRIPTS) \
                $(wildcard $(FW_ROOT)/core/*.[ch] $(FW_ROOT)/proto/*.[ch] $(FW_ROOT)/nn/*.[ch] \
                           $(FW_ROOT)/ports/common/*.[ch] $(PORT_DIR)/*.[ch]) \
                $(PORT_MK) $(PORT_SHARED_FILES) $(PORT_ID_FILES)))
BUILD_ID := $(shell cat $(ID_FILES) | sha256sum | cut -c1-8)
ifeq ($(BUILD_ID),)
$(error firmware build: cannot hash the firmware sources (sha256sum missing?))
endif

# make does not notice changed flags by itself: keep them in stamp files
# rewritten only when they differ, and make the affected targets depend on
# them. The build id reaches only build_info.c, so a source change
# recompiles that file and the changed one, not everything.
FLAGS_STAMP := $(OUT)/obj/flags.txt
ID_STAMP    := $(OUT)/obj/build_id.txt
FLAGS_TEXT  := $(FW_CC) $(CFLAGS) | $(LDFLAGS)
ID_TEXT     := $(BUILD_ID) $(CPU) $(PROTOCOL)
$(shell mkdir -p $(OUT)/obj)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_TEXT))
$(file >$(FLAGS_STAMP),$(FLAGS_TEXT))
endif
ifneq ($(file <$(ID_STAMP)),$(ID_TEXT))
$(file >$(ID_STAMP),$(ID_TEXT))
endif

# The model name reaches only the eembc handler, through a stamp of its own.
ifeq ($(PROTOCOL),eembc)
MODEL_STAMP := $(OUT)/obj/model_name.txt
ifneq ($(file <$(MODEL_STAMP)),$(MODEL_NAME) $(ENERGY_MODE))
$(file >$(MODEL_STAMP),$(MODEL_NAME) $(ENERGY_MODE))
endif
$(OUT)/obj/core/eembc_handler.o: EXTRA_CFLAGS := -DHB_MODEL_NAME='"$(MODEL_NAME)"' -DHB_ENERGY_MODE=$(ENERGY_MODE)
$(OUT)/obj/core/eembc_handler.o: $(MODEL_STAMP)
endif

BUILD_INFO_OBJECT := $(OUT)/obj/core/build_info.o
$(BUILD_INFO_OBJECT): EXTRA_CFLAGS := -DHB_BUILD_ID=0x$(BUILD_ID)u -DHB_CORE='"$(CPU)"'
$(BUILD_INFO_OBJECT): $(ID_STAMP)

.PHONY: all
all: $(OUT)/firmware.elf

$(OUT)/obj/%.o: $(FW_ROOT)/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(FW_CC) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/firmware.elf: $(OBJECTS) $(LINKER_SCRIPTS) $(FLAGS_STAMP)
	$(FW_CC) $(LDFLAGS) $(OBJECTS) -lm -o $@

$(OUT)/firmware.map: $(OUT)/firmware.elf

-include $(OBJECTS:.o=.d)
