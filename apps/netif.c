/* netif.c -- interface lookups with errors that name the interface. */
#include "netif.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/app.h"

int netif_error(struct app *app, const char *ifname, const char *what, int err)
{
	const char *hint = "";
	if (err == EPERM || err == EACCES)
		hint = " (run as root, or give kvick CAP_NET_RAW and CAP_NET_ADMIN, and for "
		       "af_xdp CAP_BPF)";
	return app_error(app, "interface %s: %s: %s%s", ifname, what, strerror(err), hint);
}

/* SIOCGIFFLAGS through any socket of this namespace. */
static int if_flags(const char *ifname, short *flags)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	int err = errno;
	close(fd);
	if (r < 0)
		return -err;
	*flags = ifr.ifr_flags;
	return 0;
}

int netif_name_check(struct app_check *c, const char *ifname)
{
	if (!ifname || !*ifname)
		return app_check_error(c, "ifname", "parameter ifname is empty");
	if (strlen(ifname) >= IFNAMSIZ)
		return app_check_error(c, "ifname", "interface name '%s' is longer than %d characters",
		                       ifname, IFNAMSIZ - 1);
	return 0;
}

int netif_index(struct app *app, const char *ifname, bool must_be_up)
{
	unsigned idx = if_nametoindex(ifname);
	if (idx == 0)
		return app_error(app, "interface %s does not exist in this network namespace "
		                 "(see `ip link show`)", ifname);
	short flags = 0;
	int r = if_flags(ifname, &flags);
	if (r < 0)
		return netif_error(app, ifname, "cannot read its flags", -r);
	if (must_be_up && !(flags & IFF_UP))
		return app_error(app, "interface %s is down: bring it up with `ip link set %s up`",
		                 ifname, ifname);
	return (int)idx;
}

int netif_set_up(struct app *app, const char *ifname)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return netif_error(app, ifname, "socket", errno);
	int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int err = errno;
	close(fd);
	if (r < 0)
		return netif_error(app, ifname, "cannot bring it up", err);
	return 0;
}
