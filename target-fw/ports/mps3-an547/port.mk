# AN547 is an MPS3 FPGA image with the MPS2 images' CMSDK UART and the same
# SysTick timing: it builds the mps2 files with its own memory map and
# mps2_image.h.
PORT_SHARED := mps2
