/* vhost_user.c -- the `vhost_user` app: a virtual machine (QEMU) or a DPDK
 * program (virtio-user) as a kvick port, over the vhost-user protocol.
 *
 *     app vm vhost_user socket=/tmp/vm0.sock            # kvick listens
 *     app vm vhost_user socket=/tmp/vm0.sock server=false  # kvick connects
 *
 *           +------------+
 *   input ->| vhost_user |-> output
 *           +------------+
 *   input:  frames for the guest (its virtio-net receive queue, vring 0)
 *   output: frames the guest sent (its transmit queue, vring 1)
 *
 * The frontend hands us its memory (file descriptors we map) and the
 * addresses of its rings over the UNIX socket (vhost_proto.c checks
 * every message's size and descriptor count); we move frames by copying
 * between guest buffers and kvick packets (virtq.c checks every index,
 * chain and address the guest writes).  One frontend at a time: in
 * server mode kvick keeps listening and takes the next one after a
 * disconnect; in client mode it reconnects every second.
 *
 * Offered: VIRTIO_F_VERSION_1, VIRTIO_NET_F_MRG_RXBUF,
 * VIRTIO_RING_F_EVENT_IDX, VHOST_USER_F_PROTOCOL_FEATURES; protocol
 * features MQ (GET_QUEUE_NUM answers 1 queue pair) and REPLY_ACK.  No
 * offloads, no indirect descriptors, no packed rings, no live-migration
 * logging.  We poll the rings: the guest is asked not to kick us, and is
 * interrupted (call eventfd) only when it asks to be.
 *
 * Errors: a malformed message closes the connection with a log line
 * naming it (bad_messages); a bad descriptor or ring address stops that
 * queue with a log line (queue_errors; the error eventfd is signalled)
 * until the frontend sets the ring up again.  kvick goes on either way.
 *
 * Counters: rxpackets/rxbytes (from the guest), txpackets/txbytes (to the
 * guest), drops = drop_toolong + drop_short (bad guest frames) +
 * drop_toobig (larger than the guest's receive buffers) + drop_noguest
 * (input while no receive queue runs) + drop_disconnect (held when the
 * frontend went away) + drop_stopped (held at stop); queue_errors,
 * bad_messages, connections, notifies (interrupts sent).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "vhost_proto.h"
#include "virtq.h"

#define FEATURES_OFFERED ((uint64_t)((1ull << VIRTIO_F_VERSION_1) |                \
                                     (1ull << VIRTIO_NET_F_MRG_RXBUF) |            \
                                     (1ull << VIRTIO_RING_F_EVENT_IDX) |           \
                                     (1ull << VHOST_USER_F_PROTOCOL_FEATURES)))
#define PROTOCOL_OFFERED ((uint64_t)((1ull << VHOST_USER_PROTOCOL_F_MQ) | \
                                     (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK)))
#define NQUEUES        2          /* vring 0: guest receive, 1: guest transmit */
#define RXQ            0
#define TXQ            1
#define POLL_PERIOD_NS 100000ull  /* control socket checked every 100 us */
#define RECONNECT_NS   1000000000ull
#define MSGS_PER_POLL  64

/* What the frontend told us about one vring. */
struct vring_setup {
	uint16_t num, base;       /* size; first available index (SET_VRING_BASE) */
	uint64_t desc, avail, used; /* frontend virtual addresses */
	bool addr_set;
	int kickfd, callfd, errfd;
	bool started;             /* kick fd received, not stopped by GET_VRING_BASE */
	bool enabled;             /* SET_VRING_ENABLE */
	bool running;             /* q is live */
	bool failed;              /* stopped on a guest error until set up again */
};

