package e2e

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// crmLoader is a CRM's loader in CPC.js's shapes (testdata/crm.js says
// how): it logs in, embeds the panel, and calls RI.
//
//go:embed testdata/crm.js
var crmLoader string

// crmPage is a CRM page that embeds the panel at tenant with crmLoader and
// the CPC-shaped client: the panel on the left, 480 px wide, as CRMs put
// it, and the CRM's own record beside it.
func crmPage(tenant string, giveUpMs int64) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme CRM</title><style>
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #f4f1ea; color: #2b2418; height: 100vh; display: grid; grid-template-rows: 52px 1fr; }
header { background: #7a3b12; color: #fff; display: flex; align-items: center; padding: 0 18px; font-weight: 700; font-size: 17px; gap: 14px; }
header span { font-weight: 400; opacity: .8; font-size: 14px; }
#layout { display: grid; grid-template-columns: 480px 1fr; min-height: 0; }
#cp { border-right: 1px solid #d8cdb8; background: #fff; min-height: 0; display: flex; }
main { padding: 24px 32px; }
main h1 { margin: 0 0 4px; font-size: 22px; }
.card { background: #fff; border: 1px solid #e2d8c5; border-radius: 10px; padding: 14px 18px; margin: 16px 0; max-width: 560px; }
dt { font-weight: 600; } dd { margin: 0 0 8px; }
</style></head><body>
<header>Acme CRM <span>Customer 360 · with the Communication Panel embedded by CPC</span></header>
<div id="layout"><div id="cp"></div>
<main><h1>Aino Virtanen</h1><div>Customer since 2019 · Gold</div>
<div class="card"><dl><dt>Phone</dt><dd>+358 40 123 4567</dd><dt>Open order</dt><dd>SO-1042, 3 items, shipping Friday</dd><dt>Last contact</dt><dd id="last">—</dd></dl></div>
</main></div>
<script>` + cpcClient + crmLoader + `
window.crm = new CRM(` + fmt.Sprintf("%q", tenant) + `, document.getElementById("cp"), ` + fmt.Sprint(giveUpMs) + `);
window.calls = 0; window.answers = {};
crm.load("maria", "s3cret+/=?").then((ok) => { window.loggedIn = ok; });
</script></body></html>`
}

// frameTarget is the context of a cross-site iframe of the tab of ctx (its
// own Chromium target), found by a CSS selector once it has a frame.
func frameTarget(t *testing.T, ctx context.Context, css string) context.Context {
	t.Helper()
	var fctx context.Context
	poll(t, ctx, func() (bool, string) {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(css), chromedp.AtLeast(0)))
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) == 0 || nodes[0].FrameID == "" {
			return false, "no frame " + css
		}
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range targets {
			if ti.Type == "iframe" && string(ti.TargetID) == string(nodes[0].FrameID) {
				c, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
				t.Cleanup(cancel)
				fctx = c
				return true, ""
			}
		}
		return false, "no target for the frame " + css + " (is it cross-site?)"
	})
	return fctx
}

// TestEmbeddedPanelInACRM: a CRM page on another site embeds the panel as
// CPC.js does, with a client of its own in CPC's message shapes. It logs
// in (a SameSite=None; Secure cookie from a cross-site fetch), the panel
// answers its init with a message of type init, and the CRM follows an
// inbound call from offer to handled (accept, hold, dtmf without an
// interactionId, consult, join, handle), sees activeInteraction go to null,
// dials out and gets the call back within 5 s, sends a direct SMS and an
// email draft, picks a queued contact from the picklist, changes ready
// state and presence through RMI (no status event comes, the panel shows
// them), and unloads. A screenshot of the CRM with the embedded panel is
// checked and kept (docs/images/embedded.png with -update).
func TestEmbeddedPanelInACRM(t *testing.T) {
	t.Parallel()
	giveUp := time.Until(safetyNet(t)).Milliseconds()
	st := startStack(t, demoCard)
	base := serveExtension(t, map[string]string{"/crm.html": crmPage(st.panel+"/", giveUp)})
	ctx := open(t, base+"/crm.html", `window.crm && window.crm.ready`)
	crm := ext{ctx: ctx}
	eval[bool](t, ctx, `window.cpc = crm.cpc; true`)

	// The login and the init CPC waits for.
	if s := eval[int](t, ctx, `crm.authStatus`); s != 200 {
		t.Fatalf("the login answered %d", s)
	}
	if got := eval[string](t, ctx, `JSON.stringify(crm.ready)`); got != `{"id":"initRequest","type":"init","payload":{"value":[]}}` {
		t.Errorf("the panel's init message: %s", got)
	}
	user := value[map[string]any](t, "getDetails user", cpcCall(t, crm, `cpc.getDetails("user")`))
	agent, _ := user["id"].(string)
	if v := value[[]any](t, "getDetails interactions", cpcCall(t, crm, `cpc.getDetails("interactions")`)); len(v) != 0 {
		t.Errorf("interactions: %v", v)
	}

	// The embedded panel: compact, connected, its session embedded.
	panel := frameTarget(t, ctx, "#CPC-frame")
	waitJS(t, panel, panelReady)
	if !eval[bool](t, panel, `document.documentElement.classList.contains("embedded") && document.querySelector('[data-testid="inspector"]').offsetParent === null`) {
		t.Error("the embedded panel is not compact: the inspector shows")
	}
	if w, h := eval[int](t, panel, `document.documentElement.scrollWidth`), eval[int](t, panel, `innerHeight`); w > 480 || h < 800 {
		t.Errorf("the embedded panel is %d px wide (in a 480 px frame) and its frame %d px high (want the CRM's 848)", w, h)
	}

	// Only window.parent is the host: a message another frame of the CRM
	// posts into the panel is not relayed. (The sibling posts before the
	// CRM's next call, whose answer is the barrier.)
	eval[bool](t, ctx, `(() => { const f = document.createElement("iframe"); f.id = "sibling"; f.hidden = true;
		f.srcdoc = "<script>parent.document.getElementById('CPC-frame').contentWindow.postMessage({id: 'sibling-1', type: 'action', payload: {command: 'detail', value: 'user'}}, '*'); parent.postMessage('sibling posted', '*')<\/script>";
		addEventListener("message", (e) => { if (e.data === "sibling posted") window.siblingPosted = true });
		document.body.append(f); return true })()`)
	waitJS(t, ctx, `window.siblingPosted`)
	value[[]any](t, "getDetails queues", cpcCall(t, crm, `cpc.getDetails("queues")`))
	if eval[bool](t, panel, `window.cpsim.log.some(r => r.m && r.m.id === "sibling-1")`) {
		t.Error("the panel relayed a message from a frame that is not its parent")
	}

	// Its developer tools, behind a button: the inspector shows the CRM's
	// messages as the host's.
	click(t, panel, tid("embed-tools"))
	waitJS(t, panel, `document.querySelector('[data-testid="inspector"]').offsetParent !== null && [...document.querySelectorAll('[data-testid="log-row"]')].some(r => r.dataset.instance === "host")`)
	click(t, panel, tid("embed-tools"))
	waitJS(t, panel, `document.querySelector('[data-testid="inspector"]').offsetParent === null`)

	// An inbound call, from offer to handled.
	call := incoming(t, panel, "phone")
	frameWait(t, crm, fmt.Sprintf(`cpc.interactions.has(%q) && cpc.interactions.get(%q).status === "incoming"`, call, call))
	ok := func(c string) {
		t.Helper()
		if v := value[string](t, c, cpcCall(t, crm, c)); v != "ok" {
			t.Errorf("%s = %v", c, v)
		}
	}
	ok(fmt.Sprintf(`cpc.interaction("accept", %q)`, call))
	frameWait(t, crm, fmt.Sprintf(`cpc.activeInteractionId === %q`, call))
	ok(`cpc.callState("hold")`)
	waitJS(t, panel, fmt.Sprintf(`window.cpsim.view.interactions.some(i => i.id === %q && i.held)`, call))
	ok(`cpc.callState("unhold")`)
	ok(`cpc.dtmf("5")`) // no interactionId: the active call
	waitJS(t, panel, fmt.Sprintf(`window.cpsim.view.interactions.some(i => i.id === %q && (i.dtmf || []).join("") === "5")`, call))
	consultation := value[map[string]any](t, "consult", cpcCall(t, crm, `cpc.consult("2042")`))["id"].(string)
	frameWait(t, crm, fmt.Sprintf(`cpc.activeInteractionId === %q`, consultation))
	click(t, panel, card(consultation, "outcome-connected"))
	waitJS(t, panel, fmt.Sprintf(`window.cpsim.view.interactions.some(i => i.id === %q && i.channel_status === "connected")`, consultation))
	if joined := value[map[string]any](t, "joinCalls", cpcCall(t, crm, `cpc.joinCalls()`)); joined["id"] != call {
		t.Errorf("joinCalls answered %v, want the original call", joined["id"])
	}
	ok(fmt.Sprintf(`cpc.interaction("handle", %q)`, consultation))
	ok(fmt.Sprintf(`cpc.interaction("handle", %q)`, call))
	frameWait(t, crm, `cpc.activeInteractionId === null && cpc.interactions.size === 0`)
	if !eval[bool](t, ctx, `cpc.received.some(m => m.type === "state" && m.payload.attribute === "activeInteraction" && m.payload.value === null)`) {
		t.Error("no activeInteraction null reached the CRM")
	}

	// Dial out: the call comes back within CPC's 5 s.
	out := value[map[string]any](t, "callOut", cpcCall(t, crm, `cpc.callOut("+358401234567")`))
	if ms := eval[float64](t, ctx, `cpc.calls.at(-1).ms`); ms >= 5000 || out["status"] != "outgoing" {
		t.Errorf("callOut: %v/%v after %.0f ms, want outgoing within 5 s", out["status"], out["channel_status"], ms)
	}
	ok(fmt.Sprintf(`cpc.interaction("hangup", %q)`, out["id"]))
	ok(fmt.Sprintf(`cpc.interaction("handle", %q)`, out["id"]))

	// A direct SMS, and an email draft the agent sees in the panel.
	sms := value[map[string]any](t, "sendSMS", cpcCall(t, crm, `cpc.sendSMS({to: "+358409999999", direct: true, from: "+358201230300", content: "Your order ships Friday"})`))
	if sms["channel_status"] != "connected" {
		t.Errorf("sendSMS direct: %v", sms["channel_status"])
	}
	draft := value[map[string]any](t, "sendEmail", cpcCall(t, crm, `cpc.sendEmail({to: ["aino@example.com"], direct: false, subject: "Your order SO-1042"})`))
	if draft["channel_status"] != "outbound_preview" {
		t.Errorf("sendEmail draft: %v", draft["channel_status"])
	}
	waitJS(t, panel, fmt.Sprintf(`document.querySelector('[data-testid="draft"][data-id=%q]')`, draft["id"]))

	// RMI: not ready, with no status event, shown in the panel.
	statuses := `cpc.received.filter(m => m.type === "status").length`
	before := eval[int](t, ctx, statuses)
	ri := func(method, resource, body string) any {
		t.Helper()
		js := fmt.Sprintf(`crm.ri("RMI", %q, %q, %s).then(r => ({r}))`, method, resource, body)
		return cpcCall(t, crm, js)["r"]
	}
	if r := ri("PUT", "/agents/"+agent+"/readyState/", `JSON.stringify({readyState: "NotReady"})`); r != true {
		t.Fatalf("PUT readyState: %v", r)
	}
	waitJS(t, panel, `window.cpsim.view.user.work_status === "not_ready" && document.querySelector('[data-testid="work-status"]').value === "not_ready"`)

	// The picklist and a pick.
	queued := incoming(t, panel, "phone")
	contacts := value[[]any](t, "picklist", cpcCall(t, crm, `cpc.picklist(10)`))
	if !slices.ContainsFunc(contacts, func(c any) bool { return c.(map[string]any)["id"] == queued }) {
		t.Fatalf("the picklist %v lacks the queued call %s", contacts, queued)
	}
	if picked := cpcCall(t, crm, fmt.Sprintf(`cpc.interaction("pick", %q)`, queued)); picked["id"] != queued || picked["status"] != "accepted" {
		t.Errorf("pick resolved to %v", picked)
	}

	// The presence through RMI.
	profiles, _ := ri("GET", "/agents/"+agent+"/presences/", "undefined").([]any)
	meeting := ""
	for _, p := range profiles {
		if p := p.(map[string]any); p["name"] == "Meeting" {
			meeting = p["id"].(string)
		}
	}
	if meeting == "" {
		t.Fatalf("GET presences: %v", profiles)
	}
	if r := ri("PUT", "/agents/"+agent+"/presences/"+meeting, `"{}"`); r != true {
		t.Fatalf("PUT presence: %v", r)
	}
	waitJS(t, panel, `window.cpsim.view.profile === "Meeting" && document.querySelector('[data-testid="profile"]').value === "Meeting"`)
	if after := eval[int](t, ctx, statuses); after != before {
		t.Errorf("the RMI changes sent %d status events; CPC.js says the panel sends none", after-before)
	}
	if r, _ := ri("GET", "/agents/"+agent+"/skills/", "undefined").(map[string]any); r["status"] != float64(404) || !strings.Contains(r["body"].(string), "cpsim does not simulate") {
		t.Errorf("another RMI call: %v", r)
	}

	// The picture, with the call in hand.
	frameWait(t, crm, fmt.Sprintf(`cpc.activeInteractionId === %q`, queued))
	waitJS(t, panel, fmt.Sprintf(`document.querySelector('[data-testid="detail"]').dataset.id === %q`, queued))
	embeddedScreenshot(t, ctx)

	// Unload: logged out, the panel gone, RI refused.
	if s := cpcCall(t, crm, `crm.unload().then(s => ({s}))`)["s"]; s != float64(200) {
		t.Errorf("unload: %v", s)
	}
	if r, _ := ri("GET", "/agents/"+agent+"/presences/", "undefined").(map[string]any); r["status"] != float64(401) {
		t.Errorf("RI after the logout: %v", r)
	}
	if eval[bool](t, ctx, `!!document.getElementById("CPC-frame")`) {
		t.Error("the panel's iframe is still there")
	}
}

// embeddedScreenshot takes a picture of the CRM with the panel embedded,
// checks that the panel rendered in its 480 px (the panel's dark top bar
// at its top left, many colours inside), and keeps it: in
// $CPSIM_SCREENSHOTS, and as docs/images/embedded.png with -update.
func embeddedScreenshot(t *testing.T, ctx context.Context) {
	t.Helper()
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
	// The panel's top bar (#12233f) just below the CRM's header.
	if r, g, b, _ := img.At(8, 60).RGBA(); r>>8 != 0x12 || g>>8 != 0x23 || b>>8 != 0x3f {
		t.Errorf("the panel's top bar is not at the top left of the frame: colour %02x%02x%02x", r>>8, g>>8, b>>8)
	}
	if n := colours(img, image.Rect(0, 52, 480, 900), 5); n < 40 {
		t.Errorf("the embedded panel has %d colours: it did not render", n)
	}
	keep(t, "embedded.png", shot)
	if *update {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "images", "embedded.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
