/* wire_pcap.c -- a port wired to pcap files.
 *
 * pcap-in: the frames of a classic pcap file (microsecond or nanosecond,
 * either byte order, LINKTYPE_ETHERNET) arrive at RX once, in order, as
 * fast as RX takes them (a lossless source: a frame waits until its queue
 * has a free descriptor, so a file always arrives whole).  A truncated or
 * malformed file stops the input with an error naming the record and
 * byte offset; frames already delivered stay delivered.
 * pcap-out: every frame the port transmits with a valid FCS is appended
 * (microsecond timestamps, LINKTYPE_ETHERNET, snaplen 65535).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "model.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

static uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }

int wire_pcap_open(struct sim_port *p, const char *in, const char *out, char *err, size_t errlen)
{
	struct sim_wire *w = &p->wire;
	if (in) {
		uint32_t hdr[6];
		w->pcap_in = fopen(in, "rb");
		if (!w->pcap_in) {
			snprintf(err, errlen, "sim:%u pcap-in=%s: %s", p->id, in, strerror(errno));
			return -1;
		}
		if (fread(hdr, sizeof hdr, 1, w->pcap_in) != 1) {
			snprintf(err, errlen, "sim:%u pcap-in=%s: too short for a pcap header (24 bytes)", p->id, in);
			goto fail;
		}
		w->pcap_in_swap = hdr[0] == swap32(PCAP_MAGIC_US) || hdr[0] == swap32(PCAP_MAGIC_NS);
		uint32_t magic = w->pcap_in_swap ? swap32(hdr[0]) : hdr[0];
		uint32_t link = w->pcap_in_swap ? swap32(hdr[5]) : hdr[5];
		if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) {
			snprintf(err, errlen, "sim:%u pcap-in=%s: not a pcap file (magic 0x%08x; pcapng is not supported)",
			         p->id, in, hdr[0]);
			goto fail;
		}
		if ((link & 0xFFFF) != 1) {
			snprintf(err, errlen, "sim:%u pcap-in=%s: link type %u, expected 1 (Ethernet)", p->id, in, link);
			goto fail;
		}
		w->pcap_in_nsec = magic == PCAP_MAGIC_NS;
		w->pcap_in_done = false;
		w->pcap_in_records = 0;
	}
	if (out) {
		w->pcap_out = fopen(out, "wb");
		if (!w->pcap_out) {
			snprintf(err, errlen, "sim:%u pcap-out=%s: %s", p->id, out, strerror(errno));
			goto fail;
		}
		uint32_t hdr[6] = { PCAP_MAGIC_US, 0x00040002u, 0, 0, 65535, 1 };
		fwrite(hdr, sizeof hdr, 1, w->pcap_out);
	}
	return 0;
fail:
	wire_pcap_close(p);
	return -1;
}

void wire_pcap_close(struct sim_port *p)
{
	struct sim_wire *w = &p->wire;
	if (w->pcap_in)
		fclose(w->pcap_in);
	if (w->pcap_out)
		fclose(w->pcap_out);
	w->pcap_in = w->pcap_out = NULL;
}

void wire_pcap_write(struct sim_port *p, const uint8_t *d, uint32_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint32_t rec[4] = { (uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), len, len };
	if (fwrite(rec, sizeof rec, 1, p->wire.pcap_out) != 1 ||
	    fwrite(d, len, 1, p->wire.pcap_out) != 1) {
		log_once(LOG_ERROR, "sim:%u pcap-out: write failed: %s", p->id, strerror(errno));
		stat_add(&p->st.tx_drop_link, 1);
	}
}

/* Read the next record into the pending frame: 1 ok, 0 end, -1 bad. */
int wire_pcap_read(struct sim_port *p)
{
	struct sim_wire *w = &p->wire;
	uint32_t rec[4];
	long at = ftell(w->pcap_in);
	size_t got = fread(rec, 1, sizeof rec, w->pcap_in);
	if (got == 0) {
		w->pcap_in_done = true;
		return 0;
	}
	if (got != sizeof rec)
		goto bad;
	uint32_t caplen = w->pcap_in_swap ? swap32(rec[2]) : rec[2];
	if (caplen > SIM_FRAME_MAX || caplen < 14) {
		log_error("sim:%u pcap-in: record %llu at byte %ld has %u bytes; expected 14..%u; input stopped",
		          p->id, (unsigned long long)w->pcap_in_records + 1, at, caplen, SIM_FRAME_MAX);
		w->pcap_in_done = true;
		return -1;
	}
	if (fread(w->pending, 1, caplen, w->pcap_in) != caplen)
		goto bad;
	w->pending_len = caplen;
	w->pcap_in_records++;
	return 1;
bad:
	log_error("sim:%u pcap-in: record %llu at byte %ld is truncated; input stopped",
	          p->id, (unsigned long long)w->pcap_in_records + 1, at);
	w->pcap_in_done = true;
	return -1;
}