struct vhost_user {
	struct app *app;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	int listenfd, fd;
	uint64_t poll_at, connect_at;
	uint64_t features, protocol;
	struct vhost_mem mem;
	struct vring_setup vs[NQUEUES];
	struct virtq q[NQUEUES];
	struct packet *txq[LINK_MAX_BATCH];
	unsigned ntxq;
	struct packet *out[LINK_MAX_BATCH];
	struct vhost_msg msg;
	uint64_t *rxpackets, *rxbytes, *txpackets, *txbytes, *drops;
	uint64_t *drop_toolong, *drop_short, *drop_toobig, *drop_noguest, *drop_disconnect;
	uint64_t *drop_stopped, *queue_errors, *bad_messages, *connections, *notifies;
};

static const char *const ports_in[] = { "input", NULL };
static const char *const ports_out[] = { "output", NULL };
static const struct app_param params[] = {
	{ "socket", PARAM_STRING, NULL, true, "UNIX socket path of the vhost-user connection" },
	{ "server", PARAM_BOOL, "true", false,
	  "true: kvick listens on socket (QEMU connects); false: kvick connects to it" },
	{ NULL },
};

static const char *qname(int i) { return i == RXQ ? "receive" : "transmit"; }

static void sum_drops(struct vhost_user *v)
{
	*v->drops = *v->drop_toolong + *v->drop_short + *v->drop_toobig + *v->drop_noguest +
	            *v->drop_disconnect + *v->drop_stopped;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- guest memory ---- */

static void mem_unmap(struct vhost_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		munmap(m->r[i].map, m->r[i].map_len);
	m->n = 0;
}

/* Map one SET_MEM_TABLE region from fd.  0, or -1 with why in err. */
static int map_region(struct vhost_region *r, const struct vhost_msg_region *mr, int fd,
                      unsigned i, char *err, size_t errlen)
{
	struct stat st;
	uint64_t end = mr->mmap_offset + mr->size;
	if (mr->size == 0 || end < mr->size || mr->gpa + mr->size < mr->gpa ||
	    mr->uva + mr->size < mr->uva) {
		snprintf(err, errlen, "SET_MEM_TABLE: region %u (size 0x%" PRIx64 ", offset 0x%" PRIx64
		         ") wraps around", i, mr->size, mr->mmap_offset);
		return -1;
	}
	/* A mapping past the end of its file faults (SIGBUS) when touched:
	 * the file must hold the whole region. */
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < end) {
		snprintf(err, errlen, "SET_MEM_TABLE: region %u needs %" PRIu64 " bytes of its file, "
		         "which has %lld", i, end, (long long)st.st_size);
		return -1;
	}
	/* hugetlbfs files map only in whole huge pages (st_blksize). */
	uint64_t align = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 4096;
	size_t len = (size_t)((end + align - 1) / align * align);
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "SET_MEM_TABLE: mmap of region %u (%zu bytes): %s", i, len,
		         strerror(errno));
		return -1;
	}
	*r = (struct vhost_region){ .gpa = mr->gpa, .size = mr->size, .uva = mr->uva,
	                            .host = (uint8_t *)map + mr->mmap_offset, .map = map,
	                            .map_len = len };
	return 0;
}

/* ---- rings ---- */

static void ring_failed(struct vhost_user *v, int i)
{
	struct vring_setup *s = &v->vs[i];
	log_error("vhost_user %s: %s queue stopped: %s", v->app->name, qname(i), v->q[i].broken);
	(*v->queue_errors)++;
	s->running = false;
	s->failed = true;
	if (s->errfd >= 0) {
		uint64_t one = 1;
		if (write(s->errfd, &one, sizeof one) < 0)
			log_once(LOG_WARN, "vhost_user: error eventfd: %s", strerror(errno));
	}
}

/* Remember where the ring stopped, for GET_VRING_BASE and a restart. */
static void ring_stop(struct vhost_user *v, int i)
{
	if (v->vs[i].running)
		v->vs[i].base = v->q[i].last_avail;
	v->vs[i].running = false;
	v->q[i].ready = false;
}

/* Start the ring if the frontend has told us all we need; re-translate
 * its addresses if it runs (a new memory table). */
