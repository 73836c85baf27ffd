/* test_igb.c -- the igb driver's own logic, with the test playing the
 * device.
 *
 * The driver is proven end to end against QEMU's igb model in a guest
 * (tests/vm/igb.sh).  QEMU's model never misbehaves, and a guest cannot
 * show which value went into which register, so these tests stand in for
 * the device: a small register file that behaves as the 82576 does for the
 * registers the driver touches (CTRL.RST self-clears and resets the rest,
 * MDIC answers, an auto-negotiation restart brings the link up, queue 0 is
 * enabled after reset), and descriptor write-backs written by hand --
 * including the impossible ones a driver must refuse.  DMA memory is mapped
 * IOVA = VA by a test IOMMU, so the test can follow descriptor addresses.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/packet.h"
#include "driver/device.h"
#include "driver/igb.h"

/* Datasheet offsets and bits (82576), written out again on purpose: the
 * test checks the driver against the datasheet, not against itself. */
#define CTRL      0x00000
#define STATUS    0x00008
#define EEC       0x00010
#define MDIC      0x00020
#define IMC       0x000D8
#define RCTL      0x00100
#define TCTL      0x00400
#define EIMC      0x01528
#define RLPML     0x05004
#define RAL0      0x05400
#define RAH0      0x05404
#define RDBAL     0x0C000
#define RDBAH     0x0C004
#define RDLEN     0x0C008
#define SRRCTL    0x0C00C
#define RDH       0x0C010
#define RDT       0x0C018
#define RXDCTL    0x0C028
#define TDBAL     0x0E000
#define TDBAH     0x0E004
#define TDLEN     0x0E008
#define TDH       0x0E010
#define TDT       0x0E018
#define TXDCTL    0x0E028
#define ENABLE    (1u << 25)        /* RXDCTL/TXDCTL.ENABLE */

/* ---- the test device ---- */

struct fake {
	uint32_t reg[0x20000 / 4];
	uint16_t bmcr;             /* PHY register 0 */
	bool has_nvm;              /* RAL0/RAH0 loaded at reset */
	unsigned resets;
	unsigned an_restarts;
};

static void fake_reset(struct fake *f)
{
	memset(f->reg, 0, sizeof(f->reg));
	f->resets++;
	f->reg[EEC / 4] = 1u << 9;                 /* AUTO_RD */
	f->reg[RXDCTL / 4] = ENABLE;               /* queue 0 enabled after reset */
	f->reg[TXDCTL / 4] = ENABLE;
	if (f->has_nvm) {                          /* 52:54:00:12:34:56 */
		f->reg[RAL0 / 4] = 0x12005452;
		f->reg[RAH0 / 4] = 0x5634 | 1u << 31;
	}
	/* STATUS.LU stays 0: the PHY must negotiate again. */
}

static uint32_t fake_read(void *ctx, uint32_t off)
{
	struct fake *f = ctx;
	return f->reg[off / 4];
}

static void fake_write(void *ctx, uint32_t off, uint32_t v)
{
	struct fake *f = ctx;
	if (off == CTRL && (v & (1u << 26))) {     /* RST */
		fake_reset(f);
		f->reg[CTRL / 4] = v & ~(1u << 26);
		return;
	}
	if (off == MDIC) {
		unsigned phy = (v >> 21) & 31, reg = (v >> 16) & 31, op = (v >> 26) & 3;
		uint32_t out = v | 1u << 28;           /* READY */
		if (phy != 1 || reg != 0) {
			out |= 1u << 30;                   /* ERROR: only BMCR of PHY 1 */
		} else if (op == 2) {
			out = (out & ~0xFFFFu) | f->bmcr;
		} else if (op == 1) {
			f->bmcr = (uint16_t)v & ~(1u << 9);
			if (v & (1u << 9)) {               /* AN restart: link comes up */
				f->an_restarts++;
				f->reg[STATUS / 4] |= 1u << 1 | 2u << 6;
			}
		}
		f->reg[MDIC / 4] = out;
		return;
	}
	f->reg[off / 4] = v;
}

static const struct reg_ops fake_ops = { fake_read, fake_write };

/* IOVA = VA: the test can follow the addresses the driver writes. */
static int id_map(void *ctx, void *va, size_t len, uint64_t *iova)
{
	*iova = (uint64_t)(uintptr_t)va;
	return 0;
}
static void id_unmap(void *ctx, uint64_t iova, size_t len) {}
static const struct dma_mapper id_mapper = { "test identity", NULL, id_map, id_unmap };

