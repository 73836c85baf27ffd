/* sim.c -- the hw-sim API: opening ports, wiring them, the model thread,
 * fault injection and inspection.  See sim.h for the contract and
 * docs/hw-sim.md for the whole model.
 *
 * This is the common layer: it knows ports, wires, the IOMMU and the
 * thread, and reaches the device through the port's personality (the
 * 82599 or the X710, model.h struct sim_personality), chosen by the
 * spec's model= option.
 *
 * The model thread loops over the open ports: timers and requests
 * (personality tick), wire sources into RX, held RX frames into the rings,
 * TX rings onto the wires, then the batched register counters.  Each
 * iteration holds sim_lock; control calls take it too, so they act between
 * iterations.  When an iteration moved nothing the thread sleeps, 1 us
 * doubling up to 256 us, so an idle model costs little CPU.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "model.h"

pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
struct sim_port *sim_ports[SIM_MAX_PORTS];

/* The personalities a spec can name with model= (the first is the default). */
static const struct sim_personality *const models[] = { &sim_ixgbe_model, &sim_x710_model };
#define NMODELS (sizeof models / sizeof models[0])

static pthread_t thread;
static _Atomic bool thread_running, thread_stop;
static unsigned nopen;

uint64_t sim_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- violations ---- */

#define MAX_VIOLATIONS 1024
static pthread_mutex_t vlock = PTHREAD_MUTEX_INITIALIZER;
static char *violations[MAX_VIOLATIONS];
static unsigned nviolations;      /* stored */
static uint64_t violations_total;

void sim_violation_add(struct sim_port *p, const char *fmt, ...)
{
	char msg[400];
	int n = snprintf(msg, sizeof msg, "sim:%u: ", p->id);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	atomic_fetch_add(&p->st.violations, 1);
	pthread_mutex_lock(&vlock);
	violations_total++;
	if (violations_total <= 50)
		log_warn("%s", msg);
	else if (violations_total == 51)
		log_warn("hw-sim: more than 50 violations; further ones are only counted and listed");
	if (nviolations < MAX_VIOLATIONS)
		violations[nviolations++] = strdup(msg);
	pthread_mutex_unlock(&vlock);
}

unsigned sim_violation_count(void)
{
	pthread_mutex_lock(&vlock);
	unsigned n = nviolations;
	pthread_mutex_unlock(&vlock);
	return n;
}

const char *sim_violation(unsigned i)
{
	pthread_mutex_lock(&vlock);
	const char *s = i < nviolations ? violations[i] : NULL;
	pthread_mutex_unlock(&vlock);
	return s;
}

bool sim_violation_find(const char *substr)
{
	bool found = false;
	pthread_mutex_lock(&vlock);
	for (unsigned i = 0; i < nviolations && !found; i++)
		found = violations[i] && strstr(violations[i], substr);
	pthread_mutex_unlock(&vlock);
	return found;
}

void sim_violations_clear(void)
{
	pthread_mutex_lock(&vlock);
	for (unsigned i = 0; i < nviolations; i++)
		free(violations[i]);
	nviolations = 0;
	violations_total = 0;
	pthread_mutex_unlock(&vlock);
}

/* ---- ports ---- */

static struct sim_port *port_get(unsigned id)
{
	if (id >= SIM_MAX_PORTS)
		return NULL;
	if (sim_ports[id])
		return sim_ports[id];
	struct sim_port *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->id = id;
	p->fifo.mem = malloc(SIM_RXFIFO_BYTES);
	p->txbuf = malloc(SIM_FRAME_MAX);
	p->rxbuf = malloc(SIM_FRAME_MAX + 4);
	p->wire.pending = malloc(SIM_FRAME_MAX);
	p->inject = calloc(1, sizeof *p->inject);
	if (!p->fifo.mem || !p->txbuf || !p->rxbuf || !p->wire.pending || !p->inject) {
		free(p->fifo.mem); free(p->txbuf); free(p->rxbuf); free(p->wire.pending); free(p->inject);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->inject->lock, NULL);
	p->wire.tap_fd = -1;
	atomic_store(&p->wire.admin_up, true);
	sim_regs_init();
	p->pers = models[0];
	p->pers->reset(p);
	atomic_store(&p->st.resets, 0);
	sim_ports[id] = p;
	return p;
}

