/* vlan_mux.c -- one trunk port <-> one port per VLAN, plus native
 * (Snabb's VlanMux).
 *
 *                 +----------+<--> vlan10
 *   trunk <-----> | vlan_mux |<--> vlan20      (any number of vlanN)
 *                 +----------+<--> native
 *
 * From the trunk: a frame tagged tpid= with VID N leaves on vlanN without
 * its tag; VID 0 (a priority tag) leaves on native without it; an
 * untagged frame (or one with another TPID) leaves on native unchanged.
 * Frames whose port is not linked are freed and counted.
 * To the trunk: a frame from vlanN gets a tag (tpid=, PCP 0, VID N); a
 * frame from native goes as it is.
 *
 * Ports are named in the topology: trunk, native, vlan1 .. vlan4094, on
 * either side (a port may be linked in one direction only).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "vlan.h"

struct vlan_in {
	struct link *link;
	uint16_t tci;            /* 0 for native: no tag to push */
	bool native;
};

struct vlan_mux {
	struct link *trunk_in, *trunk_out, *native_out;
	struct vlan_in in[APP_MAX_PORTS];   /* every input but the trunk */
	int nin;
	uint16_t tpid;
	uint64_t *from_trunk, *to_trunk, *unknown_vlan, *no_native, *dropped;
	struct link *vlan_out[VLAN_VID_MAX + 1];   /* by VID; NULL: not linked */
};

/* "trunk" -> -1, "native" -> 0, "vlanN" -> N (1..4094), else -2. */
static int vlan_mux_port(const char *name)
{
	if (strcmp(name, "trunk") == 0)
		return -1;
	if (strcmp(name, "native") == 0)
		return 0;
	if (strncmp(name, "vlan", 4) || name[4] < '1' || name[4] > '9')
		return -2;
	char *end;
	long vid = strtol(name + 4, &end, 10);
	return *end || vid > VLAN_VID_MAX ? -2 : (int)vid;
}

static int vlan_mux_check(struct app_check *c, const struct app_args *args)
{
	int64_t tpid = app_arg_int(args, "tpid");
	if (!vlan_tpid_valid(tpid))
		return app_check_error(c, "tpid", "tpid=0x%llx: must be 0x8100 (802.1Q) or 0x88a8 "
		                       "(802.1ad)", (unsigned long long)tpid);
	for (int out = 0; out < 2; out++) {
		const char *name;
		for (int i = 0; (name = app_check_port(c, out, i)); i++)
			if (vlan_mux_port(name) == -2)
				return app_check_error(c, NULL, "port '%s': a vlan_mux port is trunk, native "
				                       "or vlanN with N in 1..%u (vlan10, vlan4094)", name,
				                       VLAN_VID_MAX);
	}
	if (!app_check_linked(c, "trunk", false) && !app_check_linked(c, "trunk", true))
		return app_check_error(c, NULL, "port 'trunk' is not linked: link trunk in at least "
		                       "one direction");
	return 0;
}

/* Values and port names are as vlan_mux_check() accepted them. */
static int vlan_mux_new(struct app *a, const struct app_args *args)
{
	struct vlan_mux *m = calloc(1, sizeof *m);
	if (!m)
		return app_error(a, "out of memory");
	m->tpid = (uint16_t)app_arg_int(args, "tpid");
	for (int i = 0; i < a->nout; i++) {
		int vid = vlan_mux_port(a->out[i].name);
		if (vid == -1)
			m->trunk_out = a->out[i].link;
		else if (vid == 0)
			m->native_out = a->out[i].link;
		else if (vid > 0)
			m->vlan_out[vid] = a->out[i].link;
	}
	for (int i = 0; i < a->nin; i++) {
		int vid = vlan_mux_port(a->in[i].name);
		if (vid == -1)
			m->trunk_in = a->in[i].link;
		else if (vid >= 0 && a->in[i].link)
			m->in[m->nin++] = (struct vlan_in){ a->in[i].link, VLAN_TCI(0, vid), vid == 0 };
	}
	m->from_trunk = app_counter(a, "from_trunk");
	m->to_trunk = app_counter(a, "to_trunk");
	m->unknown_vlan = app_counter(a, "unknown_vlan");
	m->no_native = app_counter(a, "no_native");
	m->dropped = app_counter(a, "dropped");
	a->state = m;
	return 0;
}

