/* test_apps_pcap.c -- pcap_reader and pcap_writer on hand-made files.
 *
 * The files are built byte by byte here (both byte orders, microsecond and
 * nanosecond magic), so each test knows exactly what the reader must
 * deliver, and where a truncated or corrupt file goes wrong.  The writer's
 * output is read back with pcap_format's reader and compared byte for byte
 * with its input. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "apps_test.h"
#include "../../apps/pcap_format.h"

static char tmpdir[64];

/* ---- building pcap files ---- */

struct pbuf {
	uint8_t b[160 * 1024];
	size_t n;
	bool big_endian;
	size_t rec_off[32];      /* where each record starts */
	int nrec;
};

static void put(struct pbuf *pb, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int shift = pb->big_endian ? 8 * (bytes - 1 - i) : 8 * i;
		pb->b[pb->n++] = (uint8_t)(v >> shift);
	}
}

static void file_header(struct pbuf *pb, bool big_endian, uint32_t magic, uint32_t snaplen,
                        uint32_t linktype)
{
	memset(pb, 0, sizeof(*pb));
	pb->big_endian = big_endian;
	put(pb, magic, 4);
	put(pb, 2, 2);
	put(pb, 4, 2);
	put(pb, 0, 4);
	put(pb, 0, 4);
	put(pb, snaplen, 4);
	put(pb, linktype, 4);
}

/* Frame i of a test: a pattern that differs per frame and per byte. */
static uint8_t pattern(int frame, uint32_t byte) { return (uint8_t)(frame * 37 + byte * 7 + 1); }

static void record(struct pbuf *pb, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t origlen,
                   int frame)
{
	pb->rec_off[pb->nrec++] = pb->n;
	put(pb, sec, 4);
	put(pb, frac, 4);
	put(pb, caplen, 4);
	put(pb, origlen, 4);
	for (uint32_t k = 0; k < caplen; k++)
		pb->b[pb->n++] = pattern(frame, k);
}

