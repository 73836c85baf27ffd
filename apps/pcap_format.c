/* pcap_format.c -- classic pcap files: see pcap_format.h.  (pcapng files
 * are read by pcapng_format.c.) */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap_format.h"
#include "pcapng_format.h"

#define PCAP_READ_BUFFER  (256 * 1024)
#define PCAP_WRITE_BUFFER (256 * 1024)

/* ---- reading ---- */

int pcap_in_fail(struct pcap_in *in, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(in->error, sizeof(in->error), fmt, ap);
	va_end(ap);
	in->failed = true;
	return -1;
}

/* Fields are read as little-endian host words; a swapped file has them in
 * the other order. */
static uint32_t pcap_u32(const struct pcap_in *in, const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return in->swapped ? __builtin_bswap32(v) : v;
}

static int pcap_in_header(struct pcap_in *in)
{
	uint8_t h[PCAP_FILE_HEADER_LEN];
	size_t got = fread(h, 1, sizeof(h), in->f);
	if (got < sizeof(h) && ferror(in->f))   /* e.g. a directory: EISDIR */
		return pcap_in_fail(in, "cannot read %s: %s", in->path, strerror(errno));
	/* A pcapng section header (its type reads the same in both byte
	 * orders; the file may be shorter than 24 bytes). */
	uint32_t type;
	memcpy(&type, h, 4);
	if (got >= 4 && type == PCAPNG_SHB) {
		if (fseek(in->f, 0, SEEK_SET) != 0)
			return pcap_in_fail(in, "cannot read %s: %s", in->path, strerror(errno));
		return pcapng_in_open(in);
	}
	if (got < sizeof(h))
		return pcap_in_fail(in, "%s: byte offset 0: truncated file header (%zu of %u bytes)",
		                    in->path, got, PCAP_FILE_HEADER_LEN);
	uint32_t magic;
	memcpy(&magic, h, 4);
	if (magic == __builtin_bswap32(PCAP_MAGIC_USEC) || magic == __builtin_bswap32(PCAP_MAGIC_NSEC)) {
		in->swapped = true;
		magic = __builtin_bswap32(magic);
	}
	if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC)
		return pcap_in_fail(in, "%s: byte offset 0: bad magic 0x%08x, not a classic pcap file "
		                    "(expected a1b2c3d4 or a1b23c4d in either byte order, or a pcapng "
		                    "section header 0a0d0d0a)",
		                    in->path, magic);
	in->nsec = magic == PCAP_MAGIC_NSEC;
	in->snaplen = pcap_u32(in, h + 16);
	in->linktype = pcap_u32(in, h + 20) & 0x0fffffff; /* upper bits: FCS info */
	if (in->linktype != PCAP_LINKTYPE_ETHERNET)
		return pcap_in_fail(in, "%s: byte offset 20: link type %u is not Ethernet (1)",
		                    in->path, in->linktype);
	in->offset = PCAP_FILE_HEADER_LEN;
	return 0;
}

int pcap_in_open(struct pcap_in *in, const char *path)
{
	memset(in, 0, sizeof(*in));
	in->path = strdup(path);
	if (!in->path)
		return pcap_in_fail(in, "%s: out of memory", path);
	in->f = fopen(path, "rb");
	if (!in->f)
		return pcap_in_fail(in, "cannot open %s: %s", path, strerror(errno));
	/* Big reads: a pcap is read front to back once. */
	setvbuf(in->f, NULL, _IOFBF, PCAP_READ_BUFFER);
	return pcap_in_header(in);
}

size_t pcap_in_read_cut(struct pcap_in *in, uint8_t *buf, uint32_t max, uint32_t len)
{
	uint32_t kept = len < max ? len : max;
	size_t got = fread(buf, 1, kept, in->f);
	if (got < kept)
		return got;
	/* Read, not seek, past the rest: a frame cut off by the end of the
	 * file is then found, as for any frame. */
	uint8_t skip[4096];
	while (got < len) {
		size_t want = len - got < sizeof(skip) ? len - got : sizeof(skip);
		size_t n = fread(skip, 1, want, in->f);
		got += n;
		if (n < want)
			break;
	}
	return got;
}

