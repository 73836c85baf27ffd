/* wire_tap.c -- a port wired to a Linux TAP device.
 *
 * Frames the kernel sends out of the TAP interface arrive at the port's RX
 * (read as a lossless source: a frame waits in the TAP queue, and then in
 * the model, until its RX queue has a free descriptor; the kernel drops
 * when its own queue is full, and counts it).  Frames the port transmits
 * are written to the TAP fd, i.e. received by the kernel.  The fd is
 * non-blocking; a write the kernel refuses is counted as tx_drop_link.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "model.h"

int wire_tap_open(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap=%s: interface name longer than %d characters", ifname, IFNAMSIZ - 1);
		return -1;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "tap=%s: cannot open /dev/net/tun: %s", ifname, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tap=%s: TUNSETIFF: %s%s", ifname, strerror(errno),
		         errno == EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
		close(fd);
		return -1;
	}
	/* bring it up, so the kernel sends and receives through it */
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
			ifr.ifr_flags |= IFF_UP;
			if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
				log_warn("tap=%s: cannot bring the interface up: %s", ifname, strerror(errno));
		}
		close(s);
	}
	return fd;
}

unsigned wire_tap_poll(struct sim_port *p)
{
	struct sim_wire *w = &p->wire;
	unsigned n = 0;
	while (n < 64 && wire_rx_ready(p)) {
		if (!w->pending_len) {
			ssize_t r = read(w->tap_fd, w->pending, SIM_FRAME_MAX);
			if (r <= 0) {
				if (r < 0 && errno != EAGAIN && errno != EINTR)
					log_once(LOG_ERROR, "sim:%u tap read: %s", p->id, strerror(errno));
				break;
			}
			w->pending_len = (uint32_t)r;
			/* the kernel does not pad: a short frame is padded like a
			 * real sender's MAC would (TXPADEN) */
			if (w->pending_len < 60) {
				memset(w->pending + w->pending_len, 0, 60 - w->pending_len);
				w->pending_len = 60;
			}
		}
		if (wire_rx(p, w->pending, w->pending_len, 0, true) == RX_BUSY)
			break;
		w->pending_len = 0;
		n++;
	}
	return n;
}

void wire_tap_write(struct sim_port *p, const uint8_t *d, uint32_t len)
{
	if (write(p->wire.tap_fd, d, len) != (ssize_t)len)
		stat_add(&p->st.tx_drop_link, 1);
}
