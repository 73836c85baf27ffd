/* offload.h -- turning the kernel's offloaded frames into wire frames.
 *
 * The kernel hands a packet socket or a TAP device frames in the state its
 * stack left them, not as a wire would carry them:
 *  - "checksum partial" (CHECKSUM_PARTIAL, TP_STATUS_CSUMNOTREADY): the L4
 *    checksum field holds only the pseudo-header sum; whoever transmits
 *    the frame (a NIC, normally) must finish it over [csum_start, end);
 *  - GSO super-frames: one TCP (or UDP) frame of up to 64 KB that a NIC
 *    would cut into gso_size pieces.
 * The virtio-net header (struct virtio_net_hdr, asked for with
 * PACKET_VNET_HDR or IFF_VNET_HDR) says which.
 *
 * kvick's graph carries wire frames: a filter, a bridge, a pcap writer or a
 * NIC downstream must see what a cable would carry, and a kvick packet
 * holds at most PACKET_MAX_FRAME bytes, far less than 64 KB.  So the kernel
 * I/O apps "resolve" offloads where frames enter kvick: offload_rx()
 * finishes partial checksums and segments GSO frames in software (as the
 * kernel's own skb_checksum_help() and skb_segment() would), producing
 * frames with valid checksums.  Frames leave kvick with a zero virtio-net
 * header unless the packet carries offload state (PACKET_F_*), which
 * offload_tx_hdr() gives back to the kernel.
 *
 * Every frame in is accounted for: packets out, or a counted drop.
 */
#ifndef KVICK_APPS_OFFLOAD_H
#define KVICK_APPS_OFFLOAD_H

#include <linux/virtio_net.h>
#include <stdint.h>

#include "../core/packet.h"

/* Most packets one kernel frame may become: a 64 KB TCP frame cut at the
 * smallest MSS the kernel allows on Ethernet (536 bytes) gives 123. */
#define OFFLOAD_MAX_SEGS 128u

/* Counters, owned by the app (pointers into its counter file). */
struct offload_counters {
	uint64_t *csum_filled;      /* partial checksums finished in software */
	uint64_t *gso_frames;       /* GSO super-frames received */
	uint64_t *gso_segments;     /* packets made from them */
	uint64_t *drop_toolong;     /* plain frame > PACKET_MAX_FRAME */
	uint64_t *drop_badoffload;  /* offload header we cannot honour */
	uint64_t *drop_nopacket;    /* freelist exhausted */
	uint64_t *drops;            /* total of the drops above */
};

/* Register the counters above on app (names as in the struct). */
struct app;
void offload_counters_init(struct offload_counters *c, struct app *app);

/* What to do with offload state (the apps' `offload=` parameter):
 *  OFFLOAD_WIRE (default): finish checksums, cut GSO frames into wire
 *    frames -- every packet is what a cable would carry;
 *  OFFLOAD_KEEP: leave checksums partial and GSO frames whole, recording
 *    the state in the packet (PACKET_F_CSUM_PARTIAL, PACKET_F_GSO,
 *    csum_start/offset, gso_size/type) for the transmitting app to hand
 *    back to the kernel; a GSO frame too big for a kvick packet is cut
 *    into GSO frames of whole MSS multiples that fit.  Much less work, but
 *    the packets are only fit for rawsock and tap outputs. */
enum offload_mode { OFFLOAD_WIRE, OFFLOAD_KEEP };

/* "wire" or "keep" (NULL: wire) -> *mode; -1 for anything else. */
int offload_parse_mode(const char *s, enum offload_mode *mode);

/* One frame from the kernel (len bytes at src, described by vh, which may
 * be NULL for "no offload state") -> up to OFFLOAD_MAX_SEGS new packets in
 * out[].  Returns how many; 0 means the frame was dropped and counted. */
unsigned offload_rx(const struct virtio_net_hdr *vh, const uint8_t *src, uint32_t len,
                    struct packet **out, const struct offload_counters *c, enum offload_mode mode);

/* Fill the virtio-net header to transmit p with (zero for a wire frame). */
void offload_tx_hdr(const struct packet *p, struct virtio_net_hdr *vh);

/* Finish a partial checksum in place: sum [start, len) and store the
 * folded result at start + offset.  Returns 0, or -1 if out of bounds. */
int offload_csum_finish(uint8_t *frame, uint32_t len, uint32_t start, uint32_t offset);

/* Internet checksum helpers (RFC 1071), exposed for tests and af_xdp. */
uint32_t csum_add(uint32_t sum, const void *data, uint32_t len);
uint16_t csum_fold(uint32_t sum);

/* For frames that came without metadata (AF_XDP): if frame is TCP or UDP
 * over IPv4/IPv6 and its L4 checksum field holds exactly the
 * pseudo-header sum a CHECKSUM_PARTIAL sender leaves there, finish it.
 * Returns 1 if fixed, 0 otherwise (valid, not TCP/UDP, or truly wrong). */
int offload_fix_partial_csum(uint8_t *frame, uint32_t len);

#endif