static void port_free(struct sim_port *p)
{
	wire_unplug(p);
	struct sim_inject *in = p->inject;
	for (unsigned i = in->head; i != in->tail; i++)
		free(in->slot[i % (sizeof in->slot / sizeof in->slot[0])].data);
	pthread_mutex_destroy(&in->lock);
	free(in);
	free(p->fifo.mem);
	free(p->txbuf);
	free(p->rxbuf);
	free(p->wire.pending);
	for (unsigned i = 0; i < NMODELS; i++)
		if (models[i]->release)
			models[i]->release(p);
	sim_ports[p->id] = NULL;
	free(p);
}

/* ---- the model thread ---- */

static unsigned iterate(uint64_t now)
{
	unsigned work = 0;
	sim_pace_now = now;
	sim_pace_wake = 0;
	for (unsigned i = 0; i < SIM_MAX_PORTS; i++) {
		struct sim_port *p = sim_ports[i];
		if (!p || !p->open)
			continue;
		p->pers->tick(p, now);
		work += wire_poll(p, now);
		work += p->pers->rx_drain(p);
		work += p->pers->tx_poll(p);
		pace_end_iteration(p);
	}
	for (unsigned i = 0; i < SIM_MAX_PORTS; i++) {
		struct sim_port *p = sim_ports[i];
		if (p && p->open && work)
			p->pers->flush(p);
	}
	return work;
}

