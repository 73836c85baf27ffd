/* vhost_proto.h -- vhost-user messages: framing, file descriptors, and the
 * size and descriptor-count checks made before any message is acted on.
 *
 * The specification is QEMU's docs/interop/vhost-user.rst.  A message is
 * a 12-byte header (request, flags, payload size) and the payload; file
 * descriptors travel as SCM_RIGHTS ancillary data with the header.  The
 * frontend (QEMU, DPDK virtio-user) sends requests, the backend (kvick)
 * replies to the GET_* ones and, when REPLY_ACK is negotiated and the
 * frontend sets NEED_REPLY, to any other with a u64 status.
 */
#ifndef KVICK_APPS_VHOST_PROTO_H
#define KVICK_APPS_VHOST_PROTO_H

#include <stdint.h>

#include "virtq.h"

/* Front-end message types (vhost-user.rst "Front-end message types"):
 * only those kvick acts on. */
enum vhost_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_REQUEST_MAX = 18,
};

#define VHOST_USER_VERSION        0x1   /* flags bits 0-1 */
#define VHOST_USER_FLAG_REPLY     0x4   /* bit 2: this is a reply */
#define VHOST_USER_FLAG_NEED_REPLY 0x8  /* bit 3: REPLY_ACK wanted */

/* Feature bit of the vhost-user transport itself (in GET_FEATURES). */
#define VHOST_USER_F_PROTOCOL_FEATURES 30
/* Protocol features (GET_PROTOCOL_FEATURES) kvick offers. */
#define VHOST_USER_PROTOCOL_F_MQ        0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3

/* SET_VRING_KICK/CALL/ERR payload: vring index in bits 0-7; bit 8 set
 * means "no file descriptor" (the frontend polls or wants no events). */
#define VHOST_USER_VRING_IDX_MASK 0xffu
#define VHOST_USER_VRING_NOFD     0x100u

#define VHOST_MSG_MAX_FDS     8
#define VHOST_MSG_MAX_PAYLOAD 4096u  /* bigger than any message kvick accepts */

struct vhost_msg_region {
	uint64_t gpa, size, uva, mmap_offset;
};

struct vhost_msg {
	uint32_t request, flags, size;
	union {
		uint64_t u64;
		struct { uint32_t index, num; } state;
		struct {
			uint32_t index, flags;
			uint64_t desc_uva, used_uva, avail_uva, log_gpa;
		} addr;
		struct {
			uint32_t nregions, padding;
			struct vhost_msg_region r[VHOST_MAX_REGIONS];
		} mem;
		uint8_t raw[VHOST_MSG_MAX_PAYLOAD];
	} p;
	int fds[VHOST_MSG_MAX_FDS];
	int nfds;
};

/* The request's name ("SET_MEM_TABLE"), or "request N". */
const char *vhost_request_name(uint32_t request, char buf[32]);

/* Read one message from fd (blocking, bounded by the socket's receive
 * timeout).  1: a message; 0: the peer closed the connection; -1: a
 * malformed or truncated message, why in err (its fds are closed). */
int vhost_msg_recv(int fd, struct vhost_msg *m, char *err, size_t errlen);

/* Check the payload size and fd count of a known request (the
 * connection's job to check the values).  0, or -1 with why in err. */
int vhost_msg_check(const struct vhost_msg *m, char *err, size_t errlen);

/* Send a reply to m with payload (size bytes).  0 or -1. */
int vhost_msg_reply(int fd, const struct vhost_msg *m, const void *payload, uint32_t size);

/* Close the fds a message carried that nobody took (set to -1 when taken). */
void vhost_msg_close_fds(struct vhost_msg *m);

#endif