/* Where a trunk frame goes (its tag popped when it had the mux's TPID). */
static struct link *vlan_mux_demux(struct vlan_mux *m, struct packet *p)
{
	if (vlan_tpid(p) != m->tpid)
		return m->native_out ? m->native_out : ((*m->no_native)++, NULL);
	unsigned vid = VLAN_VID(vlan_tci(p));
	struct link *l = vid == 0 ? m->native_out : vid <= VLAN_VID_MAX ? m->vlan_out[vid] : NULL;
	if (!l) {
		(*(vid == 0 ? m->no_native : m->unknown_vlan))++;
		return NULL;
	}
	vlan_pop(p);
	return l;
}

static void vlan_mux_from_trunk(struct vlan_mux *m)
{
	struct packet *pk[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(m->trunk_in, pk, LINK_MAX_BATCH);
	*m->from_trunk += n;
	for (uint32_t i = 0; i < n; i++) {
		struct link *l = vlan_mux_demux(m, pk[i]);
		if (l)
			link_transmit(l, pk[i]);
		else
			packet_free(pk[i]);
	}
}

static void vlan_mux_to_trunk(struct vlan_mux *m, struct vlan_in *v)
{
	struct packet *pk[LINK_MAX_BATCH], *bad[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(v->link, pk, LINK_MAX_BATCH), ok = 0, nbad = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (v->native || vlan_push(pk[i], m->tpid, v->tci))
			pk[ok++] = pk[i];
		else
			bad[nbad++] = pk[i];
	}
	*m->dropped += nbad;
	packet_free_batch(bad, nbad);
	if (m->trunk_out) {
		*m->to_trunk += ok;
		link_transmit_batch(m->trunk_out, pk, ok);
	} else {
		*m->dropped += ok;   /* trunk linked as an input only */
		packet_free_batch(pk, ok);
	}
}

static void vlan_mux_push(struct app *a)
{
	struct vlan_mux *m = a->state;
	if (m->trunk_in)
		vlan_mux_from_trunk(m);
	for (int i = 0; i < m->nin; i++)
		vlan_mux_to_trunk(m, &m->in[i]);
}

static void vlan_mux_stop(struct app *a)
{
	free(a->state);   /* holds no packets between breaths */
	a->state = NULL;
}

static const char *const vlan_mux_ports[] = { "*", NULL };
static const struct app_param vlan_mux_params[] = {
	{ "tpid", PARAM_INT, "0x8100", false, "tag type on the trunk: 0x8100 (802.1Q) or 0x88a8 (802.1ad)" },
	{ NULL },
};

static const struct app_class vlan_mux_class = {
	.name = "vlan_mux",
	.help = "a VLAN trunk port <-> one port per VLAN (vlanN) plus native",
	.doc =
		"Ports (inputs and outputs alike): trunk, native, vlan1 .. vlan4094; each may be\n"
		"linked in one direction or both; trunk must be linked.\n"
		"trunk -> vlanN: frames tagged tpid= with VID N, tag popped.\n"
		"trunk -> native: untagged frames (or another TPID) as they are, and VID 0\n"
		"(priority-tagged) frames with the tag popped.\n"
		"vlanN -> trunk: tag pushed (tpid=, PCP 0, VID N).  native -> trunk: unchanged.\n"
		"Counters:\n"
		"  from_trunk    frames received on trunk\n"
		"  to_trunk      frames sent to trunk\n"
		"  unknown_vlan  trunk frames whose VID has no linked vlanN output, freed\n"
		"  no_native     trunk frames for native when native is not linked, freed\n"
		"  dropped       frames to the trunk that could not be tagged or had no trunk\n"
		"                output, freed\n"
		"Example: link nic.output -> mux.trunk   link mux.vlan10 -> office.input\n",
	.inputs = vlan_mux_ports,
	.outputs = vlan_mux_ports,
	.params = vlan_mux_params,
	.check = vlan_mux_check,
	.new = vlan_mux_new,
	.push = vlan_mux_push,
	.stop = vlan_mux_stop,
};
KVICK_APP(vlan_mux_class);
