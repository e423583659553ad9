// Package e2e runs cpsim whole, in headless Chromium: the real panel page
// with its relay, the real demo extensions on another site, clicked as a
// developer clicks them.
//
// The tests need Chromium (Debian's chromium package, at /usr/bin/chromium,
// or wherever CPSIM_CHROMIUM says). They fail, not skip, without it: a
// browser test that quietly does not run proves nothing.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/runner"
	"github.com/cpsim/cpsim/internal/server"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
)

// browserCtx is the one Chromium the tests share; each test opens its own
// tab in it.
var browserCtx context.Context

func TestMain(m *testing.M) {
	path := os.Getenv("CPSIM_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		fmt.Fprintf(os.Stderr, "the browser tests need Chromium at %s: install it (apt-get install -y chromium) or set CPSIM_CHROMIUM\n", path)
		os.Exit(1)
	}
	profile, err := runner.NewProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a browser profile:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(profile)
	opts := runner.BrowserOptions(path, profile)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // start the browser now
		fmt.Fprintln(os.Stderr, "start Chromium:", err)
		os.Exit(1)
	}
	browserCtx = bctx
	code := m.Run()
	cancelBrowser()
	cancelAlloc()
	os.RemoveAll(profile)
	os.Exit(code)
}

// stack is cpsim as run by cmd/cpsim (internal/server): the panel on
// 127.0.0.1 and the demo extensions on localhost, another site.
type stack struct {
	panel string // http://127.0.0.1:port
	demo  string // http://localhost:port
	srv   *host.Server
}

// startStack runs cpsim with the extensions exts builds from the demos'
// base URL. Tests run the engine with its self-check on; edit can change
// that and the rest of the configuration.
func startStack(t testing.TB, exts func(demo string) []state.ExtensionData, edit ...func(*host.Config)) *stack {
	t.Helper()
	logs := io.Discard
	if os.Getenv("E2ELOG") != "" {
		logs = os.Stderr
	}
	ss, err := server.Listen(server.Config{
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		DemoAddr: "localhost:0",
		Demos:    exts,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := host.Config{
		Data:      ss.Data(),
		Validator: statetest.Validator(t),
		Strict:    true,
		// Chromium on a busy machine may read late: no test here is about
		// dropping a slow page.
		WriteTimeout: time.Until(safetyNet(t)),
		// Nor about an extension's pace: the library's expects get ten
		// times their within before they fail.
		Patience: 10,
	}
	for _, e := range edit {
		e(&cfg)
	}
	t.Cleanup(func() { _ = ss.Shutdown(beforeDeadline(t, context.Background())) })
	if err := ss.Start(cfg); err != nil {
		t.Fatal(err)
	}
	return &stack{panel: ss.PanelURL(), demo: ss.DemoURL(), srv: ss.Host()}
}

// demoCard is the customer card, for every queue.
func demoCard(base string) []state.ExtensionData {
	return []state.ExtensionData{{Key: "customer-card", Text: "Customer card", URL: base + "/customer-card.html"}}
}

// tab opens the panel in a new tab of the shared browser.
func (st *stack) tab(t testing.TB) context.Context {
	t.Helper()
	return open(t, st.panel+"/", panelReady)
}

// panelReady is true once the panel page is connected and shows its first
// view.
const panelReady = `window.cpsim && window.cpsim.connected && window.cpsim.view`

// open opens a page in a new 1440x900 tab and waits until ready is true.
// What the tab does ends at the test's safety net.
func open(t testing.TB, url, ready string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx = beforeDeadline(t, ctx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, ready)
	return ctx
}

// waitJS waits until a JavaScript expression is truthy in the page. It
// evaluates in a loop rather than with chromedp.Poll, which loses its
// execution context when the page navigates.
func waitJS(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	poll(t, ctx, func() (bool, string) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`))
		return err == nil && ok, fmt.Sprintf("waiting for %s: %v", expr, err)
	})
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// click clicks an element of the panel page once it is shown and enabled.
// It clicks the element found at that moment, not a point of the screen:
// the page re-renders a card when a view comes, and on a busy machine a
// mouse click at coordinates taken a moment earlier can land elsewhere.
func click(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	ready := fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		return !!el && !el.disabled && el.offsetParent !== null })()`, css)
	waitJS(t, ctx, ready)
	if !eval[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el || el.disabled) return false; el.click(); return true })()`, css)) {
		t.Fatalf("click %s: it went away", css)
	}
}

// ext is an extension's frame in a tab: a target of its own when Chromium
// runs it in another process (it is on another site than the panel, as in
// production), or a frame of the panel's own page (same site).
type ext struct {
	ctx  context.Context // the frame's target, or the page's
	node *chromedp.Node  // the iframe element, for a same-site frame
}

// frame finds the iframe of an extension instance in the tab of ctx, once
// it has loaded. For a frame in another process, Chromium names its target
// by its frame id, which the iframe element's node carries. (Attaching to a
// frame's target while its document loads can trip a data race inside
// chromedp v0.23, between the document it reads and the DOM events it
// hears; once loaded, the frame's top nodes no longer change.)
func frame(t testing.TB, ctx context.Context, instance string) ext {
	t.Helper()
	sel := chromedp.CSS(`[data-testid="ext-frame"][data-instance="` + instance + `"][data-loads]`)
	var e ext
	poll(t, ctx, func() (bool, string) {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) > 0 && nodes[0].FrameID != "" {
			node := nodes[0]
			targets, err := chromedp.Targets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ti := range targets {
				if ti.Type == "iframe" && string(ti.TargetID) == string(node.FrameID) {
					fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
					t.Cleanup(cancel)
					e = ext{ctx: fctx}
					return true, ""
				}
			}
			if sameSite, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const f = document.querySelector('[data-testid="ext-frame"][data-instance="`+instance+`"]');
				return !!f && new URL(f.src).hostname === location.hostname })()`)); sameSite {
				e = ext{ctx: ctx, node: node}
				return true, ""
			}
		}
		return false, "no frame for instance " + instance
	})
	return e
}

