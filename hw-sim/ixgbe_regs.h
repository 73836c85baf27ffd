/* ixgbe_regs.h -- the 82599 register map of the model, declared as data.
 *
 * Each register is one line, the way Snabb declares registers:
 *   R(NAME, offset, stride, count, mode, reset, "datasheet section")
 * followed by further address ranges of the same register:
 *   B(NAME, offset, stride, count, first)  a further bank with its own
 *                                          storage (queues 64..127 of RDBAL)
 *   A(NAME, offset, stride, count, first)  an alias of instances
 *                                          first..first+count-1 (the 82598
 *                                          compatible addresses, e.g. SRRCTL
 *                                          at 0x02100 for queues 0..15)
 * Offsets and bit names follow Intel's public ixgbe register header and the
 * 82599 datasheet rev. 3.3 (§8.2.3 is the register chapter).  Anything not
 * declared here is unknown to the model: touching it is a strictness
 * violation.  To add a register, add a line (docs/hw-sim.md).
 *
 * Modes:
 *   RW    plain storage
 *   RO    read-only: writes are refused (violation)
 *   WO    write-only: reads return 0
 *   RC    statistics counter, cleared when read (§8.2.3.23)
 *   RCL   low half of a 64-bit counter: reading it latches the high half
 *         and clears the counter (inferred; read low then high)
 *   RCH   high half: returns the half latched by the low read
 *   HOOK  behaviour in ixgbe_model.c (self-clearing bits, W1S/W1C, ...)
 */
#ifndef KVICK_SIM_IXGBE_REGS_H
#define KVICK_SIM_IXGBE_REGS_H

#include <stdint.h>

enum sim_reg_mode { M_RW, M_RO, M_WO, M_RC, M_RCL, M_RCH, M_HOOK };

