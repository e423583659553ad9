package suggest

import (
	"slices"
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	t.Parallel()
	steps := []string{"incoming", "accept", "reject", "hangup", "handle"}
	for _, tt := range []struct {
		name  string
		word  string
		known []string
		want  string
		ok    bool
	}{
		{"a doubled letter", "incomming", steps, "incoming", true},
		{"case is ignored", "Accept", steps, "accept", true},
		{"an underscore", "hang_up", steps, "hangup", true},
		{"swapped letters", "handel", steps, "handle", true},
		{"nothing near", "teleport", steps, "", false},
		{"the known word itself", "reject", steps, "reject", true},
		{"no known words", "accept", nil, "", false},
		{"two edits in a short word", "ab", []string{"xy"}, "xy", true},
		{"three edits in a short word", "abc", []string{"xyz"}, "", false},
		{"a third of a long word", "interactionsid", []string{"interactionId"}, "interactionId", true},
		{"the first of equals wins", "cat", []string{"bat", "hat"}, "bat", true},
		{"the nearer wins over the first", "cart", []string{"bat", "car"}, "car", true},
		{"the known word keeps its case", "interactionid", []string{"interactionId"}, "interactionId", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Closest(tt.word, tt.known)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Closest(%q, %q) = %q, %v; want %q, %v", tt.word, tt.known, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	known := []string{"init", "exit", "action"}
	for _, tt := range []struct{ word, want string }{
		{"inti", `did you mean "init"?`},
		{"acton", `did you mean "action"?`},
		{"subscribe", ""},
	} {
		if got := Hint(tt.word, known); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"handle", "handel", 2},
		{"accept", "accept", 0},
	} {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzClosest: any words, no panic; a suggestion is one of the known
// words and no farther than any other; a known word suggests itself or an
// equal one (ignoring case).
func FuzzClosest(f *testing.F) {
	f.Add("incomming", "incoming,accept,reject")
	f.Add("", "id,as")
	f.Add("Accept", "accept")
	f.Add("é", "e,ê")
	f.Fuzz(func(t *testing.T, word, list string) {
		known := strings.Split(list, ",")
		best, ok := Closest(word, known)
		if !ok {
			if best != "" {
				t.Fatalf("Closest(%q, %q) = %q but not ok", word, known, best)
			}
			for _, k := range known {
				if strings.ToLower(k) == strings.ToLower(word) {
					t.Fatalf("Closest(%q, %q) found nothing, but %q is known", word, known, k)
				}
			}
			return
		}
		if !slices.Contains(known, best) {
			t.Fatalf("Closest(%q, %q) = %q, not a known word", word, known, best)
		}
		d := distance(strings.ToLower(word), strings.ToLower(best))
		for _, k := range known {
			if dk := distance(strings.ToLower(word), strings.ToLower(k)); dk < d {
				t.Fatalf("Closest(%q, %q) = %q at %d, but %q is at %d", word, known, best, d, k, dk)
			}
		}
		if d != distance(strings.ToLower(best), strings.ToLower(word)) {
			t.Fatalf("distance is not symmetric for %q and %q", word, best)
		}
	})
}
