/* sim.h -- the hw-sim device models: Intel 82599 and X710 ports without
 * hardware.
 *
 * A model port behaves like one 82599 PCI function (vendor 0x8086, device
 * 0x10FB), or with model=x710 like one X710 PF (device 0x1572, an admin
 * queue to a modelled firmware, queue contexts in host memory): BAR0 is a
 * register file with the datasheet's reset values and semantics, and a
 * DMA engine walks the descriptor rings the driver set up.
 * All ports share one model thread (so the driver's core does only driver
 * work) and one IOMMU (the process's dma_mapper, core/memory.h): a DMA to an
 * IOVA the driver did not map is an IOMMU fault -- logged, counted, and the
 * queue stops, as a real IOMMU would make it.
 *
 * The model is strict: what the datasheet forbids (ring base not 128-byte
 * aligned, a ring length not a multiple of 128, a tail beyond the ring, an
 * unknown register, ...) is refused, logged once, counted, and appended to
 * the violation list that tests inspect with sim_violation().  See
 * docs/hw-sim.md for the full list and the register table.
 *
 * Each port is plugged into a wire: nothing (link stays down), internal
 * loopback, a cable to another port, pcap files, a traffic generator, or a
 * Linux TAP device.  The wire is chosen by the spec given to
 * sim_device_open() (the `pci=` value of a topology) or by the calls below.
 *
 * Spec syntax:  "sim:N" or "sim:N/OPT[,OPT...]" with OPT one of
 *   model=82599|x710       the device personality (default 82599)
 *   loopback               TX frames come back on this port's RX
 *   cable=M                TX on N arrives at M's RX and vice versa
 *   tap=IFNAME             a TAP device (created if missing, needs root)
 *   pcap-in=FILE           frames of FILE arrive at RX (once, in order)
 *   pcap-out=FILE          TX frames are written to FILE
 *   gen=COUNT:SIZE[:PPS]   generator: COUNT frames (0 = forever) of SIZE
 *                          bytes (without FCS; 60..9216) at PPS (0 = as
 *                          fast as RX takes them)
 *   link=down              start with the link administratively down
 *   pace[=10g|1g|100m]     the port's wire carries what that link speed
 *                          allows (plain pace: the 10 Gb/s the models
 *                          report), each frame taking (len + 4 FCS + 20
 *                          preamble/IFG) * 8 bits of wire time, for TX
 *                          and for the frames its sources (gen, pcap-in,
 *                          tap, sim_port_inject) deliver to RX; a cable
 *                          carries what the sending port's pace allows.
 *                          Without it a port moves frames as fast as the
 *                          model thread can (tens of Gbit/s).
 * Examples: "sim:0/cable=1", "sim:0/model=x710,cable=1", "sim:0/tap=kvtap0",
 *           "sim:0/pcap-in=a.pcap,pcap-out=b.pcap", "sim:0/cable=1,pace".
 *
 * Thread safety: register handlers may be called from any one driver
 * thread per port; the control calls below from any thread.
 */
#ifndef KVICK_SIM_H
#define KVICK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/device.h"

#define SIM_MAX_PORTS     8
#define SIM_VENDOR_ID     0x8086
#define SIM_DEVICE_82599  0x10FB   /* 82599ES SFP+ */
#define SIM_BAR0_SIZE     0x20000  /* 128 KiB register space */
#define SIM_DEVICE_X710   0x1572   /* X710 for 10GbE SFP+ */
#define SIM_BAR0_SIZE_X710 0x800000 /* 8 MiB (statistics at 0x300000+) */

/* ---- opening a port (hw-sim/provider.c, the "sim" device provider, calls
 * this for device_open("sim:...")) ---- */

/* Parse spec, attach port N to d: d->bar0 gets the model's register
 * handlers (bar == NULL), IDs, is_model = 1, ops (reset, close).  Installs
 * the sim IOMMU as the process's dma_mapper (shared by all ports) and
 * starts the model thread.  Returns 0, or -1 with a message in err. */
int sim_device_open(const char *spec, struct device *d, char *err, size_t errlen);

/* Stop the model thread, unplug every wire, reset every port, clear the
 * violation list and counters, uninstall the IOMMU.  Ports must be closed.
 * For tests (and the process exit). */
void sim_shutdown(void);

/* ---- wires (each replaces the port's previous wire) ---- */

int  sim_port_wire_loopback(unsigned port);
int  sim_port_cable(unsigned a, unsigned b);
/* in or out may be NULL.  Returns 0 or -1 (logged: can't open / bad file). */
int  sim_port_wire_pcap(unsigned port, const char *in_path, const char *out_path);

