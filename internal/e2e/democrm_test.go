package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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

	// A chat is offered (through the control API, to the embedded panel's
	// session): the CRM's Accept takes it, though it is not active yet (a
	// new user's trial found Accept sent the active call's id, or none).
	panel := frameTarget(t, ctx, `[data-testid="crm-panel"] iframe`)
	session := eval[string](t, panel, `window.cpsim.session`)
	resp, err := http.Post(st.panel+"/api/v1/sessions/"+session+"/events", "application/json", strings.NewReader(`{"type":"incoming","channel":"chat"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("incoming chat through the API: %v %v", resp, err)
	}
	resp.Body.Close()
	waitJS(t, panel, `window.cpsim.view.interactions.some(i => i.channel === "chat" && i.status === "incoming")`)
	click(t, ctx, tid("crm-accept"))
	waitJS(t, ctx, `[...document.querySelectorAll('[data-testid="crm-log"] li')].some(li => li.textContent.includes("accept: ok"))`)
	waitJS(t, panel, `window.cpsim.view.interactions.some(i => i.channel === "chat" && i.status === "accepted")`)

	click(t, ctx, tid("crm-not-ready"))
	waitJS(t, ctx, `[...document.querySelectorAll('[data-testid="crm-log"] li')].some(li => li.textContent.includes("RMI not ready: ok"))`)
	waitJS(t, panel, `window.cpsim.view.user.work_status === "not_ready" && window.cpsim.view.interactions.length === 2`)
	card := frameTarget(t, panel, `[data-testid="ext-frame"]`)
	waitJS(t, card, `document.querySelector('[data-testid="channel"]') && document.querySelector('[data-testid="channel"]').textContent !== "Connecting…"`)
}

// TestFullPageWatchesAnEmbeddedPanel: the demo CRM embeds the panel; its
// Tools show the embedded session's id and a link that opens the session
// in the full panel, in a new tab. The full page opened there watches the
// session: it shows where the extensions run, the embedded panel's
// interactions and log rows (the CRM's messages, as the host's), loads no
// extension (a placeholder says where it runs), and what it does acts on
// the session: it simulates a call and accepts it, and the embedded panel
// and the CRM follow. When the CRM goes, the full page is told, takes the
// session over, and the extensions load there and init. The watching
// page's screenshot is checked.
func TestFullPageWatchesAnEmbeddedPanel(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	crm := open(t, st.demo+"/crm.html?tenant="+url.QueryEscape(st.panel+"/"), `window.demoCRM && window.demoCRM.ready && window.demoCRM.agent`)
	panel := frameTarget(t, crm, `[data-testid="crm-panel"] iframe`)
	waitJS(t, panel, panelReady)

	// The embedded panel's Tools: its session, and the link to the full panel.
	click(t, panel, tid("embed-tools"))
	waitJS(t, panel, `document.querySelector('[data-testid="embed-session"]').offsetParent !== null`)
	id := eval[string](t, panel, `window.cpsim.session`)
	if got := eval[string](t, panel, `document.querySelector('[data-testid="embed-session-id"]').textContent`); got != id || id == "" {
		t.Fatalf("the embedded panel shows session %q, its session is %q", got, id)
	}
	link := eval[map[string]any](t, panel, `(() => { const a = document.querySelector('[data-testid="embed-open-full"]'); return {href: a.href, target: a.target, rel: a.rel} })()`)
	if want := (map[string]any{"href": st.panel + "/?session=" + id, "target": "_blank", "rel": "noopener"}); !maps.Equal(link, want) {
		t.Errorf("the link to the full panel is %v, want %v", link, want)
	}

	shot, err := chromedp.Run(crm, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "embedded-tools.png", shot)

	// The CRM calls out before the full page opens.
	click(t, crm, tid("crm-call"))
	waitJS(t, crm, `window.demoCRM.active`)
	out := eval[string](t, crm, `window.demoCRM.active`)

	// The full page watches the session.
	full := open(t, link["href"].(string), panelReady)
	if !eval[bool](t, full, `window.cpsim.watching && window.cpsim.session === `+strconv.Quote(id)) {
		t.Fatalf("the full page does not watch session %s: %v", id, eval[any](t, full, `({watching: window.cpsim.watching, session: window.cpsim.session})`))
	}
	waitJS(t, full, fmt.Sprintf(`window.cpsim.hosting.on && window.cpsim.hosting.embed === %q`, st.demo))
	waitJS(t, full, `document.querySelector('[data-testid="watch-banner"]').offsetParent !== null`)
	banner := eval[string](t, full, `(() => { const b = document.querySelector('[data-testid="watch-banner"]'); return b.dataset.hosting + ": " + b.querySelector('[data-role="text"]').textContent })()`)
	if !strings.HasPrefix(banner, "embedded: Watching session "+id) || !strings.Contains(banner, "embedded panel of "+st.demo) {
		t.Errorf("the watching banner says %q", banner)
	}
	waitJS(t, full, fmt.Sprintf(`window.cpsim.view.interactions.some(i => i.id === %q)`, out))
	waitRow(t, full, `r.i === "host" && r.dir === "in" && m.type === "action" && m.payload.command === "outbound"`)
	// Live rows too: the CRM hangs up and handles the call.
	click(t, crm, tid("crm-hangup"))
	waitRow(t, full, `r.i === "host" && r.dir === "in" && m.payload && m.payload.value === "hangup"`)
	click(t, crm, tid("crm-handle"))
	waitJS(t, full, `window.cpsim.view.interactions.length === 0`)

	// A call, simulated and accepted in the full page: the embedded panel
	// and the CRM follow.
	call := accepted(t, full, "phone")
	waitJS(t, panel, fmt.Sprintf(`document.querySelector('[data-testid="interaction"][data-id=%q][data-status="accepted"]')`, call))
	waitJS(t, crm, fmt.Sprintf(`window.demoCRM.active === %q`, call))
	card := instanceOf(t, full, call, "customer-card")
	waitJS(t, panel, fmt.Sprintf(`document.querySelector('[data-testid="ext-frame"][data-instance=%q]')`, card)) // the embedded panel hosts it
	click(t, full, fmt.Sprintf(`[data-testid="ext-button"][data-instance=%q]`, card))
	waitJS(t, full, `document.querySelector('[data-testid="ext-watching"]')`)
	if n := eval[int](t, full, `document.querySelectorAll('[data-testid="ext-frame"]').length`); n != 0 {
		t.Errorf("the watching page loaded %d extension frames", n)
	}
	watchingScreenshot(t, full)

	// The CRM removes its panel, as CPC.unload does: the full page is
	// told, and takes the session over.
	eval[bool](t, crm, `(() => { document.querySelector('[data-testid="crm-panel"] iframe').remove(); return true })()`)
	waitJS(t, full, `document.querySelector('[data-testid="watch-banner"]').dataset.hosting === "none"`)
	click(t, full, tid("watch-take-over"))
	waitJS(t, full, `!window.cpsim.watching && document.querySelector('[data-testid="watch-banner"]').hidden`)
	frame(t, full, card)
	waitJS(t, full, fmt.Sprintf(`window.cpsim.view.instances.some(i => i.id === %q && i.phase === "ready")`, card))
}

// watchingScreenshot takes a picture of a watching full page, checks that
// it rendered (the size, many colours) with the watching banner at the
// top, in its blue, and keeps it in $CPSIM_SCREENSHOTS.
func watchingScreenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	waitJS(t, ctx, `document.querySelector('[data-testid="log-count"]').textContent === new Intl.NumberFormat("en-US").format(window.cpsim.log.length)`)
	at := eval[map[string]float64](t, ctx, `(() => { const r = document.querySelector('[data-testid="watch-banner"]').getBoundingClientRect(); return {x: r.left, y: r.top, h: r.height} })()`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1440 || b.Dy() != 900 {
		t.Errorf("screenshot is %dx%d, want 1440x900", b.Dx(), b.Dy())
	}
	// The banner's background (#e8f0fd), left of its icon, just below the top bar.
	if at["y"] < 40 || at["y"] > 120 {
		t.Errorf("the watching banner is at y %v, want it just below the top bar", at["y"])
	}
	if r, g, b, _ := img.At(int(at["x"])+4, int(at["y"]+at["h"]/2)).RGBA(); r>>8 != 0xe8 || g>>8 != 0xf0 || b>>8 != 0xfd {
		t.Errorf("the watching banner's colour is %02x%02x%02x, want e8f0fd", r>>8, g>>8, b>>8)
	}
	if n := colours(img, image.Rect(0, 0, 1440, 900), 7); n < 50 {
		t.Errorf("the watching page has %d colours: it did not render", n)
	}
	keep(t, "watching.png", shot)
}