static const char *save(const char *name, const void *data, size_t len)
{
	static char path[8][128];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, 128, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

/* The three frames most tests use: lengths 60, 98 and 1514. */
static const uint32_t len3[3] = {60, 98, 1514};

static void three_records(struct pbuf *pb, bool big_endian, bool nsec)
{
	file_header(pb, big_endian, nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, 65535, 1);
	record(pb, 1700000000, nsec ? 123456789 : 123456, len3[0], len3[0], 0);
	record(pb, 1700000000, nsec ? 999999999 : 999999, len3[1], len3[1], 1);
	record(pb, 1700000001, 0, len3[2], 2000, 2);  /* snapped: orig 2000 */
}

static uint64_t ts3(int i, bool nsec)
{
	static const uint64_t usec[3] = {1700000000123456000ull, 1700000000999999000ull, 1700000001000000000ull};
	static const uint64_t nsec_[3] = {1700000000123456789ull, 1700000000999999999ull, 1700000001000000000ull};
	return nsec ? nsec_[i] : usec[i];
}

static void check_frame(struct packet *p, int frame, uint32_t len)
{
	assert_int_equal(p->length, len);
	for (uint32_t k = 0; k < len; k++)
		if (packet_data(p)[k] != pattern(frame, k))
			fail_msg("frame %d byte %u: %u, expected %u", frame, k, packet_data(p)[k], pattern(frame, k));
}

static char *reader_topo(const char *path, const char *extra)
{
	static char text[512];
	snprintf(text, sizeof(text),
	         "app rd pcap_reader file=%s %s\n"
	         "app cap capture\n"
	         "link rd.output -> cap.input\n", path, extra);
	return text;
}

/* ---- reading good files ---- */

static void read_three(bool big_endian, bool nsec)
{
	static struct pbuf pb;
	three_records(&pb, big_endian, nsec);
	const char *path = save("three.pcap", pb.b, pb.n);
	struct net n = net_start(reader_topo(path, ""));
	breathe_until_idle(&n);
	assert_true(app_done(&n, "rd"));
	assert_int_equal(counter(&n, "rd", "packets"), 3);
	assert_int_equal(counter(&n, "rd", "bytes"), 60 + 98 + 1514);
	assert_int_equal(counter(&n, "rd", "errors"), 0);
	assert_int_equal(counter(&n, "rd", "snapped"), 1);
	struct packet *p[4];
	assert_int_equal(captured_of("cap", p, 4), 3);
	for (int i = 0; i < 3; i++) {
		check_frame(p[i], i, len3[i]);
		assert_int_equal(p[i]->timestamp_ns, ts3(i, nsec));
	}
	net_end(&n);
}

static void read_classic_little_endian(void **state) { read_three(false, false); }
static void read_classic_big_endian(void **state) { read_three(true, false); }
static void read_nsec_little_endian(void **state) { read_three(false, true); }
static void read_nsec_big_endian(void **state) { read_three(true, true); }

static void read_loop(void **state)
{
	static struct pbuf pb;
	three_records(&pb, false, false);
	const char *path = save("loop.pcap", pb.b, pb.n);
	struct net n = net_start(reader_topo(path, "loop=true"));
	breathe(&n, 3);
	assert_false(app_done(&n, "rd"));
	assert_int_equal(counter(&n, "rd", "packets"), 3 * LINK_MAX_BATCH);
	/* 384 frames = 128 passes over the file, 127 rewinds so far */
	assert_int_equal(counter(&n, "rd", "loops"), 127);
	static struct packet *p[CAPTURE_MAX];
	int got = captured_of("cap", p, CAPTURE_MAX);
	assert_int_equal(got, 3 * LINK_MAX_BATCH);
	for (int i = 0; i < got; i++) {
		assert_int_equal(p[i]->length, len3[i % 3]);
		assert_int_equal(p[i]->timestamp_ns, ts3(i % 3, false));
		assert_int_equal(packet_data(p[i])[5], pattern(i % 3, 5));
	}
	net_end(&n);
}

static void read_loop_empty_file_is_done(void **state)
{
	static struct pbuf pb;
	file_header(&pb, false, PCAP_MAGIC_USEC, 65535, 1);
	const char *path = save("empty.pcap", pb.b, pb.n);
	struct net n = net_start(reader_topo(path, "loop=true"));
	breathe(&n, 2);
	assert_true(app_done(&n, "rd"));
	assert_int_equal(counter(&n, "rd", "packets"), 0);
	assert_int_equal(counter(&n, "rd", "errors"), 0);
	net_end(&n);
}

/* ---- pcapng ---- */

/* One pcapng block: type, length, body padded to 4, length again. */
static void ng_block(struct pbuf *pb, uint32_t type, const uint8_t *body, size_t n)
{
	uint32_t len = (uint32_t)(12 + ((n + 3) & ~(size_t)3));
	put(pb, type, 4);
	put(pb, len, 4);
	memcpy(pb->b + pb->n, body, n);
	memset(pb->b + pb->n + n, 0, len - 12 - n);
	pb->n += len - 12;
	put(pb, len, 4);
}

/* Fields of a block body in the file's byte order. */
static size_t ng_put(uint8_t *b, size_t at, uint64_t v, int bytes, bool big_endian)
{
	for (int i = 0; i < bytes; i++)
		b[at + i] = (uint8_t)(v >> (big_endian ? 8 * (bytes - 1 - i) : 8 * i));
	return at + bytes;
}

/* SHB; IDB 0 (microseconds); IDB 1 (if_tsresol 9: ns); EPB on 1; EPB on 0
 * snapped 64 of 1000; SPB 90 bytes. */
static void ng_file(struct pbuf *pb, bool be)
{
	memset(pb, 0, sizeof(*pb));
	pb->big_endian = be;
	uint8_t b[2048];
	size_t n = ng_put(b, 0, 0x1a2b3c4d, 4, be);
	n = ng_put(b, n, 1, 2, be), n = ng_put(b, n, 0, 2, be), n = ng_put(b, n, ~0ull, 8, be);
	ng_block(pb, 0x0a0d0d0a, b, n);
	n = ng_put(b, 0, 1, 2, be), n = ng_put(b, n, 0, 2, be), n = ng_put(b, n, 0, 4, be);
	ng_block(pb, 1, b, n);
	n = ng_put(b, 0, 1, 2, be), n = ng_put(b, n, 0, 2, be), n = ng_put(b, n, 65535, 4, be);
	n = ng_put(b, n, 9, 2, be), n = ng_put(b, n, 1, 2, be), n = ng_put(b, n, 0x09000000, 4, true);
	n = ng_put(b, n, 0, 4, be);   /* opt_endofopt */
	ng_block(pb, 1, b, n);
	static const struct { uint32_t ifid; uint64_t ticks; uint32_t cap, orig; } epb[2] = {
		{1, 1700000000123456789ull, 98, 98}, {0, 1700000000654321ull, 64, 1000},
	};
	for (int i = 0; i < 2; i++) {
		n = ng_put(b, 0, epb[i].ifid, 4, be);
		n = ng_put(b, n, epb[i].ticks >> 32, 4, be), n = ng_put(b, n, (uint32_t)epb[i].ticks, 4, be);
		n = ng_put(b, n, epb[i].cap, 4, be), n = ng_put(b, n, epb[i].orig, 4, be);
		for (uint32_t k = 0; k < epb[i].cap; k++)
			b[n++] = pattern(i, k);
		ng_block(pb, 6, b, n);
	}
	n = ng_put(b, 0, 90, 4, be);
	for (uint32_t k = 0; k < 90; k++)
		b[n++] = pattern(2, k);
	ng_block(pb, 3, b, n);
}

static void read_pcapng(bool be)
{
	static struct pbuf pb;
	ng_file(&pb, be);
	const char *path = save("t.pcapng", pb.b, pb.n);
	struct net n = net_start(reader_topo(path, "loop=true"));
	breathe(&n, 1);
	assert_int_equal(counter(&n, "rd", "errors"), 0);
	struct packet *p[CAPTURE_MAX];
	int got = captured_of("cap", p, CAPTURE_MAX);
	assert_true(got >= 6);   /* looped: the file again from its section header */
	for (int i = 0; i < 6; i++) {
		static const uint32_t len[3] = {98, 64, 90}, wire[3] = {98, 1000, 90};
		struct packet *q = p[i];
		check_frame(q, i % 3, len[i % 3]);
		assert_int_equal(packet_wire_length(q), wire[i % 3]);
		assert_int_equal(!!(q->flags & PACKET_F_TIMESTAMP), i % 3 != 2);   /* SPB: no time */
		if (i % 3 == 0)
			assert_int_equal(q->timestamp_ns, 1700000000123456789ull);
		if (i % 3 == 1)
			assert_int_equal(q->timestamp_ns, 1700000000654321000ull);
	}
	net_end(&n);
}

static void read_pcapng_little_endian(void **state) { read_pcapng(false); }
static void read_pcapng_big_endian(void **state) { read_pcapng(true); }

/* ---- truncated and corrupt files ---- */

/* Cut the three-record file after `cut` bytes: the records wholly before
 * the cut arrive, and a cut inside a record is an error naming the offset
 * of that record and how much of it there was. */
static void read_cut_at(const struct pbuf *full, size_t cut)
{
	const char *path = save("cut.pcap", full->b, cut);
	struct net n = net_start(reader_topo(path, ""));
	breathe_until_idle(&n);
	assert_true(app_done(&n, "rd"));
	int whole = 0, partial = -1;
	for (int i = 0; i < full->nrec; i++) {
		size_t end = full->rec_off[i] + 16 + len3[i];
		if (end <= cut)
			whole++;
		else if (full->rec_off[i] < cut)
			partial = i;
	}
	struct packet *p[4];
	assert_int_equal(captured_of("cap", p, 4), whole);
	for (int i = 0; i < whole; i++)
		check_frame(p[i], i, len3[i]);
	assert_int_equal(counter(&n, "rd", "packets"), whole);
	char *report = app_report_text(&n, "rd");
	if (partial < 0) {
		assert_int_equal(counter(&n, "rd", "errors"), 0);   /* a clean end */
		assert_string_equal(report, "");
	} else {
		assert_int_equal(counter(&n, "rd", "errors"), 1);
		size_t at = full->rec_off[partial], have = cut - at;
		char want[256];
		if (have < 16)
			snprintf(want, sizeof(want), "    error: %s: record at byte offset %zu: truncated header (%zu of 16 bytes)\n",
			         path, at, have);
		else
			snprintf(want, sizeof(want), "    error: %s: record at byte offset %zu: truncated data (%zu of %u bytes)\n",
			         path, at, have - 16, len3[partial]);
		assert_string_equal(report, want);
	}
	free(report);
	net_end(&n);
}

static void read_truncated_everywhere(void **state)
{
	static struct pbuf pb;
	three_records(&pb, false, false);
	/* every cut in the first two records and the start of the third,
	 * then a stride through the long third one */
	size_t dense_end = pb.rec_off[2] + 20;
	for (size_t cut = PCAP_FILE_HEADER_LEN; cut <= dense_end; cut++)
		read_cut_at(&pb, cut);
	for (size_t cut = dense_end + 1; cut <= pb.n; cut += 101)
		read_cut_at(&pb, cut);
	read_cut_at(&pb, pb.n - 1);
	read_cut_at(&pb, pb.n);
}

/* Two good records, then a bad one: errors name its offset. */
static void read_bad_record(uint32_t snaplen, uint32_t caplen, const char *what)
{
	static struct pbuf pb;
	file_header(&pb, true, PCAP_MAGIC_NSEC, snaplen, 1);
	record(&pb, 1, 2, 60, 60, 0);
	record(&pb, 3, 4, 98, 98, 1);
	size_t at = pb.n;
	put(&pb, 5, 4);
	put(&pb, 6, 4);
	put(&pb, caplen, 4);
	put(&pb, caplen, 4);
	memset(pb.b + pb.n, 0xab, 100);   /* whatever follows */
	const char *path = save("bad.pcap", pb.b, pb.n + 100);
	struct net n = net_start(reader_topo(path, ""));
	breathe_until_idle(&n);
	assert_true(app_done(&n, "rd"));
	struct packet *p[4];
	assert_int_equal(captured_of("cap", p, 4), 2);
	check_frame(p[0], 0, 60);
	check_frame(p[1], 1, 98);
	assert_int_equal(p[1]->timestamp_ns, 3000000004ull);
	assert_int_equal(counter(&n, "rd", "errors"), 1);
	char want[256], *report = app_report_text(&n, "rd");
	snprintf(want, sizeof(want), "    error: %s: record at byte offset %zu: %s\n", path, at, what);
	assert_string_equal(report, want);
	free(report);
	net_end(&n);
}

static void read_record_over_snaplen(void **state)
{
	read_bad_record(100, 101, "length 101 exceeds the file's snaplen 100");
}

/* Records longer than a packet holds (a GSO capture's 64 KB frames) are
 * delivered cut to PACKET_MAX_FRAME, snapped, with their original length,
 * and reading goes on. */
static void read_oversize_records_are_cut(void **state)
{
	static struct pbuf pb;
	file_header(&pb, false, PCAP_MAGIC_USEC, 262144, 1);
	record(&pb, 10, 1, 60, 60, 0);
	record(&pb, 11, 2, 9217, 9217, 1);
	record(&pb, 12, 3, 65000, 70000, 2);    /* and snapped by the capture too */
	record(&pb, 13, 4, 98, 98, 3);
	const char *path = save("gso.pcap", pb.b, pb.n);
	struct net n = net_start(reader_topo(path, ""));
	breathe_until_idle(&n);
	assert_true(app_done(&n, "rd"));
	assert_int_equal(counter(&n, "rd", "errors"), 0);
	assert_int_equal(counter(&n, "rd", "packets"), 4);
	assert_int_equal(counter(&n, "rd", "snapped"), 2);
	assert_int_equal(counter(&n, "rd", "bytes"), 60 + 9216 + 9216 + 98);
	struct packet *p[5];
	assert_int_equal(captured_of("cap", p, 5), 4);
	static const uint32_t len[4] = {60, 9216, 9216, 98}, wire[4] = {60, 9217, 70000, 98};
	for (int i = 0; i < 4; i++) {
		check_frame(p[i], i, len[i]);
		assert_int_equal(packet_wire_length(p[i]), wire[i]);
		assert_int_equal(!!(p[i]->flags & PACKET_F_SNAPPED), i == 1 || i == 2);
		assert_int_equal(p[i]->timestamp_ns, (10ull + i) * 1000000000u + (i + 1) * 1000u);
	}
	net_end(&n);
}

static void read_record_absurd_length(void **state)
{
	read_bad_record(65535, 0xffffffffu, "length 4294967295 exceeds the file's snaplen 65535");
}

static void read_bad_magic(void **state)
{
	static const uint8_t text[32] = "# not a capture, just some text\n";
	const char *path = save("text.pcap", text, sizeof(text));
	char *err = test_topology_refused("test.topo", reader_topo(path, ""));
	char want[256];
	snprintf(want, sizeof(want), "%s: byte offset 0: bad magic 0x6f6e2023, not a classic pcap file "
	         "(expected a1b2c3d4 or a1b23c4d in either byte order, or a pcapng section header "
	         "0a0d0d0a)", path);
	assert_contains(err, want);
	free(err);
}

static void read_short_file_header(void **state)
{
	static struct pbuf pb;
	file_header(&pb, false, PCAP_MAGIC_USEC, 65535, 1);
	const char *path = save("short.pcap", pb.b, 10);
	char *err = test_topology_refused("test.topo", reader_topo(path, ""));
	char want[256];
	snprintf(want, sizeof(want), "%s: byte offset 0: truncated file header (10 of 24 bytes)", path);
	assert_contains(err, want);
	free(err);
}

static void read_not_ethernet(void **state)
{
	static struct pbuf pb;
	file_header(&pb, false, PCAP_MAGIC_USEC, 65535, 113);   /* Linux cooked capture */
	const char *path = save("sll.pcap", pb.b, pb.n);
	char *err = test_topology_refused("test.topo", reader_topo(path, ""));
	char want[256];
	snprintf(want, sizeof(want), "%s: byte offset 20: link type 113 is not Ethernet (1)", path);
	assert_contains(err, want);
	free(err);
}

static void read_missing_file(void **state)
{
	char *err = test_topology_refused("test.topo", reader_topo("/nonexistent-kvick/x.pcap", ""));
	assert_contains(err, "cannot open /nonexistent-kvick/x.pcap: No such file or directory");
	free(err);
}

static void read_directory(void **state)
{
	char *err = test_topology_refused("test.topo", reader_topo(tmpdir, ""));
	char want[256];
	snprintf(want, sizeof(want), "cannot read %s: Is a directory", tmpdir);
	assert_contains(err, want);
	free(err);
}

/* ---- writing ---- */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_source_frames(void **state)
{
	char path[128], text[512];
	snprintf(path, sizeof(path), "%s/source.pcap", tmpdir);
	snprintf(text, sizeof(text),
	         "app src source count=300 size=100\n"
	         "app wr pcap_writer file=%s\n"
	         "link src.output -> wr.input\n", path);
	uint64_t t0 = wall_ns() / 1000 * 1000;
	struct net n = net_start(text);
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "wr", "packets"), 300);
	assert_int_equal(counter(&n, "wr", "bytes"), 300 * 100);
	assert_int_equal(counter(&n, "wr", "write_errors"), 0);
	net_end(&n);
	uint64_t t1 = wall_ns();

	/* read it back: header, 300 records, sequence numbers in order,
	 * wall-clock times from the run (sources set no timestamp) */
	struct pcap_in in;
	assert_int_equal(pcap_in_open(&in, path), 0);
	assert_false(in.swapped);
	assert_false(in.nsec);
	assert_int_equal(in.snaplen, 65535);
	uint8_t frame[PACKET_MAX_FRAME];
	struct pcap_record rec;
	for (int i = 0; i < 300; i++) {
		assert_int_equal(pcap_in_next(&in, frame, sizeof(frame), &rec), 1);
		assert_int_equal(rec.caplen, 100);
		assert_int_equal(rec.origlen, 100);
		assert_int_equal(frame[12], 0x88);
		assert_int_equal(frame[21], (uint8_t)i);
		assert_int_equal(frame[20], (uint8_t)(i >> 8));
		assert_true(rec.ts_ns >= t0 && rec.ts_ns <= t1);
	}
	assert_int_equal(pcap_in_next(&in, frame, sizeof(frame), &rec), 0);
	pcap_in_close(&in);
}

