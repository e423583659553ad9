// Package suggest finds the word a user most likely meant when they wrote
// one cpsim does not know: a misspelt key, step, command, status or file
// name. It is one place so that every "did you mean" in cpsim agrees on
// what counts as a likely typo.
package suggest

import (
	"fmt"
	"strings"
)

// Closest returns the word of known nearest to word by edit distance,
// ignoring case, and whether it is near enough to be a likely typo: at
// most two edits, or a third of word's length for longer words. Of words
// equally near, the first in known wins, so that callers control ties by
// their order. An empty word is compared like any other; callers that
// have nothing to suggest for a missing value check for it themselves.
func Closest(word string, known []string) (string, bool) {
	best, bestDist := "", -1
	lower := strings.ToLower(word)
	for _, k := range known {
		if d := distance(lower, strings.ToLower(k)); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(word)/3) {
		return "", false
	}
	return best, true
}

// Hint is the hint cpsim gives under a word it does not know,
// `did you mean "best"?`, or "" when no word of known is near enough.
// Callers put their own fallback (the list of known words, say) in
// place of an empty hint.
func Hint(word string, known []string) string {
	best, ok := Closest(word, known)
	if !ok {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}

// distance is the Levenshtein edit distance between a and b, counted in
// bytes: insertions, deletions and substitutions each cost one.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
