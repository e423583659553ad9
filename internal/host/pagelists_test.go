package host

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// TestPageListsFollowTheEngine: the page keeps its own copies of the
// engine's lists, for its fault forms (the commands) and its toasts (the
// events' names); a command or an event the engine gains must reach them.
func TestPageListsFollowTheEngine(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := fs.ReadFile(web.Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	m := regexp.MustCompile(`(?m)^export const COMMANDS = \[(.*)\];$`).FindStringSubmatch(read("static/js/constants.js"))
	if m == nil {
		t.Fatal("constants.js has no COMMANDS line")
	}
	var commands []string
	for c := range strings.SplitSeq(m[1], ",") {
		commands = append(commands, strings.Trim(strings.TrimSpace(c), `"`))
	}
	if diff := cmp.Diff(state.Commands(), commands); diff != "" {
		t.Errorf("constants.js COMMANDS (-state.Commands +page):\n%s", diff)
	}

	relay := read("static/js/relay.js")
	start := strings.Index(relay, "const EVENT_NAMES = {")
	end := strings.Index(relay[max(start, 0):], "};")
	if start < 0 || end < 0 {
		t.Fatal("relay.js has no EVENT_NAMES")
	}
	names := relay[start : start+end]
	for _, k := range state.Kinds() {
		if !regexp.MustCompile(`\b` + k.Name + `: "`).MatchString(names) {
			t.Errorf("relay.js EVENT_NAMES lacks %s", k.Name)
		}
	}
}
