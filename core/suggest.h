/* suggest.h -- "did you mean ...?" for names the user mistyped.
 *
 * The topology parser (classes, apps, parameters, keywords) and the CLI
 * (commands, classes) share it.
 */
#ifndef KVICK_SUGGEST_H
#define KVICK_SUGGEST_H

#include <stddef.h>

/* The candidate closest to `word` by edit distance (insertions, deletions,
 * substitutions), or NULL when none is close enough to be a likely typo:
 * at most 1 edit for words of up to 4 characters, 2 for longer ones. */
const char *suggest_closest(const char *word, const char *const *candidates, int n);

/* Edit distance between a and b (Levenshtein). */
size_t suggest_distance(const char *a, const char *b);

#endif
