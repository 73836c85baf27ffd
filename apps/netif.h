/* netif.h -- checks the kernel I/O apps share before they touch an
 * interface, so every failure names the interface and says what to do.
 */
#ifndef KVICK_APPS_NETIF_H
#define KVICK_APPS_NETIF_H

#include <stdbool.h>

struct app;
struct app_check;

/* For a class's check(): ifname= must be 1..IFNAMSIZ-1 characters (it is
 * not looked up: the interface may be created later, by a tap app). */
int netif_name_check(struct app_check *c, const char *ifname);

/* ifindex of ifname in this network namespace, or -1 after app_error()
 * ("does not exist"; the name is as netif_name_check() accepted it).  With must_be_up, an interface
 * that is administratively down is an error too. */
int netif_index(struct app *app, const char *ifname, bool must_be_up);

/* Set or clear IFF_UP (TAP devices bring themselves up); 0 or -1 after
 * app_error(). */
int netif_set_up(struct app *app, const char *ifname);

/* app_error() for a failed call on ifname, with a hint for EPERM/EACCES. */
int netif_error(struct app *app, const char *ifname, const char *what, int err);

#endif
