/* vhost_proto.c -- reading, checking and answering vhost-user messages
 * (see vhost_proto.h).  Nothing here acts on a message: a request is
 * checked for its size and its file descriptors first, so the handlers
 * in vhost_user.c only see well-formed payloads.
 */
#include "vhost_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const names[VHOST_USER_REQUEST_MAX + 1] = {
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

const char *vhost_request_name(uint32_t request, char buf[32])
{
	if (request <= VHOST_USER_REQUEST_MAX && names[request])
		return names[request];
	snprintf(buf, 32, "request %u", request);
	return buf;
}

void vhost_msg_close_fds(struct vhost_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

/* The header and its ancillary fds in one recvmsg(). */
static int recv_header(int fd, struct vhost_msg *m, char *err, size_t errlen)
{
	union {
		char buf[CMSG_SPACE(VHOST_MSG_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { m, 12 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	ssize_t r = recvmsg(fd, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	m->nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < n && m->nfds < VHOST_MSG_MAX_FDS; i++)
			memcpy(&m->fds[m->nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (r == 0)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "reading a message header: %s", strerror(errno));
		return -1;
	}
	if (r != 12) {
		snprintf(err, errlen, "truncated message header (%zd of 12 bytes)", r);
		return -1;
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		snprintf(err, errlen, "more than %d file descriptors with one message",
		         VHOST_MSG_MAX_FDS);
		return -1;
	}
	return 1;
}

int vhost_msg_recv(int fd, struct vhost_msg *m, char *err, size_t errlen)
{
	char nb[32];
	int r = recv_header(fd, m, err, errlen);
	if (r <= 0) {
		vhost_msg_close_fds(m);
		return r;
	}
	const char *name = vhost_request_name(m->request, nb);
	if ((m->flags & 0x3) != VHOST_USER_VERSION) {
		snprintf(err, errlen, "%s: protocol version %u (expected %u)", name, m->flags & 0x3,
		         VHOST_USER_VERSION);
		vhost_msg_close_fds(m);
		return -1;
	}
	if (m->size > VHOST_MSG_MAX_PAYLOAD) {
		snprintf(err, errlen, "%s: payload of %u bytes (at most %u)", name, m->size,
		         VHOST_MSG_MAX_PAYLOAD);
		vhost_msg_close_fds(m);
		return -1;
	}
	ssize_t got = m->size ? recv(fd, m->p.raw, m->size, MSG_WAITALL) : 0;
	if (got != (ssize_t)m->size) {
		snprintf(err, errlen, "%s: truncated payload (%zd of %u bytes)%s%s", name, got, m->size,
		         got < 0 ? ": " : "", got < 0 ? strerror(errno) : "");
		vhost_msg_close_fds(m);
		return -1;
	}
	return 1;
}

/* Expected payload size of a known request; -1: depends (SET_MEM_TABLE). */
static int expected_size(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_SET_OWNER:
	case VHOST_USER_RESET_OWNER:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return -1;
	case VHOST_USER_SET_VRING_ADDR:
		return 40;
	default:
		return 8;   /* a u64 or a vring state */
	}
}

int vhost_msg_check(const struct vhost_msg *m, char *err, size_t errlen)
{
	char nb[32];
	const char *name = vhost_request_name(m->request, nb);
	int want_fds = 0;
	if (m->request == VHOST_USER_SET_MEM_TABLE) {
		if (m->size < 8 || m->p.mem.nregions == 0 || m->p.mem.nregions > VHOST_MAX_REGIONS ||
		    m->size != 8 + 32 * m->p.mem.nregions) {
			snprintf(err, errlen, "SET_MEM_TABLE: %u bytes for %u regions (1 to %d regions of "
			         "32 bytes after 8)", m->size, m->size >= 8 ? m->p.mem.nregions : 0,
			         VHOST_MAX_REGIONS);
			return -1;
		}
		want_fds = (int)m->p.mem.nregions;
	} else if ((int)m->size != expected_size(m->request)) {
		snprintf(err, errlen, "%s: payload of %u bytes (expected %d)", name, m->size,
		         expected_size(m->request));
		return -1;
	}
	if (m->request == VHOST_USER_SET_VRING_KICK || m->request == VHOST_USER_SET_VRING_CALL ||
	    m->request == VHOST_USER_SET_VRING_ERR)
		want_fds = (m->p.u64 & VHOST_USER_VRING_NOFD) ? 0 : 1;
	if (m->nfds != want_fds) {
		snprintf(err, errlen, "%s: %d file descriptors (expected %d)", name, m->nfds, want_fds);
		return -1;
	}
	return 0;
}

int vhost_msg_reply(int fd, const struct vhost_msg *m, const void *payload, uint32_t size)
{
	struct { uint32_t request, flags, size; } h = {
		m->request, VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY, size,
	};
	struct iovec iov[2] = { { &h, sizeof h }, { (void *)payload, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	return r == (ssize_t)(sizeof h + size) ? 0 : -1;
}
