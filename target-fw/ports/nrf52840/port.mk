# The nRF52840-DK: its own clock, UARTE and window pin; the DWT counter and
# the reset at the end of a run are every real Cortex-M board's (shared/).
PORT_SHARED := shared/counter_dwt.c shared/reset.c
