/* pcapng_format.h -- reading pcapng files (what Wireshark and dumpcap write
 * by default), for pcap_format.c: pcap_in_open() hands a file that starts
 * with a Section Header Block to these, and pcap_in_next()/_rewind() follow.
 * Not for use outside apps/pcap*_format.c.
 *
 * A pcapng file is a list of blocks, each
 *     type u32, total length u32, body, total length u32 (again)
 * with lengths a multiple of 4, in the byte order its section's header
 * gives.  kvick reads:
 *   SHB 0x0a0d0d0a  starts a section: byte-order magic 1a2b3c4d, version 1;
 *                   its interfaces start again from 0
 *   IDB 0x00000001  an interface: link type, snaplen, if_tsresol (code 9),
 *                   if_tsoffset (code 14)
 *   EPB 0x00000006  a frame: interface, 64-bit timestamp, captured and
 *                   original lengths
 *   SPB 0x00000003  a frame of interface 0, no timestamp: captured length
 *                   is the smaller of its original length and the snaplen
 *   OPB 0x00000002  the obsolete packet block, read like an EPB
 * and steps over every other block (name resolution, statistics, custom,
 * ...).  It refuses, naming the block's byte offset, what kvick cannot
 * represent: an interface whose link type is not Ethernet, a frame of an
 * interface not described, a version other than 1.x; and what is broken:
 * a bad length, a trailer length that differs, a cut block.
 */
#ifndef KVICK_PCAPNG_FORMAT_H
#define KVICK_PCAPNG_FORMAT_H

#include "pcap_format.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du

/* The file is at offset 0 and starts with an SHB: read it. 0 or -1. */
int pcapng_in_open(struct pcap_in *in);
int pcapng_in_next(struct pcap_in *in, uint8_t *buf, uint32_t max, struct pcap_record *rec);
int pcapng_in_rewind(struct pcap_in *in);

/* From pcap_format.c. */
int pcap_in_fail(struct pcap_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read a frame of len bytes: the first max into buf, the rest read past.
 * Returns the bytes consumed (< len: the file ended). */
size_t pcap_in_read_cut(struct pcap_in *in, uint8_t *buf, uint32_t max, uint32_t len);

#endif
