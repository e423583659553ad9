package host

import (
	"errors"
	"testing"

	"github.com/cpsim/cpsim/internal/scenario"
)

// TestTheListSaysWhatIsLeftOut: the built-in scenarios a configuration
// leaves out are listed for the page, with why, rather than stopping
// cpsim or vanishing without a word.
func TestTheListSaysWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t, func(c *Config) {
		c.Skipped = []scenario.Skipped{{File: "agents-day.yaml", Reason: "it needs queues your -config does not have",
			Err: errors.New(`agents-day.yaml:23:50: queue of channel phone "Support" is not allowed`)}}
	})
	p := dial(t, hs, "", 0, true)
	f := p.waitFor(func(f map[string]any) bool { return f["t"] == "sl" })
	list, _ := f["skipped"].([]any)
	if len(list) != 1 {
		t.Fatalf("sl frame %v, want one skipped scenario", f)
	}
	sk := list[0].(map[string]any)
	if sk["file"] != "agents-day.yaml" || sk["reason"] != "it needs queues your -config does not have" || sk["error"] == "" {
		t.Errorf("skipped %v", sk)
	}
}