static void *thread_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "kvick-hwsim");
	prctl(PR_SET_TIMERSLACK, 1000UL);   /* sleep 1 us when asked for 1 us */
	unsigned sleep_ns = 0;
	while (!atomic_load_explicit(&thread_stop, memory_order_relaxed)) {
		pthread_mutex_lock(&sim_lock);
		uint64_t now = sim_now();
		unsigned work = iterate(now);
		uint64_t wake = sim_pace_wake;
		pthread_mutex_unlock(&sim_lock);
		if (work) {
			sleep_ns = 0;
			continue;
		}
		sleep_ns = sleep_ns ? (sleep_ns < 256000 ? sleep_ns * 2 : sleep_ns) : 1000;
		unsigned nap = sleep_ns;     /* a paced port waiting: wake for it */
		if (wake)
			nap = wake <= now + 1000 ? 1000 : (wake - now < nap ? (unsigned)(wake - now) : nap);
		struct timespec ts = { 0, (long)nap };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int thread_start(char *err, size_t errlen)
{
	if (atomic_load(&thread_running))
		return 0;
	atomic_store(&thread_stop, false);
	int rc = pthread_create(&thread, NULL, thread_main, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the hw-sim thread: %s", strerror(rc));
		return -1;
	}
	atomic_store(&thread_running, true);
	return 0;
}

static void thread_join(void)
{
	if (!atomic_load(&thread_running))
		return;
	atomic_store(&thread_stop, true);
	pthread_join(thread, NULL);
	atomic_store(&thread_running, false);
}

/* ---- spec options ---- */

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int configure_one(struct sim_port *p, char *opt, char *err, size_t errlen)
{
	char *val = strchr(opt, '=');
	if (val)
		*val++ = 0;
	unsigned long long v;
	if (!strcmp(opt, "model") && val) {
		const struct sim_personality *m = NULL;
		for (unsigned i = 0; i < NMODELS; i++)
			if (!strcmp(val, models[i]->name))
				m = models[i];
		if (!m) {
			snprintf(err, errlen, "model=%s: expected model=82599 or model=x710", val);
			return -1;
		}
		if (p->open && m != p->pers) {
			snprintf(err, errlen, "model=%s: port %u is open as %s; close it first", val, p->id, p->pers->name);
			return -1;
		}
		if (m != p->pers) {
			p->pers = m;
			p->pers->reset(p);
		}
	} else if (!strcmp(opt, "loopback") && !val) {
		wire_unplug(p);
		p->wire.kind = W_LOOPBACK;
	} else if (!strcmp(opt, "cable") && val) {
		if (parse_uint(val, SIM_MAX_PORTS - 1, &v) < 0 || v == p->id) {
			snprintf(err, errlen, "cable=%s: expected another port number 0..%d", val, SIM_MAX_PORTS - 1);
			return -1;
		}
		struct sim_port *q = port_get((unsigned)v);
		if (!q) {
			snprintf(err, errlen, "cable=%s: out of memory", val);
			return -1;
		}
		wire_unplug(p);
		wire_unplug(q);
		p->wire.kind = q->wire.kind = W_CABLE;
		p->wire.peer = q->id;
		q->wire.peer = p->id;
	} else if (!strcmp(opt, "tap") && val) {
		int fd = wire_tap_open(val, err, errlen);
		if (fd < 0)
			return -1;
		wire_unplug(p);
		p->wire.kind = W_TAP;
		p->wire.tap_fd = fd;
	} else if ((!strcmp(opt, "pcap-in") || !strcmp(opt, "pcap-out")) && val) {
		if (p->wire.kind != W_PCAP)
			wire_unplug(p);
		if (wire_pcap_open(p, opt[5] == 'i' ? val : NULL, opt[5] == 'o' ? val : NULL, err, errlen) < 0)
			return -1;
		p->wire.kind = W_PCAP;
	} else if (!strcmp(opt, "gen") && val) {
		unsigned long long c, s, r = 0;
		char *a = val, *b = strchr(a, ':'), *c3 = b ? strchr(b + 1, ':') : NULL;
		if (b) *b++ = 0;
		if (c3) *c3++ = 0;
		if (!b || parse_uint(a, UINT64_MAX, &c) < 0 || parse_uint(b, 9216, &s) < 0 || s < 60 ||
		    (c3 && parse_uint(c3, UINT64_MAX, &r) < 0)) {
			snprintf(err, errlen, "gen=%s: expected COUNT:SIZE[:PPS] with SIZE 60..9216", val);
			return -1;
		}
		wire_unplug(p);
		p->wire.kind = W_GEN;
		p->wire.gen = (struct sim_gen_config){ c, (uint16_t)s, r };
		p->wire.gen_sent = p->wire.gen_next_ns = 0;
	} else if (!strcmp(opt, "pace")) {
		uint64_t bps = pace_parse(val);
		if (!bps) {
			snprintf(err, errlen, "pace=%s: expected pace (the link speed, 10 Gb/s), pace=10g, pace=1g or pace=100m", val);
			return -1;
		}
		p->pace_bps = bps;
		p->pace_ps[PACE_TX] = p->pace_ps[PACE_RX] = 0;
		p->pace_active = p->pace_backlog = 0;
	} else if (!strcmp(opt, "link") && val && (!strcmp(val, "down") || !strcmp(val, "up"))) {
		atomic_store(&p->wire.admin_up, val[0] == 'u');
	} else {
		snprintf(err, errlen, "unknown option '%s%s%s'; expected model=82599|x710, loopback, cable=M, tap=IFNAME, "
		         "pcap-in=FILE, pcap-out=FILE, gen=COUNT:SIZE[:PPS], pace[=10g|1g|100m] or link=down",
		         opt, val ? "=" : "", val ? val : "");
		return -1;
	}
	return 0;
}

static int configure(struct sim_port *p, const char *opts, char *err, size_t errlen)
{
	char *copy = strdup(opts), *save = NULL;
	int rc = copy ? 0 : -1;
	for (char *o = copy ? strtok_r(copy, ",", &save) : NULL; o && rc == 0; o = strtok_r(NULL, ",", &save))
		rc = configure_one(p, o, err, errlen);
	free(copy);
	return rc;
}

int sim_port_configure(unsigned port, const char *opts, char *err, size_t errlen)
{
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	int rc = p ? configure(p, opts, err, errlen) : -1;
	if (!p)
		snprintf(err, errlen, "sim:%u: no such port (0..%d)", port, SIM_MAX_PORTS - 1);
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

/* ---- device open / reset / close ---- */

static int dev_reset(struct device *d)
{
	struct sim_port *p = d->priv;
	/* a function-level reset: like CTRL.RST, waited for */
	atomic_store(&p->in_reset, true);
	atomic_fetch_or(&p->req, REQ_RESET);
	for (int i = 0; i < 1000 && atomic_load(&p->in_reset); i++)
		usleep(100);
	return atomic_load(&p->in_reset) ? -ETIMEDOUT : 0;
}

static void dev_close(struct device *d)
{
	struct sim_port *p = d->priv;
	bool last;
	pthread_mutex_lock(&sim_lock);
	p->open = false;
	p->dev = NULL;
	wire_unplug(p);
	atomic_store(&p->in_reset, false);
	p->pers->reset(p);
	last = --nopen == 0;
	pthread_mutex_unlock(&sim_lock);
	if (last) {
		thread_join();
		sim_iommu_uninstall();
	}
	d->priv = NULL;
}

static const struct device_ops sim_dev_ops = { .reset = dev_reset, .close = dev_close };

int sim_device_open(const char *spec, struct device *d, char *err, size_t errlen)
{
	unsigned long long n;
	char num[16];
	if (strncmp(spec, "sim:", 4) != 0) {
		snprintf(err, errlen, "'%s' is not a model port (expected sim:N[/OPTIONS])", spec);
		return -1;
	}
	const char *s = spec + 4, *slash = strchr(s, '/');
	size_t nl = slash ? (size_t)(slash - s) : strlen(s);
	if (nl == 0 || nl >= sizeof num) {
		snprintf(err, errlen, "'%s': expected a port number after 'sim:'", spec);
		return -1;
	}
	memcpy(num, s, nl);
	num[nl] = 0;
	if (parse_uint(num, SIM_MAX_PORTS - 1, &n) < 0) {
		snprintf(err, errlen, "'%s': port must be 0..%d", spec, SIM_MAX_PORTS - 1);
		return -1;
	}
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get((unsigned)n);
	int rc = -1;
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", spec);
	} else if (p->open) {
		snprintf(err, errlen, "%s: port %llu is already open", spec, n);
	} else if (p->pers = models[0], p->pace_bps = 0, sim_iommu_install(err, errlen) == 0 &&
	           (!slash || !slash[1] || configure(p, slash + 1, err, errlen) == 0) &&
	           thread_start(err, errlen) == 0) {
		/* the personality is the default unless the spec named one */
		atomic_store(&p->in_reset, false);
		p->pers->reset(p);
		atomic_store(&p->st.resets, 0);
		p->pers->power_up(p, sim_now());
		p->open = true;
		p->dev = d;
		nopen++;
		rc = 0;
	}
	pthread_mutex_unlock(&sim_lock);
	if (rc < 0)
		return -1;
	memset(d, 0, sizeof *d);
	snprintf(d->addr, sizeof d->addr, "%s", spec);
	d->vendor_id = SIM_VENDOR_ID;
	d->device_id = p->pers->device_id;
	d->numa_node = -1;
	d->bar0.bar = NULL;
	d->bar0.size = p->pers->bar_size;
	d->bar0.ops = p->pers->reg_ops;
	d->bar0.ctx = p;
	d->ops = &sim_dev_ops;
	d->priv = p;
	d->is_model = 1;
	return 0;
}

void sim_shutdown(void)
{
	thread_join();
	pthread_mutex_lock(&sim_lock);
	for (unsigned i = 0; i < SIM_MAX_PORTS; i++)
		if (sim_ports[i])
			port_free(sim_ports[i]);
	nopen = 0;
	pthread_mutex_unlock(&sim_lock);
	sim_iommu_uninstall();
	sim_violations_clear();
}

/* ---- wires ---- */

static int wire_set(unsigned port, const char *opts)
{
	char err[256];
	if (sim_port_configure(port, opts, err, sizeof err) < 0) {
		log_error("hw-sim: %s", err);
		return -1;
	}
	return 0;
}

int sim_port_wire_loopback(unsigned port) { return wire_set(port, "loopback"); }

int sim_port_cable(unsigned a, unsigned b)
{
	char o[32];
	snprintf(o, sizeof o, "cable=%u", b);
	return wire_set(a, o);
}

int sim_port_wire_pcap(unsigned port, const char *in, const char *out)
{
	char err[512];
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	int rc = -1;
	if (p) {
		wire_unplug(p);
		rc = wire_pcap_open(p, in, out, err, sizeof err);
		if (rc == 0)
			p->wire.kind = W_PCAP;
		else
			log_error("hw-sim: %s", err);
	}
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

int sim_port_wire_generator(unsigned port, const struct sim_gen_config *cfg)
{
	if (cfg->size < 60 || cfg->size > 9216) {
		log_error("hw-sim: generator frame size %u is outside 60..9216", cfg->size);
		return -1;
	}
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	if (p) {
		wire_unplug(p);
		p->wire.kind = W_GEN;
		p->wire.gen = *cfg;
		p->wire.gen_sent = p->wire.gen_next_ns = 0;
	}
	pthread_mutex_unlock(&sim_lock);
	return p ? 0 : -1;
}

int sim_port_wire_tap_fd(unsigned port, int fd)
{
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	if (p) {
		wire_unplug(p);
		p->wire.kind = W_TAP;
		p->wire.tap_fd = fd;
	}
	pthread_mutex_unlock(&sim_lock);
	return p ? 0 : -1;
}

int sim_port_wire_tap(unsigned port, const char *ifname)
{
	char o[64];
	snprintf(o, sizeof o, "tap=%s", ifname);
	return wire_set(port, o);
}

int sim_port_wire_capture(unsigned port)
{
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	struct sim_capture *c = p ? calloc(1, sizeof *c) : NULL;
	if (c) {
		wire_unplug(p);
		pthread_mutex_init(&c->lock, NULL);
		p->wire.cap = c;
		p->wire.kind = W_CAPTURE;
	}
	pthread_mutex_unlock(&sim_lock);
	return c ? 0 : -1;
}

void sim_port_unwire(unsigned port)
{
	pthread_mutex_lock(&sim_lock);
	if (port < SIM_MAX_PORTS && sim_ports[port])
		wire_unplug(sim_ports[port]);
	pthread_mutex_unlock(&sim_lock);
}

int sim_port_inject(unsigned port, const void *frame, size_t len)
{
	if (len < 14 || len > SIM_FRAME_MAX)
		return -1;
	pthread_mutex_lock(&sim_lock);
	struct sim_port *p = port_get(port);
	pthread_mutex_unlock(&sim_lock);
	if (!p)
		return -1;
	struct sim_inject *in = p->inject;
	const unsigned cap = sizeof in->slot / sizeof in->slot[0];
	uint8_t *copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, frame, len);
	pthread_mutex_lock(&in->lock);
	int rc = -1;
	if (in->tail - in->head < cap) {
		in->slot[in->tail % cap].data = copy;
		in->slot[in->tail % cap].len = (uint32_t)len;
		atomic_store_explicit(&in->tail, in->tail + 1, memory_order_release);
		rc = 0;
	}
	pthread_mutex_unlock(&in->lock);
	if (rc < 0)
		free(copy);
	return rc;
}

/* ---- faults ---- */

static struct sim_port *fault_port(unsigned port)
{
	return port < SIM_MAX_PORTS ? sim_ports[port] : NULL;
}

void sim_fault_link(unsigned port, bool up)
{
	struct sim_port *p = fault_port(port);
	if (p)
		atomic_store(&p->wire.admin_up, up);
}

void sim_fault_rx_bad_length(unsigned port, unsigned n)
{
	struct sim_port *p = fault_port(port);
	if (p)
		atomic_fetch_add(&p->fault_bad_len, n);
}

void sim_fault_rx_no_eop(unsigned port, unsigned n)
{
	struct sim_port *p = fault_port(port);
	if (p)
		atomic_fetch_add(&p->fault_no_eop, n);
}

void sim_fault_stall(unsigned port, unsigned ms)
{
	struct sim_port *p = fault_port(port);
	if (p)
		atomic_store(&p->stall_until, sim_now() + ms * 1000000ull);
}

void sim_fault_reset(unsigned port)
{
	struct sim_port *p = fault_port(port);
	if (p)
		p->pers->fault_reset(p);
}

/* ---- inspection ---- */

int sim_port_stats(unsigned port, struct sim_port_stats *o)
{
	struct sim_port *p = fault_port(port);
	if (!p)
		return -1;
	o->wire_rx_frames = atomic_load(&p->st.wire_rx_frames);
	o->rx_frames = atomic_load(&p->st.rx_frames);
	o->rx_bytes = atomic_load(&p->st.rx_bytes);
	o->tx_frames = atomic_load(&p->st.tx_frames);
	o->tx_bytes = atomic_load(&p->st.tx_bytes);
	o->rx_drop_nodesc = atomic_load(&p->st.rx_drop_nodesc);
	o->rx_drop_disabled = atomic_load(&p->st.rx_drop_disabled);
	o->rx_drop_filter = atomic_load(&p->st.rx_drop_filter);
	o->rx_drop_error = atomic_load(&p->st.rx_drop_error);
	o->tx_drop_link = atomic_load(&p->st.tx_drop_link);
	o->iommu_faults = atomic_load(&p->st.iommu_faults);
	o->violations = atomic_load(&p->st.violations);
	o->resets = atomic_load(&p->st.resets);
	o->link_up = p->link_up;
	return 0;
}
