/* crc32.c -- the Ethernet frame check sequence (IEEE 802.3 CRC-32,
 * reflected polynomial 0xEDB88320), for frames the model delivers with
 * their FCS (HLREG0.RXCRCSTRP clear).  Stored little-endian after the
 * frame, as it appears on the wire. */
#include <pthread.h>

#include "model.h"

static uint32_t table[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

uint32_t sim_crc32(const uint8_t *d, uint32_t len)
{
	pthread_once(&once, build);
	uint32_t c = 0xFFFFFFFFu;
	for (uint32_t i = 0; i < len; i++)
		c = table[(c ^ d[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}
