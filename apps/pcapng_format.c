/* pcapng_format.c -- reading pcapng files: see pcapng_format.h. */
#include "pcapng_format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PCAPNG_IDB 0x00000001u
#define PCAPNG_OPB 0x00000002u   /* obsolete Packet Block */
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u

#define OPT_ENDOFOPT   0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14

/* Largest block read whole (headers and IDBs; packet data is read past,
 * not held): a bigger one is a corrupt length. */
#define PCAPNG_MAX_BLOCK (64u << 20)

static uint32_t ng_u32(const struct pcap_in *in, const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return in->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t ng_u16(const struct pcap_in *in, const uint8_t *b)
{
	uint16_t v;
	memcpy(&v, b, 2);
	return in->swapped ? __builtin_bswap16(v) : v;
}

static uint64_t ng_u64(const struct pcap_in *in, const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
	return in->swapped ? __builtin_bswap64(v) : v;
}

static int ng_fail_at(struct pcap_in *in, uint64_t at, const char *what, const char *why)
{
	return pcap_in_fail(in, "%s: %s at byte offset %llu: %s", in->path, what,
	                    (unsigned long long)at, why);
}

/* Read n bytes at the current position (n > 0). 0, or -1 if the file ended. */
static int ng_read(struct pcap_in *in, void *b, size_t n)
{
	return fread(b, 1, n, in->f) == n ? 0 : -1;
}

static int ng_skip(struct pcap_in *in, uint64_t n)
{
	uint8_t scratch[4096];
	while (n > 0) {
		size_t want = n < sizeof(scratch) ? n : sizeof(scratch);
		if (ng_read(in, scratch, want) < 0)
			return -1;
		n -= want;
	}
	return 0;
}

/* ---- section header ---- */

/* The SHB at `at`, whose first 8 bytes (type, length) are in first8 and
 * read; the file is positioned after them. */
static int ng_section(struct pcap_in *in, uint64_t at, const uint8_t first8[8])
{
	uint8_t h[16];   /* type, length, byte-order magic, major, minor */
	memcpy(h, first8, 8);
	if (ng_read(in, h + 8, 8) < 0)
		return ng_fail_at(in, at, "section header block", "truncated (less than 16 bytes)");
	uint32_t bom;
	memcpy(&bom, h + 8, 4);
	if (bom == PCAPNG_BYTE_ORDER_MAGIC)
		in->swapped = false;
	else if (bom == __builtin_bswap32(PCAPNG_BYTE_ORDER_MAGIC))
		in->swapped = true;
	else {
		char why[96];
		snprintf(why, sizeof(why), "byte-order magic 0x%08x is not 1a2b3c4d in either order", bom);
		return ng_fail_at(in, at, "section header block", why);
	}
	uint32_t len = ng_u32(in, h + 4);
	uint16_t major = ng_u16(in, h + 12);
	if (len < 28 || len % 4 || len > PCAPNG_MAX_BLOCK) {
		char why[64];
		snprintf(why, sizeof(why), "bad block length %u", len);
		return ng_fail_at(in, at, "section header block", why);
	}
	if (major != 1) {
		char why[96];
		snprintf(why, sizeof(why), "version %u.%u; kvick reads pcapng 1.x", major,
		         ng_u16(in, h + 14));
		return ng_fail_at(in, at, "section header block", why);
	}
	/* section length (8), options, trailer: nothing kvick needs */
	if (ng_skip(in, len - sizeof(h) - 4) < 0)
		return ng_fail_at(in, at, "section header block", "cut short by the end of the file");
	uint8_t t[4];
	if (ng_read(in, t, 4) < 0 || ng_u32(in, t) != len)
		return ng_fail_at(in, at, "section header block", "trailing length differs (corrupt)");
	in->nifs = 0;   /* interfaces are per section */
	in->offset = at + len;
	return 0;
}

static int ng_interface_block(struct pcap_in *in, uint64_t at, uint32_t len);

/* Read the IDBs that follow the section header now, so an interface kvick
 * cannot represent is refused when the file is opened (by `kvick check`
 * too); stop before any other block. */
static int ng_leading_interfaces(struct pcap_in *in)
{
	for (;;) {
		uint64_t at = in->offset;
		uint8_t h[8];
		if (fread(h, 1, sizeof(h), in->f) < sizeof(h) || ng_u32(in, h) != PCAPNG_IDB)
			return fseek(in->f, (long)at, SEEK_SET) == 0 ? 0 :
			       pcap_in_fail(in, "%s: cannot seek: %s", in->path, strerror(errno));
		uint32_t len = ng_u32(in, h + 4);
		if (len < 12 || len % 4 || len > PCAPNG_MAX_BLOCK)
			return ng_fail_at(in, at, "interface description block", "bad block length");
		if (ng_interface_block(in, at, len) < 0)
			return -1;
		in->offset = at + len;
	}
}

int pcapng_in_open(struct pcap_in *in)
{
	in->ng = true;
	in->nsec = true;   /* times are converted to ns per interface */
	in->linktype = PCAP_LINKTYPE_ETHERNET;
	uint8_t h[8];
	if (ng_read(in, h, 8) < 0)
		return ng_fail_at(in, 0, "section header block", "truncated (less than 16 bytes)");
	if (ng_section(in, 0, h) < 0)
		return -1;
	return ng_leading_interfaces(in);
}

int pcapng_in_rewind(struct pcap_in *in)
{
	if (fseek(in->f, 0, SEEK_SET) != 0)
		return pcap_in_fail(in, "%s: cannot seek back to the start: %s", in->path,
		                    strerror(errno));
	return pcapng_in_open(in);
}

/* ---- interface description ---- */

static const char *ng_options_tsresol(struct pcap_in *in, struct pcapng_if *ifc,
                                      const uint8_t *o, size_t n)
{
	while (n >= 4) {
		uint16_t code = ng_u16(in, o), len = ng_u16(in, o + 2);
		size_t padded = (len + 3u) & ~3u;
		if (code == OPT_ENDOFOPT)
			break;
		if (4 + padded > n)
			return "an option runs past the block";
		if (code == OPT_IF_TSRESOL) {
			if (len != 1)
				return "if_tsresol is not 1 byte";
			ifc->tsres_pow2 = o[4] & 0x80;
			ifc->tsres_exp = o[4] & 0x7f;
			if (ifc->tsres_pow2 ? ifc->tsres_exp > 63 : ifc->tsres_exp > 19)
				return "if_tsresol is finer than a 64-bit time can count";
		} else if (code == OPT_IF_TSOFFSET) {
			if (len != 8)
				return "if_tsoffset is not 8 bytes";
			ifc->tsoffset_s = (int64_t)ng_u64(in, o + 4);
		}
		o += 4 + padded;
		n -= 4 + padded;
	}
	return NULL;
}

static int ng_interface(struct pcap_in *in, uint64_t at, const uint8_t *body, uint32_t n)
{
	if (n < 8)
		return ng_fail_at(in, at, "interface description block", "shorter than 8 bytes");
	uint16_t linktype = ng_u16(in, body);
	if (linktype != PCAP_LINKTYPE_ETHERNET) {
		char why[128];
		snprintf(why, sizeof(why), "interface %u has link type %u; kvick frames are Ethernet (1)",
		         in->nifs, linktype);
		return ng_fail_at(in, at, "interface description block", why);
	}
	struct pcapng_if ifc = {.snaplen = ng_u32(in, body + 4), .tsres_exp = 6};
	const char *bad = ng_options_tsresol(in, &ifc, body + 8, n - 8);
	if (bad)
		return ng_fail_at(in, at, "interface description block", bad);
	if (in->nifs == in->cap_ifs) {
		uint32_t cap = in->cap_ifs ? 2 * in->cap_ifs : 4;
		struct pcapng_if *ifs = realloc(in->ifs, cap * sizeof(*ifs));
		if (!ifs)
			return pcap_in_fail(in, "%s: out of memory", in->path);
		in->ifs = ifs;
		in->cap_ifs = cap;
	}
	in->ifs[in->nifs++] = ifc;
	return 0;
}

/* The rest of an IDB of `len` bytes at `at`, its 8-byte header read. */
static int ng_interface_block(struct pcap_in *in, uint64_t at, uint32_t len)
{
	uint8_t *body = malloc(len - 8);
	if (!body)
		return pcap_in_fail(in, "%s: out of memory", in->path);
	int r;
	if (ng_read(in, body, len - 8) < 0)
		r = ng_fail_at(in, at, "interface description block", "cut short by the end of the file");
	else if (ng_u32(in, body + len - 12) != len)
		r = ng_fail_at(in, at, "interface description block", "trailing length differs (corrupt)");
	else
		r = ng_interface(in, at, body, len - 12);
	free(body);
	return r;
}

/* ---- packets ---- */

static uint64_t ng_time_ns(const struct pcapng_if *ifc, uint64_t ticks)
{
	uint64_t ns;
	if (ifc->tsres_pow2) {
		ns = (uint64_t)(((unsigned __int128)ticks * 1000000000u) >> ifc->tsres_exp);
	} else {
		uint64_t scale = 1;
		for (int e = ifc->tsres_exp; e < 9; e++)
			scale *= 10;
		ns = ticks * scale;
		for (int e = ifc->tsres_exp; e > 9; e--)
			ns /= 10;   /* finer than a nanosecond: kvick keeps ns */
	}
	return ns + (uint64_t)ifc->tsoffset_s * 1000000000u;   /* (wraps, never UB) */
}

/* A packet block of `len` bytes at `at`, its 8-byte header read. */
static int ng_packet(struct pcap_in *in, uint64_t at, uint32_t type, uint32_t len, uint8_t *buf,
                     uint32_t max, struct pcap_record *rec)
{
	const char *what = type == PCAPNG_SPB ? "simple packet block" :
	                   type == PCAPNG_EPB ? "enhanced packet block" : "packet block";
	uint8_t h[20];
	size_t fixed = type == PCAPNG_SPB ? 4 : 20;
	if (len < 12 + fixed)
		return ng_fail_at(in, at, what, "too short for its fields");
	if (ng_read(in, h, fixed) < 0)
		return ng_fail_at(in, at, what, "cut short by the end of the file");
	uint32_t ifid, caplen, origlen;
	uint64_t ticks = 0;
	if (type == PCAPNG_SPB) {
		ifid = 0;
		origlen = ng_u32(in, h);
		caplen = len - 16 < origlen ? len - 16 : origlen;
		if (in->nifs > 0 && in->ifs[0].snaplen && caplen > in->ifs[0].snaplen)
			caplen = in->ifs[0].snaplen;
	} else {
		/* EPB: interface u32; OPB: interface u16, drops u16 */
		ifid = type == PCAPNG_EPB ? ng_u32(in, h) : ng_u16(in, h);
		ticks = (uint64_t)ng_u32(in, h + 4) << 32 | ng_u32(in, h + 8);
		caplen = ng_u32(in, h + 12);
		origlen = ng_u32(in, h + 16);
	}
	if (ifid >= in->nifs) {
		char why[128];
		snprintf(why, sizeof(why), "frame of interface %u, but the section describes %u "
		         "interface%s", ifid, in->nifs, in->nifs == 1 ? "" : "s");
		return ng_fail_at(in, at, what, why);
	}
	uint64_t data_room = len - 12 - fixed;
	if (caplen > data_room) {
		char why[96];
		snprintf(why, sizeof(why), "captured length %u exceeds the block (%llu bytes of data)",
		         caplen, (unsigned long long)data_room);
		return ng_fail_at(in, at, what, why);
	}
	if (pcap_in_read_cut(in, buf, max, caplen) < caplen ||
	    ng_skip(in, data_room - caplen) < 0)   /* padding and options */
		return ng_fail_at(in, at, what, "cut short by the end of the file");
	uint8_t t[4];
	if (ng_read(in, t, 4) < 0)
		return ng_fail_at(in, at, what, "cut short by the end of the file");
	if (ng_u32(in, t) != len)
		return ng_fail_at(in, at, what, "trailing length differs (corrupt)");
	rec->offset = at;
	rec->ts_ns = type == PCAPNG_SPB ? 0 : ng_time_ns(&in->ifs[ifid], ticks);
	rec->has_ts = type != PCAPNG_SPB;
	rec->caplen = caplen;
	rec->kept = caplen < max ? caplen : max;
	rec->origlen = origlen;
	in->offset = at + len;
	return 1;
}

int pcapng_in_next(struct pcap_in *in, uint8_t *buf, uint32_t max, struct pcap_record *rec)
{
	for (;;) {
		uint64_t at = in->offset;
		uint8_t h[8];
		size_t got = fread(h, 1, sizeof(h), in->f);
		if (got == 0 && feof(in->f))
			return 0;
		if (got < sizeof(h))
			return ng_fail_at(in, at, "block", "truncated header");
		uint32_t type, len;
		memcpy(&type, h, 4);
		if (type == PCAPNG_SHB) {
			if (ng_section(in, at, h) < 0)
				return -1;
			continue;
		}
		type = ng_u32(in, h);
		len = ng_u32(in, h + 4);
		if (len < 12 || len % 4 || len > PCAPNG_MAX_BLOCK) {
			char why[64];
			snprintf(why, sizeof(why), "bad block length %u (type 0x%08x)", len, type);
			return ng_fail_at(in, at, "block", why);
		}
		if (type == PCAPNG_EPB || type == PCAPNG_SPB || type == PCAPNG_OPB)
			return ng_packet(in, at, type, len, buf, max, rec);
		if (type == PCAPNG_IDB) {
			if (ng_interface_block(in, at, len) < 0)
				return -1;
		} else {
			/* name resolution, statistics, custom, ...: nothing for kvick */
			uint8_t t[4];
			if (ng_skip(in, len - 12) < 0 || ng_read(in, t, 4) < 0)
				return ng_fail_at(in, at, "block", "cut short by the end of the file");
			if (ng_u32(in, t) != len)
				return ng_fail_at(in, at, "block", "trailing length differs (corrupt)");
		}
		in->offset = at + len;
	}
}