// frameJS evaluates JavaScript in an extension's frame.
func frameJS[T any](t testing.TB, e ext, expr string) T {
	t.Helper()
	var v T
	if e.node == nil {
		var err error
		if v, err = chromedp.Run(e.ctx, chromedp.Evaluate[T](expr)); err != nil {
			t.Fatalf("in the extension: %s: %v", expr, err)
		}
		return v
	}
	// In a frame of the page, only Poll can choose the frame: make the
	// value truthy by encoding it, and decode it here. The context ends
	// the poll, at the test's safety net.
	s, err := chromedp.Run(e.ctx, chromedp.Poll[string](`JSON.stringify(`+expr+`) ?? "null"`,
		chromedp.WithPollingInFrame(e.node), chromedp.WithPollingTimeout(0)))
	if err != nil {
		t.Fatalf("in the extension: %s: %v", expr, err)
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("in the extension: %s = %s: %v", expr, s, err)
	}
	return v
}

// frameWait waits until an expression is truthy in an extension's frame.
func frameWait(t testing.TB, e ext, expr string) {
	t.Helper()
	if e.node != nil {
		if _, err := chromedp.Run(e.ctx, chromedp.Poll[chromedp.Void](`!!(`+expr+`)`,
			chromedp.WithPollingInFrame(e.node), chromedp.WithPollingTimeout(0))); err != nil {
			t.Fatalf("in the extension, waiting for %s: %v", expr, err)
		}
		return
	}
	poll(t, e.ctx, func() (bool, string) {
		ok, err := chromedp.Run(e.ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`))
		return err == nil && ok, fmt.Sprintf("in the extension, waiting for %s: %v", expr, err)
	})
}

// logRows returns the inspector's rows from the page's test hook.
func logRows(t testing.TB, ctx context.Context) []map[string]any {
	t.Helper()
	data := eval[[]byte](t, ctx, `JSON.stringify(window.cpsim.log)`)
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// tid is the CSS selector of a data-testid.
func tid(id string) string { return `[data-testid="` + id + `"]` }

// card is the CSS selector of an interaction's card, or of a button in it.
func card(id string, button ...string) string {
	sel := `[data-testid="interaction"][data-id="` + id + `"]`
	for _, b := range button {
		sel += " " + tid(b)
	}
	return sel
}

// choose sets a <select> or <input> as a user does, firing its events.
func choose(t testing.TB, ctx context.Context, css, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return el.value === %q })()`,
		css, value, value)
	if !eval[bool](t, ctx, js) {
		t.Fatalf("cannot set %s to %q", css, value)
	}
}

// incoming simulates a customer with the page's form and returns the new
// interaction's id.
func incoming(t testing.TB, ctx context.Context, channel string) string {
	t.Helper()
	before := eval[[]string](t, ctx, `(window.cpsim.view.interactions || []).map(i => i.id)`)
	choose(t, ctx, tid("new-channel"), channel)
	click(t, ctx, tid("new-create"))
	js := fmt.Sprintf(`(() => { const before = %s; const n = (window.cpsim.view.interactions || []).find(i => !before.includes(i.id)); return n ? n.id : "" })()`,
		mustJSON(t, before))
	waitJS(t, ctx, js)
	return eval[string](t, ctx, js)
}

// accepted simulates a customer on channel and accepts it in the page.
func accepted(t testing.TB, ctx context.Context, channel string) string {
	t.Helper()
	id := incoming(t, ctx, channel)
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector(%q)`, card(id, "accept")))
	click(t, ctx, card(id, "accept"))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector(%q + '[data-status="accepted"]')`, card(id)))
	return id
}

// instanceOf waits for the instance of an extension key on an interaction.
func instanceOf(t testing.TB, ctx context.Context, interaction, key string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => { const i = (window.cpsim.view.instances || []).find(i => i.interaction === %q && i.key === %q); return i ? i.id : "" })()`, interaction, key)
	waitJS(t, ctx, js)
	return eval[string](t, ctx, js)
}

// waitRow waits for an inspector row that satisfies a JavaScript predicate
// on r (the row) and m (its message), and returns it.
func waitRow(t testing.TB, ctx context.Context, pred string) map[string]any {
	t.Helper()
	js := `(() => { const rows = window.cpsim.log; for (let k = rows.length - 1; k >= 0; k--) { const r = rows[k]; const m = r.m || {}; if (` + pred + `) return JSON.stringify(r) } return "" })()`
	waitJS(t, ctx, js)
	var row map[string]any
	if err := json.Unmarshal([]byte(eval[string](t, ctx, js)), &row); err != nil {
		t.Fatal(err)
	}
	return row
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