/* 2000 jumbo frames (18 MB) take many buffer flushes; all arrive in order. */
static void write_many_large_frames(void **state)
{
	char path[128], text[512];
	snprintf(path, sizeof(path), "%s/large.pcap", tmpdir);
	snprintf(text, sizeof(text),
	         "app src source count=2000 size=9216\n"
	         "app wr pcap_writer file=%s nsec=true\n"
	         "link src.output -> wr.input\n", path);
	struct net n = net_start(text);
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "wr", "packets"), 2000);
	net_end(&n);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, PCAP_FILE_HEADER_LEN + 2000 * (PCAP_RECORD_HEADER_LEN + 9216));
	struct pcap_in in;
	assert_int_equal(pcap_in_open(&in, path), 0);
	assert_true(in.nsec);
	static uint8_t frame[PACKET_MAX_FRAME];
	struct pcap_record rec;
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(pcap_in_next(&in, frame, sizeof(frame), &rec), 1);
		assert_int_equal(rec.caplen, 9216);
		assert_int_equal(frame[21] | frame[20] << 8, i);
		assert_int_equal(frame[9215], 0);
	}
	assert_int_equal(pcap_in_next(&in, frame, sizeof(frame), &rec), 0);
	pcap_in_close(&in);
}

/* reader -> writer copies a file byte for byte when the input's header is
 * the one the writer makes (host order, 2.4, snaplen 65535, Ethernet). */
