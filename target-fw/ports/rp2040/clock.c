/*
 * The RP2040's clocks from the ring oscillator it boots on to 125 MHz:
 * the crystal oscillator (2.16), PLL_SYS (2.18: VCO 750 to 1600 MHz,
 * post dividers 1 to 7) and the glitchless switches of clk_ref and clk_sys
 * (2.15). clk_peri follows clk_sys.
 */
#include "rp2040.h"

#define XOSC_BASE	   0x40024000u
#define XOSC_CTRL	   CORTEX_M_REGISTER(XOSC_BASE + 0x00u)
#define XOSC_STATUS	   CORTEX_M_REGISTER(XOSC_BASE + 0x04u)
#define XOSC_STARTUP	   CORTEX_M_REGISTER(XOSC_BASE + 0x0Cu)
#define XOSC_CTRL_1_15MHZ  0xAA0u
#define XOSC_CTRL_ENABLE   (0xFABu << 12)
#define XOSC_STATUS_STABLE (1u << 31)
/* 1 ms in units of 256 crystal cycles: (12 MHz / 1000 + 128) / 256. */
#define XOSC_STARTUP_DELAY 47u

#define PLL_SYS_BASE	  0x40028000u
#define PLL_CS		  CORTEX_M_REGISTER(PLL_SYS_BASE + 0x00u)
#define PLL_PWR		  CORTEX_M_REGISTER(PLL_SYS_BASE + 0x04u)
#define PLL_FBDIV_INT	  CORTEX_M_REGISTER(PLL_SYS_BASE + 0x08u)
#define PLL_PRIM	  CORTEX_M_REGISTER(PLL_SYS_BASE + 0x0Cu)
#define PLL_CS_LOCK	  (1u << 31)
#define PLL_PWR_PD	  (1u << 0)
#define PLL_PWR_POSTDIVPD (1u << 3)
#define PLL_PWR_VCOPD	  (1u << 5)
#define PLL_REFDIV	  1u
#define PLL_FBDIV	  125u
#define PLL_POSTDIV1	  6u
#define PLL_POSTDIV2	  2u

#define CLOCKS_BASE	 0x40008000u
#define CLK_REF_CTRL	 CORTEX_M_REGISTER(CLOCKS_BASE + 0x30u)
#define CLK_REF_SELECTED CORTEX_M_REGISTER(CLOCKS_BASE + 0x38u)
#define CLK_SYS_CTRL	 CORTEX_M_REGISTER(CLOCKS_BASE + 0x3Cu)
#define CLK_SYS_SELECTED CORTEX_M_REGISTER(CLOCKS_BASE + 0x44u)
#define CLK_PERI_CTRL	 CORTEX_M_REGISTER(CLOCKS_BASE + 0x48u)
#define CLK_REF_SRC_XOSC 2u
#define CLK_SYS_SRC_AUX	 1u	    /* AUXSRC 0: PLL_SYS */
#define CLK_PERI_ENABLE	 (1u << 11) /* AUXSRC 0: clk_sys */

#if 12000000u / PLL_REFDIV * PLL_FBDIV / PLL_POSTDIV1 / PLL_POSTDIV2 != RP2040_CLOCK_HZ
#error "PLL_SYS settings do not give RP2040_CLOCK_HZ"
#endif

static void xosc_start(void)
{
	XOSC_CTRL = XOSC_CTRL_1_15MHZ;
	XOSC_STARTUP = XOSC_STARTUP_DELAY;
	XOSC_CTRL = XOSC_CTRL_1_15MHZ | XOSC_CTRL_ENABLE;
	while (!(XOSC_STATUS & XOSC_STATUS_STABLE)) {
	}
}

static void pll_sys_start(void)
{
	rp2040_unreset(RESETS_PLL_SYS);
	PLL_CS = PLL_REFDIV;
	PLL_FBDIV_INT = PLL_FBDIV;
	PLL_PWR &= ~(PLL_PWR_PD | PLL_PWR_VCOPD);
	while (!(PLL_CS & PLL_CS_LOCK)) {
	}
	PLL_PRIM = PLL_POSTDIV1 << 16 | PLL_POSTDIV2 << 12;
	PLL_PWR &= ~PLL_PWR_POSTDIVPD;
}

void rp2040_clock_init(void)
{
	/* clk_sys onto clk_ref before anything under it changes. */
	CLK_SYS_CTRL = 0;
	while (CLK_SYS_SELECTED != 1u << 0) {
	}
	xosc_start();
	CLK_REF_CTRL = CLK_REF_SRC_XOSC;
	while (CLK_REF_SELECTED != 1u << CLK_REF_SRC_XOSC) {
	}
	pll_sys_start();
	CLK_SYS_CTRL = CLK_SYS_SRC_AUX; /* the aux mux already selects PLL_SYS */
	while (CLK_SYS_SELECTED != 1u << 1) {
	}
	CLK_PERI_CTRL = CLK_PERI_ENABLE;
}
