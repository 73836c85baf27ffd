/* kio_udpblast.c -- the 64-byte UDP sender and counting receiver of
 * bench/kio.sh (a pktgen-like load that goes through the kernel's UDP
 * stack, so every contender sees the same real frames).
 *
 *   kio_udpblast send DST_IP PORT SECONDS   18-byte datagrams = 60-byte
 *                                           frames (64 on a wire with FCS),
 *                                           64 per sendmmsg() call
 *   kio_udpblast recv PORT SECONDS          counts datagrams received during
 *                                           SECONDS after the first one;
 *                                           prints "received N in S s"
 *
 * Built by bench/kio.sh with plain gcc; not part of kvick.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define PAYLOAD 18

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int blast(const char *ip, int port, double secs)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	if (fd < 0 || inet_pton(AF_INET, ip, &to.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
		perror("udpblast send");
		return 1;
	}
	static char buf[PAYLOAD];
	struct iovec iov = { buf, PAYLOAD };
	struct mmsghdr m[BATCH];
	memset(m, 0, sizeof m);
	for (int i = 0; i < BATCH; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned long long sent = 0, fails = 0;
	double end = now() + secs;
	while (now() < end) {
		int r = sendmmsg(fd, m, BATCH, 0);
		if (r > 0)
			sent += r;
		else
			fails++; /* ENOBUFS/ECONNREFUSED: keep going */
	}
	printf("sent %llu in %.2f s (%llu failed calls)\n", sent, secs, fails);
	return 0;
}

static int count(int port, double secs)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(port) };
	int rcvbuf = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
		perror("udpblast recv");
		return 1;
	}
	static char bufs[BATCH][64];
	struct iovec iov[BATCH];
	struct mmsghdr m[BATCH];
	memset(m, 0, sizeof m);
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	unsigned long long got = 0;
	double start = 0, limit = now() + 30; /* wait at most 30 s for the first */
	for (;;) {
		double t = now();
		if (start ? t >= start + secs : t >= limit)
			break;
		int r = recvmmsg(fd, m, BATCH, 0, NULL);
		if (r <= 0)
			continue;
		if (!start)
			start = now();
		got += r;
	}
	printf("received %llu in %.2f s\n", got, secs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return blast(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return count(atoi(argv[2]), atof(argv[3]));
	fprintf(stderr, "usage: kio_udpblast send IP PORT SECONDS | recv PORT SECONDS\n");
	return 2;
}