static void round_trip(bool nsec)
{
	static struct pbuf pb;
	three_records(&pb, false, nsec);
	for (int i = 0; i < 20; i++)
		record(&pb, 1700000100 + i, nsec ? 1000u * i + 7 : 1000u * i, 64 + i * 50, 64 + i * 50, 3 + i);
	/* time 0 is a time (not "unknown": not replaced by the clock), and a
	 * record snapped to 64 of 262144 bytes keeps its original length */
	record(&pb, 0, 0, 60, 60, 23);
	record(&pb, 1700000200, 5, 64, 262144, 24);
	const char *in = save("rt-in.pcap", pb.b, pb.n);
	char out[128], text[512];
	snprintf(out, sizeof(out), "%s/rt-out.pcap", tmpdir);
	snprintf(text, sizeof(text),
	         "app rd pcap_reader file=%s\n"
	         "app wr pcap_writer file=%s nsec=%s\n"
	         "link rd.output -> wr.input\n", in, out, nsec ? "true" : "false");
	struct net n = net_start(text);
	breathe_until_idle(&n);
	assert_true(app_done(&n, "rd"));
	assert_int_equal(counter(&n, "wr", "packets"), 25);
	net_end(&n);
	size_t len;
	uint8_t *got = slurp(out, &len);
	assert_int_equal(len, pb.n);
	assert_memory_equal(got, pb.b, len);
}

