# AN505 is an MPS2 FPGA image with the same CMSDK UART and SysTick timing:
# it builds the mps2 files with its own memory map and mps2_image.h.
PORT_SHARED := mps2