static void ring_update(struct vhost_user *v, int i)
{
	struct vring_setup *s = &v->vs[i];
	struct virtq *q = &v->q[i];
	if (s->failed || !s->started || !s->enabled || !s->addr_set || v->mem.n == 0)
		return ring_stop(v, i);
	if (!s->running) {
		q->num = s->num;
		q->last_avail = s->base;
	}
	bool v1 = v->features & (1ull << VIRTIO_F_VERSION_1);
	q->mrg_rxbuf = v->features & (1ull << VIRTIO_NET_F_MRG_RXBUF);
	q->hdr_len = v1 || q->mrg_rxbuf ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
	                                : sizeof(struct virtio_net_hdr);
	q->event_idx = v->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	q->callfd = s->callfd;
	q->mem = &v->mem;
	q->c = (struct virtq_counters){ v->drop_toolong, v->drop_short, v->drop_toobig,
	                                v->notifies };
	if (virtq_start(q, s->desc, s->avail, s->used) < 0)
		return ring_failed(v, i);
	if (!s->running)
		log_info("vhost_user %s: %s queue running (%u entries, from index %u)", v->app->name,
		         qname(i), q->num, q->last_avail);
	s->running = true;
}

/* ---- the connection ---- */

static void conn_reset(struct vhost_user *v)
{
	for (int i = 0; i < NQUEUES; i++) {
		ring_stop(v, i);
		close_fd(&v->vs[i].kickfd);
		close_fd(&v->vs[i].callfd);
		close_fd(&v->vs[i].errfd);
		v->vs[i] = (struct vring_setup){ .kickfd = -1, .callfd = -1, .errfd = -1 };
		v->q[i] = (struct virtq){ .callfd = -1 };
	}
	mem_unmap(&v->mem);
	v->features = v->protocol = 0;
}

/* The frontend went away (or we threw it out): packets held for it are
 * counted and freed; its memory and fds go. */
static void disconnect(struct vhost_user *v, const char *why)
{
	log_info("vhost_user %s: %s disconnected%s%s", v->app->name, v->path, why ? ": " : "",
	         why ? why : "");
	close_fd(&v->fd);
	conn_reset(v);
	packet_free_batch(v->txq, v->ntxq);
	*v->drop_disconnect += v->ntxq;
	v->ntxq = 0;
	sum_drops(v);
	v->connect_at = now_ns() + RECONNECT_NS;
}

static void connected(struct vhost_user *v, int fd)
{
	/* Blocking reads with a bound: a message is read whole or the
	 * connection is dropped, never half-parsed across breaths. */
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	v->fd = fd;
	(*v->connections)++;
	log_info("vhost_user %s: frontend connected on %s", v->app->name, v->path);
}

static int vring_index(struct vhost_user *v, uint32_t index, const char *name, char *err,
                       size_t errlen)
{
	if (index < NQUEUES)
		return (int)index;
	snprintf(err, errlen, "%s: vring index %u (kvick has vrings 0 and 1)", name, index);
	return -1;
}

static void take_fd(struct vhost_msg *m, int *slot)
{
	close_fd(slot);
	if (m->nfds) {
		*slot = m->fds[0];
		m->fds[0] = -1;
	}
}

static int set_mem_table(struct vhost_user *v, struct vhost_msg *m, char *err, size_t errlen)
{
	struct vhost_mem next = { 0 };
	for (unsigned i = 0; i < m->p.mem.nregions; i++) {
		if (map_region(&next.r[i], &m->p.mem.r[i], m->fds[i], i, err, errlen) < 0) {
			mem_unmap(&next);
			return -1;
		}
		next.n = i + 1;
	}
	for (int i = 0; i < NQUEUES; i++)
		v->q[i].ready = false;   /* nothing touches the old mappings now */
	mem_unmap(&v->mem);
	v->mem = next;
	for (int i = 0; i < NQUEUES; i++)
		if (v->vs[i].running)
			ring_update(v, i);
	log_info("vhost_user %s: memory table of %u regions", v->app->name, v->mem.n);
	return 0;
}

