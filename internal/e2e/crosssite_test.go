package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/state"
)

func cookieCheck(base string) []state.ExtensionData {
	return []state.ExtensionData{{Key: "cookies", URL: base + "/cookies.html"}}
}

// TestExtensionsAreCrossSiteAsInProduction: with the panel on 127.0.0.1 and
// the extension on localhost, the extension's cookies are third-party, as in
// production: only SameSite=None; Secure comes back. Opened on localhost,
// the same site, every cookie comes back, and the page warns that this hides
// what production does.
func TestExtensionsAreCrossSiteAsInProduction(t *testing.T) {
	t.Parallel()
	st := startStack(t, cookieCheck)

	check := func(ctx context.Context) (map[string]bool, ext) {
		t.Helper()
		chat := accepted(t, ctx, "chat")
		ext := frame(t, ctx, instanceOf(t, ctx, chat, "cookies"))
		frameWait(t, ext, `window.cookieCheck && window.cookieCheck.done`)
		if e := frameJS[string](t, ext, `window.cookieCheck.error || ""`); e != "" {
			t.Fatalf("the cookie check failed: %s", e)
		}
		return frameJS[map[string]bool](t, ext, `window.cookieCheck.cookies`), ext
	}

	// Cross-site: the default.
	ctx := st.tab(t)
	got, ext := check(ctx)
	if got["cpsim_lax"] || got["cpsim_default"] {
		t.Errorf("cross-site, SameSite=Lax or default cookies came back: %v; production would not send them", got)
	}
	if !got["cpsim_none"] {
		t.Errorf("cross-site, the SameSite=None; Secure cookie did not come back: %v (this Chromium may block third-party cookies)", got)
	}
	if o := frameJS[string](t, ext, `window.location.ancestorOrigins[0]`); o != st.panel {
		t.Errorf("ancestorOrigins[0] = %q, want the panel's origin %q", o, st.panel)
	}
	if r := frameJS[string](t, ext, `new URL(document.referrer).origin`); r != st.panel {
		t.Errorf("document.referrer's origin = %q, want the panel's origin %q", r, st.panel)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="problem"]').length`); n != 0 {
		t.Errorf("the cross-site page shows %d problems", n)
	}

	// Same site: the panel opened as localhost.
	sctx := open(t, strings.Replace(st.panel, "127.0.0.1", "localhost", 1)+"/", panelReady)
	got, _ = check(sctx)
	if !got["cpsim_lax"] || !got["cpsim_default"] {
		t.Errorf("same-site, the first-party cookies did not come back: %v", got)
	}
	waitJS(t, sctx, `[...document.querySelectorAll('[data-testid="problem"]')].some(p => p.textContent.includes("same site as the panel") && p.textContent.includes("SameSite=None; Secure"))`)
}
