/* suggest.c -- pick the likely intended name for a mistyped one. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* One row of the classic dynamic-programming table is enough:
	 * row[j] = distance between the first i chars of a and first j of b. */
	size_t *row = malloc((lb + 1) * sizeof(*row));
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];   /* row[i-1][j-1] */
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];  /* row[i-1][j] */
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

const char *suggest_closest(const char *word, const char *const *candidates, int n)
{
	size_t limit = strlen(word) <= 4 ? 1 : 2;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (int i = 0; i < n; i++) {
		size_t d = suggest_distance(word, candidates[i]);
		/* A distance equal to the candidate's length means "nothing in
		 * common" (e.g. "x" vs "a"): not a typo. */
		if (d < best_d && d < strlen(candidates[i])) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
