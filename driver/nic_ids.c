/* nic_ids.c -- which driver runs which PCI function (see nic.h).
 *
 * One table for the `intel` app (apps/intel.c picks the driver here) and
 * `kvick pci` (its KVICK column comes from the same rows), so the two can
 * never disagree.  A row with a driver is supported; a row without one is
 * a device kvick knows and refuses, with the reason and what to do
 * instead.  A device in no row is "not a NIC kvick drives".
 *
 * IDs are the ones the public drivers list (Linux's ixgbe_type.h,
 * e1000_hw.h for igb, i40e_devids.h; shared/reference/82599.md and
 * x710.md).  Supporting a new part means its driver file plus its rows here.
 */
#include "nic.h"

#include "i40e.h"
#include "igb.h"
#include "ixgbe.h"

#define INTEL 0x8086

/* The 82599's link setup (driver/ixgbe.c) is 10 Gb/s serial to an SFP+
 * module (AUTOC.LMS = 011b, datasheet §8.2.3.22.19).  Parts whose media
 * need another link mode -- KX4/KX/KR backplane autonegotiation, CX4's
 * XAUI, a copper PHY behind MDIO -- would come up with no link or a wrong
 * one, so they are refused rather than half driven. */
#define IXGBE_NEEDS_OTHER_LINK(media) \
	"its " media " link setup is not in kvick's 82599 driver, which only " \
	"programs 10 Gb/s serial for SFP+ (AUTOC.LMS = 10G serial); use an SFP+ port"

#define X540_WHY \
	"the X540 is not an 82599: its 10GBASE-T PHY, link setup and firmware " \
	"interface are not in kvick's driver (only the 82599's SFP+ ports are)"

#define VF_WHY(pf) \
	"this is a virtual function: bind the PF instead (kvick drives the " pf \
	" physical function itself; a VF needs the PF's driver to set it up)"

/* The X710 family's physical functions: driver/i40e.c. */
#define X710(dev, name) { INTEL, dev, name, &i40e_driver, NULL }

/* The X722 (an X710 built into Intel chipsets) takes its RSS key and table
 * through admin queue commands and reports link speeds with other codes
 * (reference/x710.md); driver/i40e.c does neither, so it is refused. */
#define X722_WHY \
	"the X722 sets RSS through admin queue commands and codes link speeds " \
	"differently; kvick's i40e driver is written for the X710/XL710/XXV710 only"
#define X722(dev) { INTEL, dev, "X722", NULL, X722_WHY }

