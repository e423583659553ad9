package e2e

import (
	"net/url"
	"testing"
)

// TestDemoCRM: the demo listener's CRM (web/demo/crm.html, another site
// than the panel) embeds the panel with its own small client: it logs in,
// is answered init, calls out, and sees the call active; the call's
// customer card runs in the embedded panel (its frame-ancestors allows
// the CRM, which frames it too: it once did not, and the card was blocked).
func TestDemoCRM(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := open(t, st.demo+"/crm.html?tenant="+url.QueryEscape(st.panel+"/"), `window.demoCRM && window.demoCRM.ready && window.demoCRM.agent`)
	click(t, ctx, tid("crm-call"))
	waitJS(t, ctx, `window.demoCRM.active && document.querySelector('[data-testid="crm-active"]').textContent === window.demoCRM.active`)
	click(t, ctx, tid("crm-not-ready"))
	waitJS(t, ctx, `[...document.querySelectorAll('[data-testid="crm-log"] li')].some(li => li.textContent.includes("RMI not ready: ok"))`)
	panel := frameTarget(t, ctx, `[data-testid="crm-panel"] iframe`)
	waitJS(t, panel, `window.cpsim.view.user.work_status === "not_ready" && window.cpsim.view.interactions.length === 1`)
	card := frameTarget(t, panel, `[data-testid="ext-frame"]`)
	waitJS(t, card, `document.querySelector('[data-testid="channel"]') && document.querySelector('[data-testid="channel"]').textContent !== "Connecting…"`)
}