static struct fake *fake_new(struct device *d, uint16_t device_id)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->has_nvm = true;
	fake_reset(f);
	f->resets = 0;
	memset(d, 0, sizeof(*d));
	snprintf(d->addr, sizeof(d->addr), "test:igb");
	d->vendor_id = 0x8086;
	d->device_id = device_id;
	d->numa_node = -1;
	d->bar0.ops = &fake_ops;
	d->bar0.ctx = f;
	d->bar0.size = sizeof(f->reg);
	return f;
}

static struct igb_config config(void)
{
	struct igb_config c = { .rx_ring = 512, .tx_ring = 512, .mtu = 1500, .wait_link_ms = 100 };
	return c;
}

static struct igb_dev *open_ok(struct device *d, const struct igb_config *c)
{
	char err[256] = "";
	struct igb_dev *dev = igb_open(d, c, err, sizeof(err));
	if (!dev)
		fail_msg("igb_open: %s", err);
	return dev;
}

/* ---- tests ---- */

static void test_supports(void **st)
{
	assert_true(igb_supports(0x8086, 0x10C9));    /* 82576, QEMU's igb */
	assert_true(igb_supports(0x8086, 0x1521));    /* I350 copper */
	assert_false(igb_supports(0x8086, 0x10CA));   /* 82576 VF */
	assert_false(igb_supports(0x8086, 0x1522));   /* I350 fiber */
	assert_false(igb_supports(0x8086, 0x10FB));   /* 82599 */
	assert_false(igb_supports(0x1234, 0x10C9));
}

static void test_bad_config(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	char err[256];
	struct igb_config c = config();
	c.rx_ring = 100;
	assert_null(igb_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "rxring=100"));
	c = config();
	c.tx_ring = 8192;
	assert_null(igb_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "txring=8192"));
	c = config();
	c.mtu = 9500;
	assert_null(igb_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "mtu=9500"));
	assert_int_equal(f->resets, 0);              /* refused before touching it */
	free(f);
}