/* Act on one checked message.  0, or -1 (malformed: why in err). */
static int handle(struct vhost_user *v, struct vhost_msg *m, char *err, size_t errlen)
{
	char nb[32];
	const char *name = vhost_request_name(m->request, nb);
	uint64_t u = m->p.u64;
	int i = 0;
	switch (m->request) {
	case VHOST_USER_GET_FEATURES:
		u = FEATURES_OFFERED;
		return vhost_msg_reply(v->fd, m, &u, sizeof u);
	case VHOST_USER_SET_FEATURES:
		if (u & ~FEATURES_OFFERED) {
			snprintf(err, errlen, "SET_FEATURES 0x%" PRIx64 ": bits 0x%" PRIx64 " were not "
			         "offered", u, u & ~FEATURES_OFFERED);
			return -1;
		}
		v->features = u;
		log_info("vhost_user %s: features 0x%" PRIx64, v->app->name, u);
		break;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		u = PROTOCOL_OFFERED;
		return vhost_msg_reply(v->fd, m, &u, sizeof u);
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (u & ~PROTOCOL_OFFERED) {
			snprintf(err, errlen, "SET_PROTOCOL_FEATURES 0x%" PRIx64 ": bits 0x%" PRIx64
			         " were not offered", u, u & ~PROTOCOL_OFFERED);
			return -1;
		}
		v->protocol = u;
		break;
	case VHOST_USER_GET_QUEUE_NUM:
		u = 1;
		return vhost_msg_reply(v->fd, m, &u, sizeof u);
	case VHOST_USER_SET_OWNER:
		break;
	case VHOST_USER_RESET_OWNER:
		conn_reset(v);
		break;
	case VHOST_USER_SET_MEM_TABLE:
		if (set_mem_table(v, m, err, errlen) < 0)
			return -1;
		break;
	case VHOST_USER_SET_VRING_NUM:
		if ((i = vring_index(v, m->p.state.index, name, err, errlen)) < 0)
			return -1;
		if (m->p.state.num == 0 || m->p.state.num > VIRTQ_MAX_SIZE ||
		    (m->p.state.num & (m->p.state.num - 1))) {
			snprintf(err, errlen, "SET_VRING_NUM %u: not a power of two up to %u",
			         m->p.state.num, VIRTQ_MAX_SIZE);
			return -1;
		}
		ring_stop(v, i);
		v->vs[i].num = (uint16_t)m->p.state.num;
		v->vs[i].failed = false;
		ring_update(v, i);
		break;
	case VHOST_USER_SET_VRING_ADDR:
		if ((i = vring_index(v, m->p.addr.index, name, err, errlen)) < 0)
			return -1;
		v->vs[i].desc = m->p.addr.desc_uva;
		v->vs[i].avail = m->p.addr.avail_uva;
		v->vs[i].used = m->p.addr.used_uva;
		v->vs[i].addr_set = true;
		v->vs[i].failed = false;
		ring_update(v, i);
		break;
	case VHOST_USER_SET_VRING_BASE:
		if ((i = vring_index(v, m->p.state.index, name, err, errlen)) < 0)
			return -1;
		if (m->p.state.num > 0xffff) {
			snprintf(err, errlen, "SET_VRING_BASE %u: beyond a 16-bit index", m->p.state.num);
			return -1;
		}
		ring_stop(v, i);
		v->vs[i].base = (uint16_t)m->p.state.num;
		ring_update(v, i);
		break;
	case VHOST_USER_GET_VRING_BASE:
		if ((i = vring_index(v, m->p.state.index, name, err, errlen)) < 0)
			return -1;
		ring_stop(v, i);
		v->vs[i].started = false;
		m->p.state.num = v->vs[i].base;
		return vhost_msg_reply(v->fd, m, &m->p.state, sizeof m->p.state);
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		if ((i = vring_index(v, u & VHOST_USER_VRING_IDX_MASK, name, err, errlen)) < 0)
			return -1;
		if (m->request == VHOST_USER_SET_VRING_KICK) {
			take_fd(m, &v->vs[i].kickfd);
			v->vs[i].started = true;
			v->vs[i].failed = false;
			/* Without protocol features a ring is enabled as it starts. */
			if (!(v->features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)))
				v->vs[i].enabled = true;
		} else if (m->request == VHOST_USER_SET_VRING_CALL) {
			take_fd(m, &v->vs[i].callfd);
		} else {
			take_fd(m, &v->vs[i].errfd);
		}
		ring_update(v, i);
		break;
	case VHOST_USER_SET_VRING_ENABLE:
		if ((i = vring_index(v, m->p.state.index, name, err, errlen)) < 0)
			return -1;
		if (m->p.state.num > 1) {
			snprintf(err, errlen, "SET_VRING_ENABLE %u: expected 0 or 1", m->p.state.num);
			return -1;
		}
		v->vs[i].enabled = m->p.state.num;
		ring_update(v, i);
		break;
	default:
		return 1;   /* not ours: see poll_messages() */
	}
	if ((m->flags & VHOST_USER_FLAG_NEED_REPLY) &&
	    (v->protocol & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		uint64_t ok = 0;
		return vhost_msg_reply(v->fd, m, &ok, sizeof ok);
	}
	return 0;
}