#define SIM_IXGBE_REGS(R, B, A) \
	/* §8.2.3.1 general control */ \
	R(CTRL,        0x00000, 0,    1,   M_HOOK, 0x00000000, "8.2.3.1.1 Device Control") \
	A(CTRL,        0x00004, 0,    1,   0) \
	R(STATUS,      0x00008, 0,    1,   M_HOOK, 0x00080000, "8.2.3.1.2 Device Status") \
	R(CTRL_EXT,    0x00018, 0,    1,   M_RW,   0x00000000, "8.2.3.1.3 Extended Device Control") \
	R(ESDP,        0x00020, 0,    1,   M_RW,   0x00000000, "8.2.3.1.4 Extended SDP Control") \
	R(LEDCTL,      0x00200, 0,    1,   M_RW,   0x00000000, "8.2.3.1.6 LED Control") \
	/* §8.2.3.2 EEPROM / flash, §8.2.3.4 PCIe */ \
	R(EEC,         0x10010, 0,    1,   M_HOOK, 0x00000100, "8.2.3.2.1 EEPROM/Flash Control") \
	R(EERD,        0x10014, 0,    1,   M_HOOK, 0x00000000, "8.2.3.2.2 EEPROM Read") \
	R(SWSM,        0x10140, 0,    1,   M_HOOK, 0x00000000, "8.2.3.4.9 Software Semaphore") \
	R(FWSM,        0x10148, 0,    1,   M_RO,   0x00000000, "8.2.3.4.x Firmware Semaphore") \
	R(SW_FW_SYNC,  0x10160, 0,    1,   M_HOOK, 0x00000000, "8.2.3.4.11 Software-Firmware Synchronization") \
	R(GCR,         0x11000, 0,    1,   M_RW,   0x00000000, "8.2.3.4.1 PCIe Control") \
	R(GCR_EXT,     0x11050, 0,    1,   M_RW,   0x00000000, "8.2.3.4.x PCIe Control Extended") \
	/* §8.2.3.5 interrupts */ \
	R(EICR,        0x00800, 0,    1,   M_HOOK, 0x00000000, "8.2.3.5.1 Extended Interrupt Cause (clear on read)") \
	R(EICS,        0x00808, 0,    1,   M_HOOK, 0x00000000, "8.2.3.5.3 Extended Interrupt Cause Set") \
	R(EIAC,        0x00810, 0,    1,   M_RW,   0x00000000, "8.2.3.5.x Extended Interrupt Auto Clear") \
	R(EITR,        0x00820, 4,    24,  M_RW,   0x00000000, "8.2.3.5.12 Interrupt Throttle") \
	B(EITR,        0x12300, 4,    104, 24) \
	R(EIMS,        0x00880, 0,    1,   M_HOOK, 0x00000000, "8.2.3.5.4 Extended Interrupt Mask Set (write 1 to set)") \
	R(EIMC,        0x00888, 0,    1,   M_HOOK, 0x00000000, "8.2.3.5.5 Extended Interrupt Mask Clear (write 1 to clear)") \
	R(EIAM,        0x00890, 0,    1,   M_RW,   0x00000000, "8.2.3.5.x Extended Interrupt Auto Mask") \
	R(GPIE,        0x00898, 0,    1,   M_RW,   0x00000000, "8.2.3.5.x General Purpose Interrupt Enable") \
	R(IVAR,        0x00900, 4,    64,  M_RW,   0x00000000, "8.2.3.5.x Interrupt Vector Allocation") \
	R(IVAR_MISC,   0x00A00, 0,    1,   M_RW,   0x00000000, "8.2.3.5.x Misc Interrupt Vector Allocation") \
	R(EICS_EX,     0x00A90, 4,    2,   M_HOOK, 0x00000000, "8.2.3.5.x Extended Interrupt Cause Set (queues)") \
	R(EIMS_EX,     0x00AA0, 4,    2,   M_HOOK, 0x00000000, "8.2.3.5.x Extended Interrupt Mask Set (queues)") \
	R(EIMC_EX,     0x00AB0, 4,    2,   M_HOOK, 0x00000000, "8.2.3.5.x Extended Interrupt Mask Clear (queues)") \
	R(EIAM_EX,     0x00AD0, 4,    2,   M_RW,   0x00000000, "8.2.3.5.x Extended Interrupt Auto Mask (queues)") \
	/* §8.2.3.8 receive DMA: per queue, 0..63 at 0x01000, 64..127 at 0x0D000 */ \
	R(RDBAL,       0x01000, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.1 Receive Descriptor Base Address Low") \
	B(RDBAL,       0x0D000, 0x40, 64,  64) \
	R(RDBAH,       0x01004, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.2 Receive Descriptor Base Address High") \
	B(RDBAH,       0x0D004, 0x40, 64,  64) \
	R(RDLEN,       0x01008, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.3 Receive Descriptor Length") \
	B(RDLEN,       0x0D008, 0x40, 64,  64) \
	R(DCA_RXCTRL,  0x0100C, 0x40, 64,  M_RW,   0x00003200, "8.2.3.11.1 Rx DCA Control") \
	B(DCA_RXCTRL,  0x0D00C, 0x40, 64,  64) \
	A(DCA_RXCTRL,  0x02200, 4,    16,  0) \
	R(RDH,         0x01010, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.4 Receive Descriptor Head") \
	B(RDH,         0x0D010, 0x40, 64,  64) \
	R(SRRCTL,      0x01014, 0x40, 64,  M_HOOK, 0x00000402, "8.2.3.8.7 Split Receive Control") \
	B(SRRCTL,      0x0D014, 0x40, 64,  64) \
	A(SRRCTL,      0x02100, 4,    16,  0) \
	R(RDT,         0x01018, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.5 Receive Descriptor Tail") \
	B(RDT,         0x0D018, 0x40, 64,  64) \
	R(RXDCTL,      0x01028, 0x40, 64,  M_HOOK, 0x00000000, "8.2.3.8.6 Receive Descriptor Control") \
	B(RXDCTL,      0x0D028, 0x40, 64,  64) \
	R(QPRC,        0x01030, 0x40, 16,  M_RC,   0x00000000, "8.2.3.23.71 Queue Packets Received") \
	R(QBRC_L,      0x01034, 0x40, 16,  M_RCL,  0x00000000, "8.2.3.23.73 Queue Bytes Received Low") \
	R(QBRC_H,      0x01038, 0x40, 16,  M_RCH,  0x00000000, "8.2.3.23.74 Queue Bytes Received High") \
	R(QPRDC,       0x01430, 0x40, 16,  M_RC,   0x00000000, "8.2.3.23.72 Queue Packets Received Drop") \
	R(RQSMR,       0x02300, 4,    32,  M_RW,   0x00000000, "8.2.3.23.x Receive Queue Statistic Mapping") \
	R(RDRXCTL,     0x02F00, 0,    1,   M_HOOK, 0x00000000, "8.2.3.8.8 Receive DMA Control") \
	R(RXDSTATCTRL, 0x02F40, 0,    1,   M_RW,   0x00000000, "8.2.3.23.x Rx DMA Statistic Counter Control") \
	R(RXCTRL,      0x03000, 0,    1,   M_HOOK,   0x00000000, "8.2.3.8.10 Receive Control") \
	R(RTRUP2TC,    0x03020, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Rx User Priority to TC") \
	R(RTRPCS,      0x02430, 0,    1,   M_RW,   0x00000000, "8.2.3.10.1 DCB Receive Packet Plane Control") \
	R(RTRPT4C,     0x02140, 4,    8,   M_RW,   0x00000000, "8.2.3.10.x DCB Rx Packet Plane T4 Config") \
	R(FCTTV,       0x03200, 4,    4,   M_RW,   0x00000000, "8.2.3.3.x Flow Control Transmit Timer Value") \
	R(FCRTL,       0x03220, 4,    8,   M_RW,   0x00000000, "8.2.3.3.x Flow Control Receive Threshold Low") \
	R(FCRTH,       0x03260, 4,    8,   M_RW,   0x00000000, "8.2.3.3.x Flow Control Receive Threshold High") \
	R(FCRTV,       0x032A0, 0,    1,   M_RW,   0x00000000, "8.2.3.3.x Flow Control Refresh Threshold") \
	R(RXPBSIZE,    0x03C00, 4,    8,   M_RW,   0x00000000, "8.2.3.8.9 Receive Packet Buffer Size") \
	R(FCCFG,       0x03D00, 0,    1,   M_RW,   0x00000000, "8.2.3.3.x Flow Control Configuration") \
	/* §8.2.3.7 receive filters */ \
	R(RXCSUM,      0x05000, 0,    1,   M_RW,   0x00000000, "8.2.3.7.5 Receive Checksum Control") \
	R(RFCTL,       0x05008, 0,    1,   M_RW,   0x00000000, "8.2.3.7.6 Receive Filter Control") \
	R(FCTRL,       0x05080, 0,    1,   M_RW,   0x00000000, "8.2.3.7.1 Filter Control") \
	R(VLNCTRL,     0x05088, 0,    1,   M_RW,   0x00008100, "8.2.3.7.2 VLAN Control") \
	R(MCSTCTRL,    0x05090, 0,    1,   M_RW,   0x00000000, "8.2.3.7.3 Multicast Control") \
	R(ETQF,        0x05128, 4,    8,   M_RW,   0x00000000, "8.2.3.7.x EType Queue Filter") \
	R(MTA,         0x05200, 4,    128, M_RW,   0x00000000, "8.2.3.7.7 Multicast Table Array") \
	R(VFTA,        0x0A000, 4,    128, M_RW,   0x00000000, "8.2.3.7.x VLAN Filter Table Array") \
	R(RAL,         0x0A200, 8,    128, M_RW,   0x00000000, "8.2.3.7.9 Receive Address Low") \
	A(RAL,         0x05400, 8,    16,  0) \
	R(RAH,         0x0A204, 8,    128, M_RW,   0x00000000, "8.2.3.7.10 Receive Address High (bit 31 AV)") \
	A(RAH,         0x05404, 8,    16,  0) \
	R(MPSAR_LO,    0x0A600, 8,    128, M_RW,   0x00000000, "8.2.3.7.x MAC Pool Select Array Low") \
	R(MPSAR_HI,    0x0A604, 8,    128, M_RW,   0x00000000, "8.2.3.7.x MAC Pool Select Array High") \
	R(PSRTYPE,     0x0EA00, 4,    64,  M_RW,   0x00000000, "8.2.3.7.4 Packet Split Receive Type") \
	A(PSRTYPE,     0x05480, 4,    16,  0) \
	R(RETA,        0x0EB00, 4,    32,  M_RW,   0x00000000, "8.2.3.7.13 Redirection Table") \
	A(RETA,        0x05C00, 4,    32,  0) \
	R(RSSRK,       0x0EB80, 4,    10,  M_RW,   0x00000000, "8.2.3.7.14 RSS Random Key") \
	A(RSSRK,       0x05C80, 4,    10,  0) \
	R(ETQS,        0x0EC00, 4,    8,   M_RW,   0x00000000, "8.2.3.7.x EType Queue Select") \
	R(MRQC,        0x0EC80, 0,    1,   M_RW,   0x00000000, "8.2.3.7.12 Multiple Receive Queues Command") \
	A(MRQC,        0x05818, 0,    1,   0) \
	R(FDIRCTRL,    0x0EE00, 0,    1,   M_RW,   0x00000000, "8.2.3.21.1 Flow Director Filters Control") \
	/* §8.2.3.9 transmit: queues 0..127 at 0x06000 */ \
	R(TDBAL,       0x06000, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.5 Transmit Descriptor Base Address Low") \
	R(TDBAH,       0x06004, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.6 Transmit Descriptor Base Address High") \
	R(TDLEN,       0x06008, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.7 Transmit Descriptor Length") \
	R(TDH,         0x06010, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.8 Transmit Descriptor Head") \
	R(TDT,         0x06018, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.9 Transmit Descriptor Tail") \
	R(TXDCTL,      0x06028, 0x40, 128, M_HOOK, 0x00000000, "8.2.3.9.10 Transmit Descriptor Control") \
	R(TDWBAL,      0x06038, 0x40, 128, M_RW,   0x00000000, "8.2.3.9.11 Tx Descriptor Completion Write Back Address Low") \
	R(TDWBAH,      0x0603C, 0x40, 128, M_RW,   0x00000000, "8.2.3.9.12 Tx Descriptor Completion Write Back Address High") \
	R(DMATXCTL,    0x04A80, 0,    1,   M_RW,   0x00000000, "8.2.3.9.2 DMA Tx Control") \
	R(RTTDCS,      0x04900, 0,    1,   M_RW,   0x00000000, "8.2.3.10.2 DCB Transmit Descriptor Plane Control") \
	R(RTTDQSEL,    0x04904, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Descriptor Plane Queue Select") \
	R(RTTDT1C,     0x04908, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Descriptor Plane T1 Config") \
	R(RTTDT2C,     0x04910, 4,    8,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Descriptor Plane T2 Config") \
	R(TXPBTHRESH,  0x04950, 4,    8,   M_RW,   0x00000000, "8.2.3.9.x Tx Packet Buffer Threshold") \
	R(RTTBCNRC,    0x04984, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Rate-Scheduler Config") \
	R(DTXMXSZRQ,   0x08100, 0,    1,   M_RW,   0x00000010, "8.2.3.9.3 DMA Tx TCP Max Allow Size Requests") \
	R(MTQC,        0x08120, 0,    1,   M_RW,   0x00000000, "8.2.3.9.15 Multiple Transmit Queues Command") \
	R(PFDTXGSWC,   0x08220, 0,    1,   M_RW,   0x00000000, "8.2.3.27.x PF VM Tx Switch Control") \
	R(TQSM,        0x08600, 4,    32,  M_RW,   0x00000000, "8.2.3.23.x Transmit Queue Statistic Mapping") \
	R(QPTC,        0x08680, 4,    16,  M_RC,   0x00000000, "8.2.3.23.75 Queue Packets Transmitted") \
	A(QPTC,        0x06030, 0x40, 16,  0) \
	R(QBTC_L,      0x08700, 8,    16,  M_RCL,  0x00000000, "8.2.3.23.76 Queue Bytes Transmitted Low") \
	R(QBTC_H,      0x08704, 8,    16,  M_RCH,  0x00000000, "8.2.3.23.77 Queue Bytes Transmitted High") \
	R(TXDGPC,      0x087A0, 0,    1,   M_RC,   0x00000000, "8.2.3.23.x Tx DMA Good Packets") \
	R(TXDGBCL,     0x087A4, 0,    1,   M_RCL,  0x00000000, "8.2.3.23.x Tx DMA Good Bytes Low") \
	R(TXDGBCH,     0x087A8, 0,    1,   M_RCH,  0x00000000, "8.2.3.23.x Tx DMA Good Bytes High") \
	R(SECTXCTRL,   0x08800, 0,    1,   M_RW,   0x00000000, "8.2.3.26.x Security Tx Control") \
	R(SECTXSTAT,   0x08804, 0,    1,   M_RO,   0x00000001, "8.2.3.26.x Security Tx Status (ready)") \
	R(SECTXMINIFG, 0x08810, 0,    1,   M_RW,   0x00000000, "8.2.3.26.x Security Tx Buffer Minimum IFG") \
	R(SECRXCTRL,   0x08D00, 0,    1,   M_RW,   0x00000000, "8.2.3.12.5 Security Rx Control") \
	R(SECRXSTAT,   0x08D04, 0,    1,   M_RO,   0x00000001, "8.2.3.12.6 Security Rx Status (SECRX_RDY: always ready in the model)") \
	R(RTTUP2TC,    0x0C800, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx User Priority to TC") \
	R(TXPBSIZE,    0x0CC00, 4,    8,   M_RW,   0x00000000, "8.2.3.9.13 Transmit Packet Buffer Size") \
	R(RTTPCS,      0x0CD00, 0,    1,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Packet Plane Control") \
	R(RTTPT2C,     0x0CD20, 4,    8,   M_RW,   0x00000000, "8.2.3.10.x DCB Tx Packet Plane T2 Config") \
	/* §8.2.3.22 MAC */ \
	R(PCS1GLSTA,   0x0420C, 0,    1,   M_RO,   0x00000000, "8.2.3.22.x PCS 1GbE Link Status") \
	R(HLREG0,      0x04240, 0,    1,   M_RW,   0x00000403, "8.2.3.22.8 MAC Core Control 0") \
	R(HLREG1,      0x04244, 0,    1,   M_RO,   0x00000000, "8.2.3.22.9 MAC Core Status 1") \
	R(MSCA,        0x0425C, 0,    1,   M_RW,   0x00000000, "8.2.3.22.x MDI Single Command and Address") \
	R(MSRWD,       0x04260, 0,    1,   M_RW,   0x00000000, "8.2.3.22.x MDI Single Read and Write Data") \
	R(MAXFRS,      0x04268, 0,    1,   M_HOOK,   0x05EE0000, "8.2.3.22.13 Max Frame Size (MFS bits 31:16)") \
	R(MFLCN,       0x04294, 0,    1,   M_RW,   0x00000000, "8.2.3.22.x MAC Flow Control") \
	R(AUTOC,       0x042A0, 0,    1,   M_HOOK, 0x00006000, "8.2.3.22.19 Auto Negotiation Control") \
	R(LINKS,       0x042A4, 0,    1,   M_HOOK, 0x00000000, "8.2.3.22.20 Link Status") \
	R(AUTOC2,      0x042A8, 0,    1,   M_HOOK,   0x00000000, "8.2.3.22.21 Auto Negotiation Control 2") \
	R(AUTOC3,      0x042AC, 0,    1,   M_RW,   0x00000000, "8.2.3.22.x Auto Negotiation Control 3") \
	R(ANLP1,       0x042B0, 0,    1,   M_RO,   0x00000000, "8.2.3.22.x AN Link Partner Ability 1") \
	R(LINKS2,      0x04324, 0,    1,   M_RO,   0x00000000, "8.2.3.22.x Link Status 2") \
	R(MACC,        0x04330, 0,    1,   M_RW,   0x00000000, "8.2.3.22.x MAC Control") \
	/* §8.2.3.23 statistics (clear on read) */ \
	R(CRCERRS,     0x04000, 0,    1,   M_RC,   0, "8.2.3.23.1 CRC Error Count") \
	R(ILLERRC,     0x04004, 0,    1,   M_RC,   0, "8.2.3.23.2 Illegal Byte Error Count") \
	R(ERRBC,       0x04008, 0,    1,   M_RC,   0, "8.2.3.23.3 Error Byte Count") \
	R(MLFC,        0x04034, 0,    1,   M_RC,   0, "8.2.3.23.4 MAC Local Fault Count") \
	R(MRFC,        0x04038, 0,    1,   M_RC,   0, "8.2.3.23.5 MAC Remote Fault Count") \
	R(RLEC,        0x04040, 0,    1,   M_RC,   0, "8.2.3.23.6 Receive Length Error Count") \
	R(PXONTXC,     0x03F00, 4,    8,   M_RC,   0, "8.2.3.23.x Priority XON Transmitted") \
	R(PXOFFTXC,    0x03F20, 4,    8,   M_RC,   0, "8.2.3.23.x Priority XOFF Transmitted") \
	R(LXONTXC,     0x03F60, 0,    1,   M_RC,   0, "8.2.3.23.x Link XON Transmitted") \
	R(LXOFFTXC,    0x03F68, 0,    1,   M_RC,   0, "8.2.3.23.x Link XOFF Transmitted") \
	R(MPC,         0x03FA0, 4,    8,   M_RC,   0, "8.2.3.23.x Missed Packets Count (packet buffer full)") \
	R(RNBC,        0x03FC0, 4,    8,   M_RC,   0, "8.2.3.23.x Receive No Buffers Count") \
	R(PXONRXCNT,   0x04140, 4,    8,   M_RC,   0, "8.2.3.23.x Priority XON Received") \
	R(PXOFFRXCNT,  0x04160, 4,    8,   M_RC,   0, "8.2.3.23.x Priority XOFF Received") \
	R(LXONRXCNT,   0x041A4, 0,    1,   M_RC,   0, "8.2.3.23.x Link XON Received") \
	R(LXOFFRXCNT,  0x041A8, 0,    1,   M_RC,   0, "8.2.3.23.x Link XOFF Received") \
	R(RXNFGPC,     0x041B0, 0,    1,   M_RC,   0, "8.2.3.23.x Good Rx Non-Filtered Packets") \
	R(RXNFGBCL,    0x041B4, 0,    1,   M_RCL,  0, "8.2.3.23.x Good Rx Non-Filtered Bytes Low") \
	R(RXNFGBCH,    0x041B8, 0,    1,   M_RCH,  0, "8.2.3.23.x Good Rx Non-Filtered Bytes High") \
	R(RXDGPC,      0x02F50, 0,    1,   M_RC,   0, "8.2.3.23.x Rx DMA Good Packets") \
	R(RXDGBCL,     0x02F54, 0,    1,   M_RCL,  0, "8.2.3.23.x Rx DMA Good Bytes Low") \
	R(RXDGBCH,     0x02F58, 0,    1,   M_RCH,  0, "8.2.3.23.x Rx DMA Good Bytes High") \
	R(PRC64,       0x0405C, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 64 Bytes") \
	R(PRC127,      0x04060, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 65-127 Bytes") \
	R(PRC255,      0x04064, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 128-255 Bytes") \
	R(PRC511,      0x04068, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 256-511 Bytes") \
	R(PRC1023,     0x0406C, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 512-1023 Bytes") \
	R(PRC1522,     0x04070, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Received 1024+ Bytes") \
	R(GPRC,        0x04074, 0,    1,   M_RC,   0, "8.2.3.23.18 Good Packets Received") \
	R(BPRC,        0x04078, 0,    1,   M_RC,   0, "8.2.3.23.x Broadcast Packets Received") \
	R(MPRC,        0x0407C, 0,    1,   M_RC,   0, "8.2.3.23.x Multicast Packets Received") \
	R(GPTC,        0x04080, 0,    1,   M_RC,   0, "8.2.3.23.22 Good Packets Transmitted") \
	R(GORCL,       0x04088, 0,    1,   M_RCL,  0, "8.2.3.23.23 Good Octets Received Low") \
	R(GORCH,       0x0408C, 0,    1,   M_RCH,  0, "8.2.3.23.24 Good Octets Received High") \
	R(GOTCL,       0x04090, 0,    1,   M_RCL,  0, "8.2.3.23.25 Good Octets Transmitted Low") \
	R(GOTCH,       0x04094, 0,    1,   M_RCH,  0, "8.2.3.23.26 Good Octets Transmitted High") \
	R(RUC,         0x040A4, 0,    1,   M_RC,   0, "8.2.3.23.x Receive Undersize Count") \
	R(RFC,         0x040A8, 0,    1,   M_RC,   0, "8.2.3.23.x Receive Fragment Count") \
	R(ROC,         0x040AC, 0,    1,   M_RC,   0, "8.2.3.23.x Receive Oversize Count") \
	R(RJC,         0x040B0, 0,    1,   M_RC,   0, "8.2.3.23.x Receive Jabber Count") \
	R(TORL,        0x040C0, 0,    1,   M_RCL,  0, "8.2.3.23.x Total Octets Received Low") \
	R(TORH,        0x040C4, 0,    1,   M_RCH,  0, "8.2.3.23.x Total Octets Received High") \
	R(TPR,         0x040D0, 0,    1,   M_RC,   0, "8.2.3.23.x Total Packets Received") \
	R(TPT,         0x040D4, 0,    1,   M_RC,   0, "8.2.3.23.x Total Packets Transmitted") \
	R(PTC64,       0x040D8, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 64 Bytes") \
	R(PTC127,      0x040DC, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 65-127 Bytes") \
	R(PTC255,      0x040E0, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 128-255 Bytes") \
	R(PTC511,      0x040E4, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 256-511 Bytes") \
	R(PTC1023,     0x040E8, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 512-1023 Bytes") \
	R(PTC1522,     0x040EC, 0,    1,   M_RC,   0, "8.2.3.23.x Packets Transmitted 1024+ Bytes") \
	R(MPTC,        0x040F0, 0,    1,   M_RC,   0, "8.2.3.23.x Multicast Packets Transmitted") \
	R(BPTC,        0x040F4, 0,    1,   M_RC,   0, "8.2.3.23.x Broadcast Packets Transmitted") \
	R(XEC,         0x04120, 0,    1,   M_RC,   0, "8.2.3.23.x XSUM Error Count")

