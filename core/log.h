/* log.h -- one place for messages to the user.
 *
 * Messages go to stderr as "kvick: LEVEL: text".  log_once() prints a
 * message the first time a call site is reached, so a hot-path event
 * (freelist exhausted, IOMMU fault) is visible without flooding; the event
 * itself is always counted elsewhere.
 */
#ifndef KVICK_LOG_H
#define KVICK_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_level(enum log_level level);   /* default LOG_INFO; KVICK_DEBUG=1 sets debug */
enum log_level log_get_level(void);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#define log_once(level, ...)                                                   \
	do {                                                                       \
		static bool log_once_done_;                                            \
		if (!log_once_done_) {                                                 \
			log_once_done_ = true;                                             \
			log_msg((level), __VA_ARGS__);                                     \
		}                                                                      \
	} while (0)

#endif