/* One message: 0 handled, -1 the connection is gone (logged). */
static int one_message(struct vhost_user *v)
{
	struct vhost_msg *m = &v->msg;
	char err[200] = "", nb[32];
	int r = vhost_msg_recv(v->fd, m, err, sizeof err);
	if (r == 0) {
		disconnect(v, NULL);
		return -1;
	}
	if (r > 0)
		log_debug("vhost_user %s: %s, %u bytes, %d fds, flags 0x%x", v->app->name,
		          vhost_request_name(m->request, nb), m->size, m->nfds, m->flags);
	bool known = r > 0 && m->request <= VHOST_USER_REQUEST_MAX &&
	             strncmp(vhost_request_name(m->request, nb), "request", 7) != 0;
	if (r > 0 && known && vhost_msg_check(m, err, sizeof err) == 0)
		r = handle(v, m, err, sizeof err);
	else if (r > 0 && known)
		r = -1;
	else if (r > 0) {
		/* A request kvick does not implement (its feature was never
		 * offered): refuse it if an answer is awaited, else ignore. */
		log_once(LOG_WARN, "vhost_user %s: ignoring %s (not implemented)", v->app->name,
		         vhost_request_name(m->request, nb));
		r = 0;
		if (m->flags & VHOST_USER_FLAG_NEED_REPLY) {
			uint64_t fail = 1;
			r = vhost_msg_reply(v->fd, m, &fail, sizeof fail);
		}
	}
	vhost_msg_close_fds(m);
	if (r < 0) {
		if (!err[0])
			snprintf(err, sizeof err, "%s: cannot send the reply: %s",
			         vhost_request_name(m->request, nb), strerror(errno));
		log_error("vhost_user %s: malformed message from the frontend, closing the "
		          "connection: %s", v->app->name, err);
		(*v->bad_messages)++;
		disconnect(v, NULL);
		return -1;
	}
	return 0;
}

static void poll_messages(struct vhost_user *v)
{
	for (int k = 0; k < MSGS_PER_POLL; k++) {
		struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) <= 0)
			return;
		if (one_message(v) < 0)
			return;
	}
}