/* Logical register ids: REG_CTRL, REG_RDBAL, ... */
#define SIM_REG_ENUM(name, off, stride, count, mode, reset, sect) REG_##name,
#define SIM_REG_SKIP(name, off, stride, count, first)
enum sim_reg_id { SIM_IXGBE_REGS(SIM_REG_ENUM, SIM_REG_SKIP, SIM_REG_SKIP) REG__COUNT };
/* Each register's primary offset as a compile-time constant (REG_OFF_name):
 * the model's per-frame path addresses fixed registers (HLREG0, FCTRL, ...)
 * by an immediate instead of a load from the table. */
#define SIM_REG_OFFENUM(name, off, stride, count, mode, reset, sect) REG_OFF_##name = off,
enum sim_reg_offset { SIM_IXGBE_REGS(SIM_REG_OFFENUM, SIM_REG_SKIP, SIM_REG_SKIP) };

struct sim_reg_desc {
	const char *name;
	uint32_t offset, stride;   /* primary address range */
	uint16_t count;
	uint8_t  mode;             /* enum sim_reg_mode */
	uint32_t reset;
	const char *section;       /* datasheet section and full name */
};

extern const struct sim_reg_desc sim_reg_desc[REG__COUNT];

/* Where an offset lands: the logical register, its instance, and the
 * register-file word that stores it (the primary address for aliases). */