struct sim_gen_config {
	uint64_t count;     /* frames to send; 0 = forever */
	uint16_t size;      /* frame length without FCS, 60..9216 */
	uint64_t rate_pps;  /* 0 = as fast as the port's RX accepts */
};
int  sim_port_wire_generator(unsigned port, const struct sim_gen_config *cfg);
/* Attach an open TAP fd (IFF_TAP | IFF_NO_PI); the model owns it from now
 * on and closes it when unplugged.  sim_port_wire_tap() opens (creating if
 * needed) the TAP named ifname and brings it up. */
int  sim_port_wire_tap_fd(unsigned port, int fd);
int  sim_port_wire_tap(unsigned port, const char *ifname);
/* Unplug: the port's link goes down (a cable's peer too). */
void sim_port_unwire(unsigned port);
/* Apply a spec's options ("cable=1,link=down") to a port; for tests. */
int  sim_port_configure(unsigned port, const char *opts, char *err, size_t errlen);

/* Test harness wire ends: put a frame on the wire towards port's RX (as if
 * the link partner sent it; len without FCS), and take frames the port
 * transmitted when its wire is "capture" (sim_port_wire_capture). */
int  sim_port_inject(unsigned port, const void *frame, size_t len);
int  sim_port_wire_capture(unsigned port);
/* Copies the oldest captured frame into buf; returns its length, 0 if none,
 * -1 if it did not fit (the frame is dropped). */
int  sim_port_capture_take(unsigned port, void *buf, size_t buflen);

/* ---- fault injection ---- */

void sim_fault_link(unsigned port, bool up);          /* pull/plug the cable */
/* The next n RX write-backs on the port claim a length larger than the
 * buffer (SRRCTL.BSIZEPACKET) -- a driver must not trust it. */
void sim_fault_rx_bad_length(unsigned port, unsigned n);
/* The next n RX write-backs have DD but no EOP. */
void sim_fault_rx_no_eop(unsigned port, unsigned n);
/* The port's DMA engine does nothing for ms milliseconds (frames from the
 * wire wait in the RX packet buffer; overflow is counted in MPC). */
void sim_fault_stall(unsigned port, unsigned ms);
/* A device reset as if CTRL.RST were set by someone else (X710: a core
 * reset): queues stop, registers go back to their reset values, in-flight
 * frames are lost (X710: the admin queue is disabled too). */
void sim_fault_reset(unsigned port);
/* The link does not train (AN completes, LINKS stays down) until the
 * driver has set CTRL.RST `resets` more times: "82599 devices sometimes
 * just don't come up" (Snabb's intel_mp resets once more after 2 s). */
void sim_fault_link_stuck(unsigned port, unsigned resets);

/* X710 ports only (ignored for an 82599 port): */
/* The firmware ignores the next n admin send queue commands: no DD, the
 * head does not move (a later command makes it skip the ignored one). */
void sim_fault_aq_timeout(unsigned port, unsigned n);
/* The next n commands with this opcode answer retval, with ERR. */
void sim_fault_aq_error(unsigned port, uint16_t opcode, uint16_t retval, unsigned n);
/* From now on, get version (0x0001) reports admin queue API major.minor
 * instead of the model's own (a firmware a driver must refuse, or accept). */
void sim_fault_aq_api(unsigned port, uint16_t major, uint16_t minor);
/* The next n queue enables find their HMC context invalid: PFHMC_ERRORINFO
 * is set and QENA_STAT never sets. */
void sim_fault_hmc_context(unsigned port, unsigned n);

/* ---- inspection ---- */

struct sim_port_stats {
	uint64_t wire_rx_frames;   /* frames that arrived from the wire */
	uint64_t rx_frames;        /* frames DMA'd to the host (write-back done) */
	uint64_t rx_bytes;
	uint64_t tx_frames;        /* frames the port put on the wire */
	uint64_t tx_bytes;
	uint64_t rx_drop_nodesc;   /* no free RX descriptor (MPC / QPRDC) */
	uint64_t rx_drop_disabled; /* RXEN clear, queue disabled, or reset */
	uint64_t rx_drop_filter;   /* not for us (unicast filter, FCTRL) */
	uint64_t rx_drop_error;    /* runt, oversize, bad FCS (RUC/ROC/CRCERRS) */
	uint64_t tx_drop_link;     /* TX'd while the wire end could not take it */
	uint64_t iommu_faults;
	uint64_t violations;       /* strictness violations on this port */
	uint64_t resets;
	bool     link_up;
};
int sim_port_stats(unsigned port, struct sim_port_stats *out);

/* Strictness violations (all ports, oldest first, bounded list): each a
 * message naming the port, register/queue and datasheet section. */
unsigned    sim_violation_count(void);
const char *sim_violation(unsigned i);    /* NULL when i >= count */
/* True if any recorded violation contains substr (for tests). */
bool        sim_violation_find(const char *substr);
void        sim_violations_clear(void);

/* Total IOMMU faults (all ports). */
uint64_t    sim_iommu_faults(void);

#endif