static const struct nic_pci_id ids[] = {
	/* 82599 (ixgbe), SFP+ ports: driven. */
	{ INTEL, 0x10FB, "82599ES SFP+", &ixgbe_driver, NULL },
	{ INTEL, 0x1507, "82599 SFP+ (EM)", &ixgbe_driver, NULL },
	{ INTEL, 0x1529, "82599 SFP+ FCoE", &ixgbe_driver, NULL },
	{ INTEL, 0x154A, "82599 SFP+ quad port", &ixgbe_driver, NULL },
	{ INTEL, 0x154D, "82599 SFP+ (X520 SF2)", &ixgbe_driver, NULL },
	{ INTEL, 0x1557, "82599EN SFP+", &ixgbe_driver, NULL },
	{ INTEL, 0x1558, "82599 QSFP+ quad port", &ixgbe_driver, NULL },
	{ INTEL, 0x155D, "82599 SFP+ bypass", &ixgbe_driver, NULL },
	/* 82599 parts with other media: refused (see IXGBE_NEEDS_OTHER_LINK). */
	{ INTEL, 0x10F7, "82599 KX4", NULL, IXGBE_NEEDS_OTHER_LINK("KX4 backplane") },
	{ INTEL, 0x1514, "82599 KX4 mezzanine", NULL, IXGBE_NEEDS_OTHER_LINK("KX4 backplane") },
	{ INTEL, 0x1517, "82599 KR", NULL, IXGBE_NEEDS_OTHER_LINK("KR backplane") },
	{ INTEL, 0x10F8, "82599 combined backplane", NULL,
	  IXGBE_NEEDS_OTHER_LINK("KX4/KR backplane") },
	{ INTEL, 0x152A, "82599 backplane FCoE", NULL, IXGBE_NEEDS_OTHER_LINK("KX4/KR backplane") },
	{ INTEL, 0x10FC, "82599 XAUI LOM", NULL, IXGBE_NEEDS_OTHER_LINK("XAUI") },
	{ INTEL, 0x10F9, "82599 CX4", NULL, IXGBE_NEEDS_OTHER_LINK("CX4 (XAUI)") },
	{ INTEL, 0x151C, "82599 10GBASE-T (T3 LOM)", NULL,
	  IXGBE_NEEDS_OTHER_LINK("10GBASE-T (external copper PHY)") },
	{ INTEL, 0x1528, "X540-T", NULL, X540_WHY },
	{ INTEL, 0x1560, "X540-T1", NULL, X540_WHY },
	{ INTEL, 0x155C, "X540 bypass", NULL, X540_WHY },
	/* 82576 and I350 (igb), copper ports: driven. */
	{ INTEL, 0x10C9, "82576", &igb_driver, NULL },
	{ INTEL, 0x10E8, "82576 quad copper", &igb_driver, NULL },
	{ INTEL, 0x1526, "82576 quad copper ET2", &igb_driver, NULL },
	{ INTEL, 0x150A, "82576NS", &igb_driver, NULL },
	{ INTEL, 0x1521, "I350 copper", &igb_driver, NULL },
	/* igb fiber/SerDes: the link is a PCS, not the copper PHY igb.c sets up. */
	{ INTEL, 0x10E6, "82576 fiber", NULL,
	  "fiber/SerDes ports need PCS link setup, which kvick's igb driver does not do "
	  "(it drives the copper ports)" },
	{ INTEL, 0x10E7, "82576 SerDes", NULL,
	  "fiber/SerDes ports need PCS link setup, which kvick's igb driver does not do "
	  "(it drives the copper ports)" },
	{ INTEL, 0x1522, "I350 fiber", NULL,
	  "fiber/SerDes ports need PCS link setup, which kvick's igb driver does not do "
	  "(it drives the copper ports)" },
	{ INTEL, 0x1523, "I350 SerDes", NULL,
	  "fiber/SerDes ports need PCS link setup, which kvick's igb driver does not do "
	  "(it drives the copper ports)" },
	/* X710 family (i40e) physical functions (the IDs of Intel's i40e_devids.h). */
	X710(0x1572, "X710 SFP+"),
	X710(0x1580, "XL710 40GbE backplane"),
	X710(0x1581, "X710 10GbE backplane"),
	X710(0x1583, "XL710 QSFP+"),
	X710(0x1584, "XL710 QSFP+"),
	X710(0x158A, "XXV710 25GbE backplane"),
	X710(0x158B, "XXV710 SFP28"),
	X710(0x15FF, "X710-T"),
	X722(0x37D0),
	X722(0x37D1),
	X722(0x37D2),
	X722(0x37D3),
	/* Virtual functions: refused, whatever the family. */
	{ INTEL, 0x10ED, "82599 VF", NULL, VF_WHY("82599") },
	{ INTEL, 0x1515, "X540 VF", NULL, VF_WHY("X540") },
	{ INTEL, 0x10CA, "82576 VF", NULL, VF_WHY("82576") },
	{ INTEL, 0x1520, "I350 VF", NULL, VF_WHY("I350") },
	{ INTEL, 0x154C, "X710 VF", NULL, VF_WHY("X710") },
	{ INTEL, 0x1889, "Intel adaptive VF (AVF)", NULL, VF_WHY("X710/E810") },
};

const struct nic_pci_id *nic_find(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i].vendor == vendor && ids[i].device == device)
			return &ids[i];
	return NULL;
}

const struct nic_pci_id *nic_ids(size_t *n)
{
	*n = sizeof(ids) / sizeof(ids[0]);
	return ids;
}