static void try_connect(struct vhost_user *v)
{
	if (v->server) {
		int fd = accept4(v->listenfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			connected(v, fd);
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_once(LOG_WARN, "vhost_user %s: accept on %s: %s", v->app->name, v->path,
			         strerror(errno));
		return;
	}
	if (now_ns() < v->connect_at)
		return;
	v->connect_at = now_ns() + RECONNECT_NS;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, v->path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		connected(v, fd);
		return;
	}
	log_once(LOG_INFO, "vhost_user %s: waiting for a vhost-user server on %s (%s); "
	         "retrying every second", v->app->name, v->path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void control(struct vhost_user *v)
{
	uint64_t now = now_ns();
	if (now < v->poll_at)
		return;
	v->poll_at = now + POLL_PERIOD_NS;
	if (v->fd < 0)
		try_connect(v);
	if (v->fd >= 0)
		poll_messages(v);
}

/* ---- the app ---- */

static int listen_on(struct app *app, struct vhost_user *v)
{
	struct stat st;
	if (lstat(v->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return app_error(app, "socket=%s exists and is not a socket", v->path);
		unlink(v->path);   /* left by an earlier run */
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, v->path);
	v->listenfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->listenfd < 0 || bind(v->listenfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(v->listenfd, 1) < 0)
		return app_error(app, "cannot listen on socket=%s: %s", v->path, strerror(errno));
	return 0;
}

static void release(struct vhost_user *v)
{
	close_fd(&v->fd);
	conn_reset(v);
	if (v->listenfd >= 0) {
		close(v->listenfd);
		unlink(v->path);
	}
	free(v);
}

static int vhost_user_check(struct app_check *c, const struct app_args *args)
{
	const char *path = app_arg_str(args, "socket");
	size_t max = sizeof(((struct vhost_user *)0)->path) - 1;
	if (!path || !*path || strlen(path) > max)
		return app_check_error(c, "socket", "socket='%s' must be a path of 1 to %zu characters",
		                       path ? path : "", max);
	struct stat st;
	if (app_arg_bool(args, "server") && lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return app_check_error(c, "socket", "socket=%s exists and is not a socket", path);
	return 0;
}

/* The path is as vhost_user_check() accepted it (listen_on() looks again:
 * the file may have appeared since). */
static int vhost_user_new(struct app *app, const struct app_args *args)
{
	struct vhost_user *v = calloc(1, sizeof *v);
	if (!v)
		return app_error(app, "out of memory");
	const char *path = app_arg_str(args, "socket");
	v->app = app;
	v->fd = v->listenfd = -1;
	v->server = app_arg_bool(args, "server");
	for (int i = 0; i < NQUEUES; i++)
		v->vs[i].kickfd = v->vs[i].callfd = v->vs[i].errfd = v->q[i].callfd = -1;
	snprintf(v->path, sizeof v->path, "%s", path);
	if (v->server && listen_on(app, v) < 0) {
		release(v);
		return -1;
	}
	v->rxpackets = app_counter(app, "rxpackets");
	v->rxbytes = app_counter(app, "rxbytes");
	v->txpackets = app_counter(app, "txpackets");
	v->txbytes = app_counter(app, "txbytes");
	v->drops = app_counter(app, "drops");
	v->drop_toolong = app_counter(app, "drop_toolong");
	v->drop_short = app_counter(app, "drop_short");
	v->drop_toobig = app_counter(app, "drop_toobig");
	v->drop_noguest = app_counter(app, "drop_noguest");
	v->drop_disconnect = app_counter(app, "drop_disconnect");
	v->drop_stopped = app_counter(app, "drop_stopped");
	v->queue_errors = app_counter(app, "queue_errors");
	v->bad_messages = app_counter(app, "bad_messages");
	v->connections = app_counter(app, "connections");
	v->notifies = app_counter(app, "notifies");
	app->state = v;
	return 0;
}

static void vhost_user_pull(struct app *app)
{
	struct vhost_user *v = app->state;
	control(v);
	struct link *out = app_output(app, "output");
	if (!out || !v->vs[TXQ].running)
		return;   /* frames wait in the guest's ring */
	unsigned n = virtq_dequeue(&v->q[TXQ], v->out, LINK_MAX_BATCH);
	if (!v->q[TXQ].ready)
		ring_failed(v, TXQ);
	for (unsigned i = 0; i < n; i++)
		*v->rxbytes += v->out[i]->length;
	*v->rxpackets += n;
	sum_drops(v);
	link_transmit_batch(out, v->out, n);
}

static void vhost_user_push(struct app *app)
{
	struct vhost_user *v = app->state;
	struct link *in = app_input(app, "input");
	if (in && v->ntxq < LINK_MAX_BATCH)
		v->ntxq += link_receive_batch(in, v->txq + v->ntxq, LINK_MAX_BATCH - v->ntxq);
	if (!v->ntxq)
		return;
	unsigned k;
	if (!v->vs[RXQ].running) {
		k = v->ntxq;   /* nobody to give them to: a cable with no one at the end */
		*v->drop_noguest += k;
	} else {
		uint64_t toobig = *v->drop_toobig, bytes = 0;
		k = virtq_enqueue(&v->q[RXQ], v->txq, v->ntxq, &bytes);
		if (!v->q[RXQ].ready)
			ring_failed(v, RXQ);
		*v->txpackets += k - (*v->drop_toobig - toobig);
		*v->txbytes += bytes;
	}
	packet_free_batch(v->txq, k);
	v->ntxq -= k;
	memmove(v->txq, v->txq + k, v->ntxq * sizeof v->txq[0]);
	sum_drops(v);
}

static void vhost_user_stop(struct app *app)
{
	struct vhost_user *v = app->state;
	if (!v)
		return;
	packet_free_batch(v->txq, v->ntxq);
	*v->drop_stopped += v->ntxq;
	v->ntxq = 0;
	sum_drops(v);
	release(v);
	app->state = NULL;
}

static void vhost_user_report(struct app *app, FILE *out)
{
	struct vhost_user *v = app->state;
	if (!v)
		return;
	fprintf(out, "  %s (%s): %s", v->path, v->server ? "server" : "client",
	        v->fd >= 0 ? "connected" : "no frontend");
	if (v->fd >= 0)
		fprintf(out, ", features 0x%" PRIx64 ", protocol features 0x%" PRIx64
		        ", receive queue %s, transmit queue %s", v->features, v->protocol,
		        v->vs[RXQ].running ? "running" : "stopped",
		        v->vs[TXQ].running ? "running" : "stopped");
	fprintf(out, "\n");
}

static const struct app_class vhost_user_class = {
	.name = "vhost_user",
	.help = "a VM (QEMU) or DPDK virtio-user port over a vhost-user socket",
	.doc = "Frames on `input` go to the guest's virtio-net receive queue; frames the guest "
	       "transmits come out of `output`. server=true (default): kvick listens on socket "
	       "and serves one frontend at a time, taking the next after a disconnect; "
	       "server=false: kvick connects to a frontend listening there (QEMU `server=on`), "
	       "retrying every second. Offers VERSION_1, MRG_RXBUF, EVENT_IDX; split rings; no "
	       "offloads. Every message, descriptor and guest address is checked: a malformed "
	       "message closes the connection (bad_messages), a bad descriptor stops its queue "
	       "(queue_errors). Counters: rxpackets, rxbytes, txpackets, txbytes, drops "
	       "(drop_toolong, drop_short, drop_toobig, drop_noguest, drop_disconnect, "
	       "drop_stopped), queue_errors, bad_messages, connections, notifies.",
	.inputs = ports_in,
	.outputs = ports_out,
	.params = params,
	.check = vhost_user_check,
	.new = vhost_user_new,
	.pull = vhost_user_pull,
	.push = vhost_user_push,
	.stop = vhost_user_stop,
	.report = vhost_user_report,
};
KVICK_APP(vhost_user_class);
