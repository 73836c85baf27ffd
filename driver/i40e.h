/* i40e.h -- driver for the Intel X710/XL710 (700 series) physical function.
 *
 * The port is driven through the one NIC interface (driver/nic.h): the
 * `intel` app finds `i40e_driver` in the PCI ID table (driver/nic_ids.c)
 * and never calls anything here by name.  Life of a port:
 *   open     reset and firmware waits, the admin queue conversation with
 *            the firmware (version, switch, VSI, MAC, filters, link), the
 *            queue contexts in the Host Memory Cache, queues started with
 *            their RX rings full of buffers from the freelist;
 *   rx_batch / tx_batch   the hot path, one tail write per call;
 *   poll     housekeeping a few times a second: admin queue link events,
 *            statistics folded to 64 bits, a device that was reset under us
 *            brought back;
 *   close    queues disabled by handshake, the firmware told we are going,
 *            every packet in the rings back on the freelist and counted.
 *
 * Unlike the 82599 the X710 is run by firmware: MAC, filters and link are
 * commands on the admin queue (AQ), answered asynchronously, and every
 * command can fail with a firmware error code or not be answered at all.
 * Every such failure names the command.
 *
 * docs/driver-x710.md walks through the bring-up in the order of this file.
 */
#ifndef KVICK_I40E_H
#define KVICK_I40E_H

#include <stdint.h>

#include "nic.h"

extern const struct nic_driver i40e_driver;

struct i40e_dev;   /* = struct nic_dev of this driver */

/* The port's statistics registers folded to 64 bits since open, by their
 * datasheet names (GLPRT_*): what nic_stats is made of, plus TDOLD, which
 * nic_stats has no field for.  Folds the registers in first. */
struct i40e_port_counters {
	uint64_t gorc, gotc;                /* good octets received / transmitted (48-bit) */
	uint64_t uprc, mprc, bprc;          /* unicast / multicast / broadcast received (48-bit) */
	uint64_t uptc, mptc, bptc;          /* ... transmitted (48-bit) */
	uint64_t crcerrs;                   /* CRC errors (32-bit) */
	uint64_t rdpc;                      /* receive drops (32-bit) */
	uint64_t tdold;                     /* transmit dropped, link down (32-bit) */
};
void i40e_port_counters(struct nic_dev *dev, struct i40e_port_counters *out);

/* What the firmware and the PF told the driver at the last bring-up, for
 * tests and `kvick` messages. */
struct i40e_identity {
	unsigned pf_id, port;               /* PF_FUNC_RID, PFGEN_PORTNUM */
	unsigned first_queue, queues;       /* PFLAN_QALLOC: absolute first queue, count */
	unsigned vsi_seid, vsi_base_queue;  /* get switch config / get VSI parameters */
	unsigned qs_handle;
	unsigned fw_major, fw_minor, api_major, api_minor;
};
void i40e_identity(const struct nic_dev *dev, struct i40e_identity *out);

#endif