int pcap_in_next(struct pcap_in *in, uint8_t *buf, uint32_t max, struct pcap_record *rec)
{
	if (in->failed)
		return -1;
	if (in->ng)
		return pcapng_in_next(in, buf, max, rec);
	uint8_t h[PCAP_RECORD_HEADER_LEN];
	uint64_t at = in->offset;
	size_t got = fread(h, 1, sizeof(h), in->f);
	if (got == 0 && feof(in->f))
		return 0;
	if (got < sizeof(h)) {
		if (ferror(in->f))
			return pcap_in_fail(in, "%s: record at byte offset %llu: read error: %s",
			                    in->path, (unsigned long long)at, strerror(errno));
		return pcap_in_fail(in, "%s: record at byte offset %llu: truncated header (%zu of %u bytes)",
		                    in->path, (unsigned long long)at, got, PCAP_RECORD_HEADER_LEN);
	}
	uint32_t sec = pcap_u32(in, h), frac = pcap_u32(in, h + 4);
	uint32_t caplen = pcap_u32(in, h + 8), origlen = pcap_u32(in, h + 12);
	/* snaplen 0 is written by a few tools to mean "no limit". */
	if (in->snaplen != 0 && caplen > in->snaplen)
		return pcap_in_fail(in, "%s: record at byte offset %llu: length %u exceeds the file's snaplen %u",
		                    in->path, (unsigned long long)at, caplen, in->snaplen);
	/* A record larger than buf (a GSO capture's 64 KB frames) keeps its
	 * first max bytes; the rest is read past. */
	uint32_t kept = caplen < max ? caplen : max;
	got = pcap_in_read_cut(in, buf, max, caplen);
	if (got < caplen)
		return pcap_in_fail(in, "%s: record at byte offset %llu: truncated data (%zu of %u bytes)",
		                    in->path, (unsigned long long)at, got, caplen);
	in->offset = at + PCAP_RECORD_HEADER_LEN + caplen;
	rec->offset = at;
	rec->ts_ns = (uint64_t)sec * 1000000000u + (in->nsec ? frac : (uint64_t)frac * 1000u);
	rec->caplen = caplen;
	rec->kept = kept;
	rec->has_ts = true;
	rec->origlen = origlen;
	return 1;
}

int pcap_in_rewind(struct pcap_in *in)
{
	if (in->failed)
		return -1;
	if (in->ng)
		return pcapng_in_rewind(in);
	if (fseek(in->f, PCAP_FILE_HEADER_LEN, SEEK_SET) != 0)
		return pcap_in_fail(in, "%s: cannot seek back to the first record: %s",
		                    in->path, strerror(errno));
	in->offset = PCAP_FILE_HEADER_LEN;
	return 0;
}

void pcap_in_close(struct pcap_in *in)
{
	if (in->f)
		fclose(in->f);
	free(in->ifs);
	in->ifs = NULL;
	free(in->path);
	in->f = NULL;
	in->path = NULL;
}

/* ---- writing ---- */

static void put_u16(uint8_t *b, uint16_t v) { memcpy(b, &v, 2); }
static void put_u32(uint8_t *b, uint32_t v) { memcpy(b, &v, 4); }
static uint32_t get_u32(const uint8_t *b) { uint32_t v; memcpy(&v, b, 4); return v; }

/* Write len bytes, resuming after short writes (signals, pipes).  Returns
 * 0, or the errno that stopped it with *done bytes written. */
static int write_all(int fd, const uint8_t *b, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(fd, b + *done, len - *done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		*done += (size_t)n;
	}
	return 0;
}

/* A write stopped after `done` bytes of the buffer: keep the records that
 * are whole in the file, cut the file after the last of them, and count
 * the rest as lost.  Returns how many were lost. */