struct sim_reg_loc {
	uint16_t id;       /* enum sim_reg_id, or REG__COUNT if unknown */
	uint16_t inst;
	uint32_t word;     /* canonical offset / 4 */
};

#define SIM_REG_WORDS (0x20000 / 4)

/* Build the offset index (idempotent, thread-safe). */
void sim_regs_init(void);
/* Look up a BAR0 offset; loc->id == REG__COUNT when unknown or unaligned. */
void sim_regs_lookup(uint32_t offset, struct sim_reg_loc *loc);
/* Word index of instance inst of register id (canonical storage). */
uint32_t sim_reg_word(enum sim_reg_id id, unsigned inst);

/* ---- bits the model acts on (names from the ixgbe header) ---- */
#define CTRL_GIO_DIS        (1u << 2)   /* PCIe master disable */
#define CTRL_LNK_RST        (1u << 3)
#define CTRL_RST            (1u << 26)
#define STATUS_LAN_ID_SHIFT 2
#define STATUS_LINKUP       (1u << 7)
#define STATUS_GIO          (1u << 19)  /* PCIe master enable status */
#define EEC_PRES            (1u << 8)
#define EEC_ARD             (1u << 9)
#define EERD_START          (1u << 0)
#define EERD_DONE           (1u << 1)
#define EICR_LSC            (1u << 20)
#define RDRXCTL_CRCSTRIP    (1u << 1)
#define RDRXCTL_DMAIDONE    (1u << 3)
#define RDRXCTL_RSCFRSTSIZE (0x1Fu << 17)
#define RDRXCTL_RSCACKC     (1u << 25)
#define RDRXCTL_FCOE_WRFIX  (1u << 26)
#define SWSM_SMBI           (1u << 0)   /* read-to-set software semaphore */
#define SWSM_SWESMBI        (1u << 1)   /* software/firmware semaphore */
#define SW_FW_SYNC_SW_MAC_CSR_SM (1u << 3)  /* software owns the shared MAC CSRs (AUTOC...) */
#define SECRXCTRL_RX_DIS    (1u << 1)
#define RXCTRL_RXEN         (1u << 0)
#define XDCTL_ENABLE        (1u << 25)  /* RXDCTL / TXDCTL */
#define SRRCTL_BSIZEPKT_MASK 0x1Fu      /* 1 KB units */
#define SRRCTL_DESCTYPE_SHIFT 25
#define SRRCTL_DESCTYPE_MASK (7u << 25)
#define SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25)
#define SRRCTL_DROP_EN      (1u << 28)
#define FCTRL_SBP           (1u << 1)
#define FCTRL_MPE           (1u << 8)
#define FCTRL_UPE           (1u << 9)
#define FCTRL_BAM           (1u << 10)
#define RAH_AV              (1u << 31)
#define HLREG0_TXCRCEN      (1u << 0)
#define HLREG0_RXCRCSTRP    (1u << 1)
#define HLREG0_JUMBOEN      (1u << 2)
#define HLREG0_TXPADEN      (1u << 10)
#define HLREG0_LPBK         (1u << 15)
#define MAXFRS_MFS_SHIFT    16
#define AUTOC_AN_RESTART    (1u << 12)
#define AUTOC_LMS_SHIFT     13
#define AUTOC_LMS_MASK      (7u << 13)
#define LINKS_LINK_STATUS   (1u << 7)
#define LINKS_SPEED_10G     (3u << 28)
#define LINKS_UP            (1u << 30)
#define DMATXCTL_TE         (1u << 0)
#define TDWBAL_HEAD_WB_EN   (1u << 0)
#define MRQC_MRQE_MASK      0xFu
#define MRQC_RSSEN          0x1u
#define MRQC_F_TCP4         (1u << 16)
#define MRQC_F_IPV4         (1u << 17)
#define MRQC_F_IPV6         (1u << 20)
#define MRQC_F_TCP6         (1u << 21)
#define MRQC_F_UDP4         (1u << 22)
#define MRQC_F_UDP6         (1u << 23)

/* Descriptors (§7.1.6 advanced RX, §7.2.3.2.4 advanced TX data) */
#define RXD_STAT_DD         (1u << 0)
#define RXD_STAT_EOP        (1u << 1)
#define TXD_DTYP_SHIFT      20
#define TXD_DTYP_MASK       (0xFu << 20)
#define TXD_DTYP_CTXT       (0x2u << 20)
#define TXD_DTYP_DATA       (0x3u << 20)
#define TXD_DCMD_EOP        (1u << 24)
#define TXD_DCMD_IFCS       (1u << 25)
#define TXD_DCMD_RS         (1u << 27)
#define TXD_DCMD_DEXT       (1u << 29)
#define TXD_DCMD_TSE        (1u << 31)
#define TXD_STAT_DD         (1u << 0)

#endif
