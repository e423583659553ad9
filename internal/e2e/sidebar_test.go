package e2e

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
)

// TestSidebarFollowsOrdinals: the panel's sidebar lists an interaction's
// extensions, and the global ones, by the System Configurator's ordinal:
// 0 (or none) first, then 1 to 100; ties alphabetically by title, whatever
// the case. The config lists them in another order.
func TestSidebarFollowsOrdinals(t *testing.T) {
	t.Parallel()
	base := serveExtension(t, map[string]string{"/x.html": extScript(``)})
	st := startStack(t, func(string) []state.ExtensionData {
		ext := func(key, text, mode string, ordinal int) state.ExtensionData {
			return state.ExtensionData{Key: key, Text: text, URL: base + "/x.html?" + key, Mode: mode, Ordinal: ordinal}
		}
		return []state.ExtensionData{
			ext("last", "Aardvark", "", 100),
			ext("beta", "beta", "", 5),
			ext("zeta", "Zeta", "", 0),
			ext("alpha", "Alpha", "", 5),
			ext("works", "Works", "", 0),
			ext("g-b", "B global", "global", 2),
			ext("g-z", "Z global", "global", 0),
			ext("g-a", "A global", "global", 2),
		}
	})
	ctx := st.tab(t)
	accepted(t, ctx, "chat")
	keys := func(testid string, n int) []string {
		js := fmt.Sprintf(`[...document.querySelectorAll(%q)].map((el) => el.dataset.key)`, tid(testid))
		waitJS(t, ctx, js+`.length === `+fmt.Sprint(n))
		return eval[[]string](t, ctx, js)
	}
	if diff := cmp.Diff([]string{"works", "zeta", "alpha", "beta", "last"}, keys("ext-button", 5)); diff != "" {
		t.Errorf("the interaction's sidebar (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"g-z", "g-a", "g-b"}, keys("global-instance", 3)); diff != "" {
		t.Errorf("the global extensions (-want +got):\n%s", diff)
	}
}
