/* pace.c -- the pace option: a port's wire carries what its link speed
 * allows, not what the model thread can move.
 *
 * Without it a model port that reports 10 Gb/s moves frames as fast as
 * the model thread goes (tens of Gbit/s of 1500-byte frames).  With it,
 * each frame occupies its direction of the wire for its wire time: the
 * frame, its 4-byte FCS, and the 8-byte preamble/SFD and 12-byte
 * inter-frame gap around it -- (len + 24) * 8 bits at the link rate
 * (IEEE 802.3 clause 4.4.2; 67.2 ns for a 60-byte frame at 10 Gb/s,
 * 14.88 Mpps).  A direction that is busy sends nothing until its frames
 * have left.
 *
 * The model thread is not always on a CPU (it sleeps between passes, and
 * on a loaded machine it waits for one): a direction that had frames to
 * send all along (in the model thread's last pass) catches up afterwards,
 * by up to PACE_CATCHUP_PS of wire time, so the rate over any longer
 * stretch is the link's; a direction that went idle starts afresh when its
 * next frame comes, as on a real wire (no burst of saved-up credit).
 *
 * Times are kept in picoseconds so a 67.2 ns frame time is exact.
 * Everything here runs on the model thread with sim_lock held.
 */
#include <string.h>

#include "model.h"

#define PACE_CATCHUP_PS 50000000000ull   /* 50 ms */

uint64_t sim_pace_now, sim_pace_wake;

uint64_t pace_parse(const char *val)
{
	if (!val || !strcmp(val, "10g"))
		return 10000000000ull;   /* the 10 Gb/s both models report (LINKS, AQ link status) */
	if (!strcmp(val, "1g"))
		return 1000000000ull;
	if (!strcmp(val, "100m"))
		return 100000000ull;
	return 0;
}

bool pace_busy(struct sim_port *p, unsigned dir)
{
	p->pace_active |= 1u << dir;             /* it has a frame to send */
	uint64_t busy = p->pace_ps[dir];
	if (busy <= sim_pace_now * 1000)
		return false;
	uint64_t at = busy / 1000 + 1;
	if (!sim_pace_wake || at < sim_pace_wake)
		sim_pace_wake = at;
	return true;
}

void pace_account(struct sim_port *p, unsigned dir, uint32_t len)
{
	p->pace_active |= 1u << dir;
	uint64_t now_ps = sim_pace_now * 1000, floor = now_ps;
	if (p->pace_backlog & (1u << dir))
		floor = now_ps > PACE_CATCHUP_PS ? now_ps - PACE_CATCHUP_PS : 0;
	if (p->pace_ps[dir] < floor)
		p->pace_ps[dir] = floor;
	/* bits * 10^12 ps/s / (bits/s); (16384 + 24) * 8e12 fits in 64 bits */
	p->pace_ps[dir] += ((uint64_t)len + 24) * 8 * 1000000000000ull / p->pace_bps;
}