/* What the bring-up leaves in the registers, against the datasheet. */
static void test_bringup_registers(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	c.promisc = true;
	c.mtu = 9000;
	struct igb_dev *dev = open_ok(&d, &c);
	uint32_t *r = f->reg;

	assert_int_equal(f->resets, 1);
	assert_int_equal(r[IMC / 4], 0xFFFFFFFFu);               /* interrupts masked */
	assert_int_equal(r[EIMC / 4], 0xFFFFFFFFu);
	assert_true(r[CTRL / 4] & (1u << 6));                      /* CTRL.SLU */
	assert_int_equal(f->an_restarts, 1);                       /* link was down after reset */
	assert_true(f->bmcr & (1u << 12));                         /* AN enabled */
	unsigned speed = 0;
	assert_true(igb_link_up(dev, &speed));
	assert_int_equal(speed, 1000);

	/* SRRCTL: BSIZEPACKET 9 KB, DESCTYPE advanced one buffer, Drop_En (bit 31). */
	assert_int_equal(r[SRRCTL / 4], 9u | 1u << 25 | 1u << 31);
	/* RCTL: EN, UPE, MPE, LPE, BAM, SECRC. */
	assert_int_equal(r[RCTL / 4] & (1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 15 | 1u << 26),
	                 1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 15 | 1u << 26);
	assert_int_equal(r[RLPML / 4], 9000 + 22);
	assert_true(r[TCTL / 4] & (1u << 1));                      /* TCTL.EN */
	assert_true(r[TCTL / 4] & (1u << 3));                      /* TCTL.PSP */
	assert_true(r[RXDCTL / 4] & ENABLE);
	assert_true(r[TXDCTL / 4] & ENABLE);
	assert_int_equal(r[RDLEN / 4], 512 * 16);
	assert_int_equal(r[TDLEN / 4], 512 * 16);
	uint64_t rx_ring = r[RDBAL / 4] | (uint64_t)r[RDBAH / 4] << 32;
	assert_true(rx_ring != 0 && rx_ring % 128 == 0);
	assert_true(r[TDBAL / 4] != 0 && r[TDBAL / 4] % 128 == 0);
	assert_int_equal(r[RDH / 4], 0);
	assert_int_equal(r[RDT / 4], 511);                         /* one descriptor kept back */
	assert_int_equal(r[TDT / 4], 0);
	/* Every RX descriptor points at a packet buffer, DD clear. */
	const uint64_t *desc = (const uint64_t *)(uintptr_t)rx_ring;
	for (unsigned i = 0; i < 512; i++) {
		assert_true(desc[2 * i] != 0);
		assert_int_equal(desc[2 * i + 1], 0);
	}
	uint8_t mac[6];
	igb_mac(dev, mac);
	static const uint8_t want[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	assert_memory_equal(mac, want, 6);

	struct igb_stats fin;
	igb_close(dev, &fin);
	assert_int_equal(f->resets, 2);                            /* reset at close */
	assert_false(r[RCTL / 4] & (1u << 1));
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

static void test_plain_filters_and_mac(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	static const uint8_t m[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	c.set_mac = true;
	memcpy(c.mac, m, 6);
	struct igb_dev *dev = open_ok(&d, &c);
	uint32_t rctl = f->reg[RCTL / 4];
	assert_false(rctl & (1u << 3 | 1u << 4 | 1u << 5));       /* no UPE, MPE, LPE */
	assert_true(rctl & (1u << 15 | 1u << 26));                 /* BAM, SECRC */
	assert_int_equal(f->reg[RAL0 / 4], 0x00000002u);
	assert_int_equal(f->reg[RAH0 / 4], 0x0200u | 1u << 31);
	uint8_t mac[6];
	igb_mac(dev, mac);
	assert_memory_equal(mac, m, 6);
	igb_close(dev, NULL);
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

static void test_no_mac_refused(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	f->has_nvm = false;
	fake_reset(f);
	char err[256];
	struct igb_config c = config();
	assert_null(igb_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "no MAC address"));
	assert_non_null(strstr(err, "mac="));
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

/* Write an RX write-back the way the device does: length, status. */
static void wb(uint64_t *desc, unsigned i, uint16_t len, uint32_t status)
{
	desc[2 * i] = 0;                                   /* info, RSS hash */
	desc[2 * i + 1] = status | (uint64_t)len << 32;    /* status_error, length */
}

/* The device is never trusted: length 0, a length beyond the buffer, and
 * a frame over two descriptors (no EOP on the first) are dropped whole and
 * counted; good frames around them arrive intact; one RDT write. */
static void test_rx_untrusted_writebacks(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	struct igb_dev *dev = open_ok(&d, &c);
	uint64_t *desc = (uint64_t *)(uintptr_t)(f->reg[RDBAL / 4] | (uint64_t)f->reg[RDBAH / 4] << 32);
	uint8_t *buf0 = (uint8_t *)(uintptr_t)desc[0];
	uint8_t *buf5 = (uint8_t *)(uintptr_t)desc[10];
	memset(buf0, 0xA5, 60);
	memset(buf5, 0x5A, 1514);
	const uint32_t DD = 1, EOP = 2;
	wb(desc, 0, 60, DD | EOP);        /* good */
	wb(desc, 1, 0, DD | EOP);         /* empty */
	wb(desc, 2, 9217, DD | EOP);      /* longer than the 9 KB buffer */
	wb(desc, 3, 100, DD);             /* first half of a split frame ... */
	wb(desc, 4, 100, DD | EOP);       /* ... and its end: both dropped */
	wb(desc, 5, 1514, DD | EOP);      /* good */

	struct packet *out[128];
	assert_int_equal(igb_rx_batch(dev, out, 128), 2);
	assert_int_equal(out[0]->length, 60);
	assert_int_equal(packet_data(out[0])[0], 0xA5);
	assert_int_equal(packet_data(out[0])[59], 0xA5);
	assert_int_equal(out[1]->length, 1514);
	assert_int_equal(packet_data(out[1])[1513], 0x5A);
	struct igb_stats s;
	igb_stats(dev, &s);
	assert_int_equal(s.rx_packets, 2);
	assert_int_equal(s.rx_bytes, 60 + 1514);
	assert_int_equal(s.rx_badlen, 4);
	assert_int_equal(f->reg[RDT / 4], 5);          /* next (6) - 1 */
	for (unsigned i = 0; i < 6; i++) {            /* refilled, DD cleared */
		assert_true(desc[2 * i] != 0);
		assert_int_equal(desc[2 * i + 1], 0);
	}
	assert_int_equal(igb_rx_batch(dev, out + 2, 128), 0);   /* nothing more */
	packet_free_batch(out, 2);
	igb_close(dev, NULL);
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

/* TX descriptors as the datasheet wants them, RS on every 32nd, buffers
 * back 32 at a time on DD, and nothing left behind at close. */
static void test_tx_descriptors_and_reclaim(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	struct igb_dev *dev = open_ok(&d, &c);
	struct packet *p[40];
	assert_int_equal(packet_alloc_batch(p, 40), 40);
	for (unsigned i = 0; i < 40; i++)
		p[i]->length = (uint16_t)(60 + i);
	assert_int_equal(igb_tx_batch(dev, p, 40), 40);
	assert_int_equal(f->reg[TDT / 4], 40);          /* one tail write for the batch */
	uint32_t *desc = (uint32_t *)(uintptr_t)(f->reg[TDBAL / 4] |
	                                         (uint64_t)f->reg[TDBAH / 4] << 32);
	for (unsigned i = 0; i < 40; i++) {
		uint32_t len = 60 + i;
		uint32_t rs = i == 31 ? 1u << 27 : 0;
		/* DEXT | DTYP data | IFCS | EOP (| RS) | length; PAYLEN in [31:14]. */
		assert_int_equal(desc[4 * i + 2], 1u << 29 | 3u << 20 | 1u << 25 | 1u << 24 | rs | len);
		assert_int_equal(desc[4 * i + 3], len << 14);
	}
	assert_int_equal(igb_tx_reclaim(dev), 0);        /* nothing done yet */
	desc[4 * 31 + 3] |= 1;                           /* the device writes DD on the RS one */
	assert_int_equal(igb_tx_reclaim(dev), 32);
	assert_int_equal(igb_tx_room(dev), 511 - 8);
	f->reg[TDH / 4] = 40;                            /* it sent the rest too */
	struct igb_stats fin;
	igb_close(dev, &fin);
	assert_int_equal(fin.tx_packets, 40);
	assert_int_equal(fin.tx_lost, 0);
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

/* A full ring takes no more: size - 1 in flight, the rest stays with the
 * caller; frames the device never sent are counted lost at close. */
static void test_tx_ring_full_and_lost(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	c.tx_ring = 64;
	struct igb_dev *dev = open_ok(&d, &c);
	struct packet *p[70];
	assert_int_equal(packet_alloc_batch(p, 70), 70);
	for (unsigned i = 0; i < 70; i++)
		p[i]->length = 60;
	assert_int_equal(igb_tx_batch(dev, p, 70), 63);
	assert_int_equal(igb_tx_batch(dev, p + 63, 7), 0);
	packet_free_batch(p + 63, 7);
	f->reg[STATUS / 4] &= ~(1u << 1);               /* link down: nothing leaves */
	struct igb_stats fin;
	igb_close(dev, &fin);
	assert_int_equal(fin.tx_lost, 63);
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

/* A reset under the driver (RCTL.EN and the queues read back 0): poll
 * counts what the rings held and brings the port up again. */
static void test_recover_after_foreign_reset(void **st)
{
	struct device d;
	struct fake *f = fake_new(&d, 0x10C9);
	struct igb_config c = config();
	struct igb_dev *dev = open_ok(&d, &c);
	uint64_t *desc = (uint64_t *)(uintptr_t)(f->reg[RDBAL / 4] | (uint64_t)f->reg[RDBAH / 4] << 32);
	wb(desc, 0, 64, 3);                              /* a frame waiting in the ring */
	fake_write(f, CTRL, 1u << 26);                   /* someone else resets it */
	assert_int_equal(igb_poll(dev), 0);
	struct igb_stats s;
	igb_stats(dev, &s);
	assert_int_equal(s.resets, 1);
	assert_int_equal(s.rx_lost, 1);
	assert_true(f->reg[RCTL / 4] & (1u << 1));
	assert_int_equal(f->reg[RDT / 4], 511);
	assert_true(igb_link_up(dev, NULL));
	igb_close(dev, NULL);
	assert_int_equal(freelist_outstanding(), 0);
	free(f);
}

int main(void)
{
	test_mem_init();
	assert_int_equal(mem_set_mapper(&id_mapper), 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supports),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_bringup_registers),
		cmocka_unit_test(test_plain_filters_and_mac),
		cmocka_unit_test(test_no_mac_refused),
		cmocka_unit_test(test_rx_untrusted_writebacks),
		cmocka_unit_test(test_tx_descriptors_and_reclaim),
		cmocka_unit_test(test_tx_ring_full_and_lost),
		cmocka_unit_test(test_recover_after_foreign_reset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mem_clear_mapper(&id_mapper);
	return rc;
}
