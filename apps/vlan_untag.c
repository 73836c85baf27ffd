/* vlan_untag.c -- pops the outer VLAN tag (Snabb's Untagger).
 *
 *            +------------+
 *   input -->| vlan_untag |--> output   the frame without its outer tag
 *            +------------+
 *
 * The expected tag: TPID tpid=, and VID vid= when given (any VID when
 * not).  A frame without it (untagged, another TPID, another VID, or too
 * short to hold a tag) is, as mismatch= says, freed and counted (drop) or
 * sent on unchanged and counted (pass).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "vlan.h"

struct vlan_untag {
	struct link *in, *out;
	uint16_t tpid;
	int vid;                 /* -1: any */
	bool pass;               /* mismatch=pass */
	uint64_t *untagged, *passed, *dropped;
};

static int vlan_untag_check(struct app_check *c, const struct app_args *args)
{
	int64_t tpid = app_arg_int(args, "tpid");
	if (!vlan_tpid_valid(tpid))
		return app_check_error(c, "tpid", "tpid=0x%llx: must be 0x8100 (802.1Q) or 0x88a8 "
		                       "(802.1ad)", (unsigned long long)tpid);
	int64_t vid = app_arg_int(args, "vid");
	if (app_arg_isset(args, "vid") && (vid < 0 || vid > VLAN_VID_MAX))
		return app_check_error(c, "vid", "vid=%lld: a VLAN ID is 0..%u", (long long)vid,
		                       VLAN_VID_MAX);
	const char *mm = app_arg_str(args, "mismatch");
	if (strcmp(mm, "drop") && strcmp(mm, "pass"))
		return app_check_error(c, "mismatch", "mismatch=%s: must be drop or pass", mm);
	if (!app_check_linked(c, "input", false) || !app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "link both input and output");
	return 0;
}

/* Values and ports are as vlan_untag_check() accepted them. */
static int vlan_untag_new(struct app *a, const struct app_args *args)
{
	int64_t tpid = app_arg_int(args, "tpid");
	int64_t vid = app_arg_isset(args, "vid") ? app_arg_int(args, "vid") : -1;
	const char *mm = app_arg_str(args, "mismatch");
	struct link *in = app_input(a, "input"), *out = app_output(a, "output");
	struct vlan_untag *u = calloc(1, sizeof *u);
	if (!u)
		return app_error(a, "out of memory");
	u->in = in;
	u->out = out;
	u->tpid = (uint16_t)tpid;
	u->vid = (int)vid;
	u->pass = strcmp(mm, "pass") == 0;
	u->untagged = app_counter(a, "untagged");
	u->passed = app_counter(a, "passed");
	u->dropped = app_counter(a, "dropped");
	a->state = u;
	return 0;
}

static bool vlan_untag_expected(const struct vlan_untag *u, struct packet *p)
{
	return vlan_tpid(p) == u->tpid && (u->vid < 0 || (int)VLAN_VID(vlan_tci(p)) == u->vid);
}

static void vlan_untag_push(struct app *a)
{
	struct vlan_untag *u = a->state;
	struct packet *pk[LINK_MAX_BATCH], *bad[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(u->in, pk, LINK_MAX_BATCH), nout = 0, nbad = 0, npop = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct packet *p = pk[i];
		if (vlan_untag_expected(u, p)) {
			vlan_pop(p);
			npop++;
			pk[nout++] = p;
		} else if (u->pass) {
			pk[nout++] = p;
		} else {
			bad[nbad++] = p;
		}
	}
	*u->untagged += npop;
	*u->passed += nout - npop;
	*u->dropped += nbad;
	link_transmit_batch(u->out, pk, nout);
	packet_free_batch(bad, nbad);
}

static void vlan_untag_stop(struct app *a)
{
	free(a->state);
	a->state = NULL;
}

static const char *const vlan_untag_inputs[] = { "input", NULL };
static const char *const vlan_untag_outputs[] = { "output", NULL };
static const struct app_param vlan_untag_params[] = {
	{ "vid", PARAM_INT, NULL, false, "VLAN ID to pop, 0..4094; unset: any" },
	{ "tpid", PARAM_INT, "0x8100", false, "0x8100 (802.1Q) or 0x88a8 (802.1ad)" },
	{ "mismatch", PARAM_STRING, "drop", false,
	  "frames without the expected tag: drop (freed, counted) or pass (sent unchanged)" },
	{ NULL },
};

static const struct app_class vlan_untag_class = {
	.name = "vlan_untag",
	.help = "pops the outer 802.1Q (or 802.1ad) tag; other frames dropped or passed",
	.doc =
		"Ports: input, output (both must be connected).\n"
		"A frame whose outer tag has TPID tpid= (and VID vid=, when given) leaves\n"
		"without that tag.  Any other frame is freed (mismatch=drop) or sent on as\n"
		"it is (mismatch=pass).  received = untagged + passed + dropped.\n"
		"Counters:\n"
		"  untagged  frames whose tag was popped\n"
		"  passed    frames without the expected tag, sent unchanged (mismatch=pass)\n"
		"  dropped   frames without the expected tag, freed (mismatch=drop)\n"
		"Example: app u vlan_untag vid=100 tpid=0x88a8 mismatch=pass\n",
	.inputs = vlan_untag_inputs,
	.outputs = vlan_untag_outputs,
	.params = vlan_untag_params,
	.check = vlan_untag_check,
	.new = vlan_untag_new,
	.push = vlan_untag_push,
	.stop = vlan_untag_stop,
};
KVICK_APP(vlan_untag_class);