static void round_trip_usec(void **state) { round_trip(false); }
static void round_trip_nsec(void **state) { round_trip(true); }

/* The header is written at start, so a full disk is found before the run
 * (a full disk during the run: e2e/pcap_diskfull, on a small tmpfs). */
static void write_full_disk_at_start(void **state)
{
	/* /dev/full fails every write with ENOSPC */
	char *err = net_start_fails(
		"app src source count=500\n"
		"app wr pcap_writer file=/dev/full\n"
		"link src.output -> wr.input\n");
	assert_contains(err, "test.topo:2: app wr (pcap_writer): error: cannot write the header of "
	                "/dev/full: No space left on device\n");
	free(err);
}

static void write_cannot_create(void **state)
{
	char *err = test_topology_refused("test.topo",
		"app src source count=5\n"
		"app wr pcap_writer file=/nonexistent-kvick/dir/out.pcap\n"
		"link src.output -> wr.input\n");
	assert_contains(err, "test.topo:2:25: error: app 'wr' (class 'pcap_writer'): cannot create "
	                "/nonexistent-kvick/dir/out.pcap: folder /nonexistent-kvick/dir: No such file "
	                "or directory\n");
	free(err);
}

/* ---- setup ---- */

static int make_tmpdir(void **state)
{
	strcpy(tmpdir, "/tmp/kvick-test-pcap-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_classic_little_endian),
		cmocka_unit_test(read_classic_big_endian),
		cmocka_unit_test(read_nsec_little_endian),
		cmocka_unit_test(read_nsec_big_endian),
		cmocka_unit_test(read_loop),
		cmocka_unit_test(read_loop_empty_file_is_done),
		cmocka_unit_test(read_truncated_everywhere),
		cmocka_unit_test(read_record_over_snaplen),
		cmocka_unit_test(read_oversize_records_are_cut),
		cmocka_unit_test(read_pcapng_little_endian),
		cmocka_unit_test(read_pcapng_big_endian),
		cmocka_unit_test(read_record_absurd_length),
		cmocka_unit_test(read_bad_magic),
		cmocka_unit_test(read_short_file_header),
		cmocka_unit_test(read_not_ethernet),
		cmocka_unit_test(read_missing_file),
		cmocka_unit_test(read_directory),
		cmocka_unit_test(write_source_frames),
		cmocka_unit_test(write_many_large_frames),
		cmocka_unit_test(round_trip_usec),
		cmocka_unit_test(round_trip_nsec),
		cmocka_unit_test(write_full_disk_at_start),
		cmocka_unit_test(write_cannot_create),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