static uint32_t pcap_out_cut(struct pcap_out *out, size_t done)
{
	size_t pos = 0;
	uint32_t kept = 0;
	uint64_t kept_bytes = 0;
	while (pos + PCAP_RECORD_HEADER_LEN <= out->used) {
		uint32_t len = get_u32(out->buf + pos + 8);   /* incl_len, host order */
		if (pos + PCAP_RECORD_HEADER_LEN + len > done)
			break;
		pos += PCAP_RECORD_HEADER_LEN + len;
		kept++;
		kept_bytes += len;
	}
	out->file_size += pos;
	/* Shrinking needs no free space.  A file that cannot be cut (a device
	 * such as /dev/full) keeps what the write left. */
	if (pos < done && ftruncate(out->fd, (off_t)out->file_size) != 0)
		out->file_size += done - pos;
	uint32_t lost = out->pending - kept;
	out->records -= lost;
	out->bytes -= out->pending_bytes - kept_bytes;
	out->lost += lost;
	return lost;
}

uint32_t pcap_out_flush(struct pcap_out *out)
{
	uint32_t lost = 0;
	if (!out->failed && out->used > 0) {
		size_t done;
		int err = write_all(out->fd, out->buf, out->used, &done);
		if (err) {
			out->failed = true;
			out->err = err;
			lost = pcap_out_cut(out, done);
		} else {
			out->file_size += out->used;
		}
	}
	out->used = 0;
	out->pending = 0;
	out->pending_bytes = 0;
	return lost;
}

int pcap_out_open(struct pcap_out *out, const char *path, bool nsec, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	out->nsec = nsec;
	out->path = strdup(path);
	out->buf = malloc(PCAP_WRITE_BUFFER);
	if (!out->path || !out->buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	out->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out->fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	/* Host byte order, like tcpdump: the magic tells readers which it is. */
	uint8_t h[PCAP_FILE_HEADER_LEN];
	put_u32(h, nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
	put_u16(h + 4, PCAP_VERSION_MAJOR);
	put_u16(h + 6, PCAP_VERSION_MINOR);
	put_u32(h + 8, 0);                      /* thiszone: timestamps are UTC */
	put_u32(h + 12, 0);                     /* sigfigs: always 0 in practice */
	put_u32(h + 16, PCAP_WRITE_SNAPLEN);
	put_u32(h + 20, PCAP_LINKTYPE_ETHERNET);
	/* Written now, so a file that exists is a valid (empty) pcap, and a
	 * full disk is found before anything starts. */
	size_t done;
	int e = write_all(out->fd, h, sizeof(h), &done);
	if (e) {
		snprintf(err, errlen, "cannot write the header of %s: %s", path, strerror(e));
		return -1;
	}
	out->file_size = sizeof(h);
	return 0;
}

uint32_t pcap_out_write(struct pcap_out *out, const uint8_t *frame, uint32_t len,
                        uint32_t origlen, uint64_t ts_ns)
{
	if (out->failed) {
		out->lost++;
		return 1;
	}
	if (len > PCAP_WRITE_SNAPLEN)   /* never for kvick frames; keeps the file valid */
		len = PCAP_WRITE_SNAPLEN;
	if (origlen < len)
		origlen = len;
	uint32_t lost = 0;
	if (out->used + PCAP_RECORD_HEADER_LEN + len > PCAP_WRITE_BUFFER) {
		lost = pcap_out_flush(out);
		if (out->failed) {
			out->lost++;
			return lost + 1;
		}
	}
	uint8_t *h = out->buf + out->used;
	uint64_t sec = ts_ns / 1000000000u, ns = ts_ns % 1000000000u;
	put_u32(h, (uint32_t)sec);
	put_u32(h + 4, (uint32_t)(out->nsec ? ns : ns / 1000u));
	put_u32(h + 8, len);
	put_u32(h + 12, origlen);
	memcpy(h + PCAP_RECORD_HEADER_LEN, frame, len);
	out->used += PCAP_RECORD_HEADER_LEN + len;
	out->pending++;
	out->pending_bytes += len;
	out->records++;
	out->bytes += len;
	return lost;
}

uint32_t pcap_out_close(struct pcap_out *out)
{
	uint32_t lost = 0;
	if (out->fd >= 0) {
		lost = pcap_out_flush(out);
		if (close(out->fd) != 0 && !out->failed) {
			out->failed = true;
			out->err = errno;
		}
	}
	out->fd = -1;
	free(out->buf);
	free(out->path);
	out->buf = NULL;
	out->path = NULL;
	return lost;
}
