/* pcap_format.h -- the classic pcap file format, read and written.
 *
 * One small module that knows the bytes of a .pcap file and nothing about
 * apps or packets, so the pcap apps and the hw-sim pcap wire share it.
 *
 * A classic pcap file is a 24-byte file header followed by records, each a
 * 16-byte record header and the captured bytes:
 *
 *   file header   magic u32, version_major u16, version_minor u16,
 *                 thiszone s32, sigfigs u32, snaplen u32, linktype u32
 *   record header ts_sec u32, ts_frac u32, incl_len u32, orig_len u32
 *
 * The magic says both the byte order of every field (it reads as
 * a1b2c3d4 in the writer's order, d4c3b2a1 in the other) and the unit of
 * ts_frac: a1b2c3d4 microseconds, a1b23c4d nanoseconds.  kvick frames are
 * Ethernet, so only link type 1 (LINKTYPE_ETHERNET) is accepted.
 *
 * Errors are messages that name the file and the byte offset where the
 * problem is, e.g. "x.pcap: record at byte offset 1234: truncated data
 * (10 of 60 bytes)".  A reader that hit an error stays in error.
 */
#ifndef KVICK_PCAP_FORMAT_H
#define KVICK_PCAP_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAP_MAGIC_USEC       0xa1b2c3d4u
#define PCAP_MAGIC_NSEC       0xa1b23c4du
#define PCAP_VERSION_MAJOR    2
#define PCAP_VERSION_MINOR    4
#define PCAP_LINKTYPE_ETHERNET 1u
#define PCAP_FILE_HEADER_LEN  24u
#define PCAP_RECORD_HEADER_LEN 16u
#define PCAP_WRITE_SNAPLEN    65535u  /* what we write; frames are <= 9216 */
#define PCAP_ERROR_MAX        512

/* ---- reading ---- */

/* One interface of a pcapng section (pcapng_format.h). */
struct pcapng_if {
	uint32_t snaplen;
	bool tsres_pow2;     /* if_tsresol: units of 2^-exp s, else 10^-exp s */
	uint8_t tsres_exp;
	int64_t tsoffset_s;  /* if_tsoffset: seconds added to every time */
};

struct pcap_in {
	FILE *f;
	char *path;
	uint64_t offset;     /* byte offset of the next record header (block) */
	bool swapped;        /* fields are in the other byte order */
	bool nsec;           /* ts_frac counts nanoseconds */
	uint32_t snaplen, linktype;
	bool ng;             /* a pcapng file: the fields below */
	struct pcapng_if *ifs;
	uint32_t nifs, cap_ifs;  /* interfaces of the current section */
	bool failed;
	char error[PCAP_ERROR_MAX];
};

struct pcap_record {
	uint64_t offset;     /* byte offset of its record header */
	uint64_t ts_ns;      /* capture time, ns since the Unix epoch */
	uint32_t caplen;     /* bytes stored (incl_len) */
	uint32_t kept;       /* of those, bytes read into the buffer (<= its max) */
	bool has_ts;         /* ts_ns is a time (a pcapng simple packet has none) */
	uint32_t origlen;    /* bytes on the wire (orig_len) */
};

/* Open a file and check its header: a classic pcap, or a pcapng file
 * (pcapng_format.h; records are then its packet blocks).  0 on success;
 * -1 with in->error set (cannot open, short header, bad magic, not
 * Ethernet).  Even on failure, call pcap_in_close() to release what was
 * opened. */
int pcap_in_open(struct pcap_in *in, const char *path);

/* Read the next record's bytes into buf (room for max bytes; a longer
 * record keeps its first max bytes, rec->kept says how many).
 * Returns 1 with *rec filled, 0 at a clean end of file, -1 on a truncated
 * or corrupt record (in->error says what and where; the file position is
 * unspecified and every later call returns -1). */
int pcap_in_next(struct pcap_in *in, uint8_t *buf, uint32_t max, struct pcap_record *rec);

/* Go back to the first record (for looping).  0 or -1 with in->error. */
int pcap_in_rewind(struct pcap_in *in);

void pcap_in_close(struct pcap_in *in);

/* ---- writing ---- */

/* The file header is written at open; records are gathered in a buffer
 * and written with write(2) when it is full, on pcap_out_flush() and on
 * close.  A write error (ENOSPC: the disk is full) marks the writer
 * failed: the file is cut back to its last whole record (a write that
 * stopped inside a record leaves no half record behind), the records
 * that did not make it and every later one are lost, and the functions
 * below return how many, so the caller can count them.  (A pcap file with
 * a hole, or a half record, would be worse than a short one.) */
struct pcap_out {
	int fd;
	char *path;
	bool nsec;
	bool failed;
	int err;             /* errno of the first failure */
	uint8_t *buf;
	size_t used;
	uint32_t pending;    /* records in buf */
	uint64_t pending_bytes;   /* their captured bytes */
	uint64_t file_size;  /* bytes in the file: always at a record's end */
	uint64_t records, bytes;  /* records (and captured bytes) in the file or buf */
	uint64_t lost;       /* records that will never be in the file */
};

/* Create (truncate) path and write the file header.  0, or -1 with a
 * message naming the path (and errno's text) in err. */
int pcap_out_open(struct pcap_out *out, const char *path, bool nsec, char *err, size_t errlen);

/* Append one record: len bytes of frame, origlen its length on the wire
 * (>= len; more when the frame was snapped).  Returns records lost. */
uint32_t pcap_out_write(struct pcap_out *out, const uint8_t *frame, uint32_t len,
                        uint32_t origlen, uint64_t ts_ns);

/* Write out the buffer.  Returns records lost. */
uint32_t pcap_out_flush(struct pcap_out *out);

/* Flush and close.  Returns records lost.  If close(2) itself fails (it
 * can, on network file systems) out->failed and out->err tell. */
uint32_t pcap_out_close(struct pcap_out *out);

#endif
