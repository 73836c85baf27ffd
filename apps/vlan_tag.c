/* vlan_tag.c -- pushes one VLAN tag on every frame (Snabb's Tagger).
 *
 *            +----------+
 *   input -->| vlan_tag |--> output   each frame with a new outer tag
 *            +----------+
 *
 * The tag is TPID tpid= (0x8100 802.1Q, or 0x88a8 802.1ad for a service
 * tag), PCP pcp=, DEI 0, VID vid= (vlan.h).  A frame already tagged gets a
 * second, outer tag (Q-in-Q).  A frame shorter than an Ethernet header, or
 * one that would exceed the largest frame, is freed and counted.
 */
#include <stdlib.h>

#include "../core/app.h"
#include "vlan.h"

struct vlan_tag {
	struct link *in, *out;
	uint16_t tpid, tci;
	uint64_t *tagged, *dropped;
};

static int vlan_tag_check(struct app_check *c, const struct app_args *args)
{
	int64_t vid = app_arg_int(args, "vid"), pcp = app_arg_int(args, "pcp");
	int64_t tpid = app_arg_int(args, "tpid");
	if (vid < 0 || vid > VLAN_VID_MAX)
		return app_check_error(c, "vid", "vid=%lld: a VLAN ID is 0..%u (0: priority tag only)",
		                       (long long)vid, VLAN_VID_MAX);
	if (pcp < 0 || pcp > 7)
		return app_check_error(c, "pcp", "pcp=%lld: a priority is 0..7", (long long)pcp);
	if (!vlan_tpid_valid(tpid))
		return app_check_error(c, "tpid", "tpid=0x%llx: must be 0x8100 (802.1Q) or 0x88a8 "
		                       "(802.1ad)", (unsigned long long)tpid);
	if (!app_check_linked(c, "input", false) || !app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "link both input and output");
	return 0;
}

/* Values and ports are as vlan_tag_check() accepted them. */
static int vlan_tag_new(struct app *a, const struct app_args *args)
{
	int64_t vid = app_arg_int(args, "vid"), pcp = app_arg_int(args, "pcp");
	int64_t tpid = app_arg_int(args, "tpid");
	struct link *in = app_input(a, "input"), *out = app_output(a, "output");
	struct vlan_tag *t = calloc(1, sizeof *t);
	if (!t)
		return app_error(a, "out of memory");
	t->in = in;
	t->out = out;
	t->tpid = (uint16_t)tpid;
	t->tci = VLAN_TCI(pcp, vid);
	t->tagged = app_counter(a, "tagged");
	t->dropped = app_counter(a, "dropped");
	a->state = t;
	return 0;
}

static void vlan_tag_push(struct app *a)
{
	struct vlan_tag *t = a->state;
	struct packet *pk[LINK_MAX_BATCH], *bad[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(t->in, pk, LINK_MAX_BATCH), ok = 0, nbad = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (vlan_push(pk[i], t->tpid, t->tci))
			pk[ok++] = pk[i];
		else
			bad[nbad++] = pk[i];
	}
	*t->tagged += ok;
	*t->dropped += nbad;
	link_transmit_batch(t->out, pk, ok);
	packet_free_batch(bad, nbad);
}

static void vlan_tag_stop(struct app *a)
{
	free(a->state);
	a->state = NULL;
}

static const char *const vlan_tag_inputs[] = { "input", NULL };
static const char *const vlan_tag_outputs[] = { "output", NULL };
static const struct app_param vlan_tag_params[] = {
	{ "vid", PARAM_INT, NULL, true, "VLAN ID, 0..4094 (0: priority tag only)" },
	{ "pcp", PARAM_INT, "0", false, "priority code point, 0..7" },
	{ "tpid", PARAM_INT, "0x8100", false, "0x8100 (802.1Q) or 0x88a8 (802.1ad service tag)" },
	{ NULL },
};

static const struct app_class vlan_tag_class = {
	.name = "vlan_tag",
	.help = "pushes an 802.1Q (or 802.1ad) tag on every frame",
	.doc =
		"Ports: input, output (both must be connected).\n"
		"The new tag goes right after the source MAC: TPID tpid=, then PCP pcp=, DEI 0,\n"
		"VID vid=.  An already tagged frame gets a second, outer tag (Q-in-Q).\n"
		"Counters:\n"
		"  tagged    frames sent with the new tag\n"
		"  dropped   frames shorter than an Ethernet header, or too long to grow by 4\n"
		"            bytes, freed\n"
		"Example: app t vlan_tag vid=100 pcp=5 tpid=0x88a8\n",
	.inputs = vlan_tag_inputs,
	.outputs = vlan_tag_outputs,
	.params = vlan_tag_params,
	.check = vlan_tag_check,
	.new = vlan_tag_new,
	.push = vlan_tag_push,
	.stop = vlan_tag_stop,
};
KVICK_APP(vlan_tag_class);
