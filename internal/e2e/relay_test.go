package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// serveExtension serves test extension pages on localhost (another site
// than the panel), by path, and returns the base URL.
func serveExtension(t *testing.T, pages map[string]string) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(hs.Close)
	return strings.Replace(hs.URL, "127.0.0.1", "localhost", 1)
}

// extScript is a test extension: it inits, then runs then(), and keeps
// every response in window.got by id.
func extScript(then string) string {
	return `<!doctype html><script>
	const panel = location.ancestorOrigins[0];
	window.got = {};
	addEventListener("message", (e) => {
		if (e.source !== parent || e.origin !== panel) return;
		if (e.data.type === "response") window.got[e.data.id] = e.data.payload;
		if (e.data.id === "i") { ` + then + ` }
	});
	parent.postMessage({type: "init", id: "i", payload: true}, panel);
	</script>`
}

// TestBigMessages: an outbound email with a 717 KB rich HTML body (which
// the page used to refuse at 512 KiB, leaving the extension unanswered) is
// relayed and answered; one past the page's limit is answered with an
// error response naming the limit, and shown as an error row.
func TestBigMessages(t *testing.T) {
	t.Parallel()
	base := serveExtension(t, map[string]string{"/big.html": extScript(`
		const html = "<p>" + "Lorem ipsum dolor sit amet. ".repeat(25600) + "</p>"; // 717 KB
		parent.postMessage({type: "action", id: "mail", payload: {command: "outbound",
			value: {channel: "email", direct: true, to: ["aino@example.com"], subject: "Offer", content: html}}}, panel);
		parent.postMessage({type: "action", id: "huge", payload: {command: "message",
			value: {content: "x".repeat(9 * 1024 * 1024)}}}, panel);
	`)})
	st := startStack(t, func(string) []state.ExtensionData {
		return []state.ExtensionData{{Key: "big", URL: base + "/big.html"}}
	})
	ctx := st.tab(t)
	id := accepted(t, ctx, "chat")
	e := frame(t, ctx, instanceOf(t, ctx, id, "big"))
	frameWait(t, e, `window.got.mail && window.got.huge`)

	if v := frameJS[string](t, e, `typeof window.got.mail.value === "object" ? window.got.mail.value.channel_type : JSON.stringify(window.got.mail)`); v != "email" {
		t.Errorf("the 717 KB email was answered %s, want the created email", v)
	}
	reason := frameJS[string](t, e, `window.got.huge.value + ": " + window.got.huge.reason`)
	if !strings.HasPrefix(reason, "error: ") || !strings.Contains(reason, "more than the 8 MiB cpsim relays") {
		t.Errorf("the 9 MiB message was answered %q, want an error naming the limit", reason)
	}
	row := waitRow(t, ctx, `r.dir === "in" && r.raw && r.raw.includes("8 MiB")`)
	if d := fmt.Sprint(row["diag"]); !strings.Contains(d, "error") || !strings.Contains(d, "could not relay") {
		t.Errorf("the row of the 9 MiB message shows %s, want an error", d)
	}
}

// TestDroppedMessagesShowInTheInspector: an exit the extension posts as it
// unloads (after the panel's exit, with no source window) and an init
// posted once the frame navigated to another origin (a sign-in redirect
// that ends elsewhere) each get a row saying what became of them, where
// they used to be dropped with only a console warning.
func TestDroppedMessagesShowInTheInspector(t *testing.T) {
	t.Parallel()
	elsewhere := serveExtension(t, map[string]string{"/login.html": `<!doctype html><script>
		parent.postMessage({type: "init", id: "after-login", payload: true}, "*");
	</script>`})
	elsewhere = strings.Replace(elsewhere, "localhost", "127.0.0.1", 1) // another origin than the extension's
	base := serveExtension(t, map[string]string{
		"/bye.html": extScript(``) + `<script>
			addEventListener("pagehide", () => parent.postMessage({type: "exit", id: "unload-exit"}, location.ancestorOrigins[0] || "*"));
		</script>`,
		"/away.html": extScript(`setTimeout(() => { location.href = "` + elsewhere + `/login.html" }, 50)`),
		"/stay.html": extScript(``),
	})
	// A frame runs what it does as it unloads only while its renderer
	// process lives on: in Chromium that is when another frame of its site
	// stays, here a global extension (the demos share one site too).
	st := startStack(t, func(string) []state.ExtensionData {
		return []state.ExtensionData{{Key: "bye", URL: base + "/bye.html"}, {Key: "away", URL: base + "/away.html"},
			{Key: "stay", URL: base + "/stay.html", Mode: string(state.ModeGlobal)}}
	})
	ctx := st.tab(t)
	id := accepted(t, ctx, "chat")
	away := instanceOf(t, ctx, id, "away")
	row := waitRow(t, ctx, `r.dir === "in" && m.id === "after-login"`)
	want := fmt.Sprintf("the frame is now at %s, not the extension's origin %s", elsewhere, base)
	if d := fmt.Sprint(row["diag"]); row["i"] != away || !strings.Contains(d, want) || !strings.Contains(d, "severity:error") {
		t.Errorf("the init after the redirect shows %v %s, want an error row of %s saying %q", row["i"], d, away, want)
	}

	bye := instanceOf(t, ctx, id, "bye")
	frameWait(t, frame(t, ctx, bye), `window.got.i`)
	click(t, ctx, card(id, "handle"))
	row = waitRow(t, ctx, `r.dir === "in" && m.id === "unload-exit"`)
	if d := fmt.Sprint(row["diag"]); row["i"] != bye || !strings.Contains(d, "severity:info") || !strings.Contains(d, "closed by the panel's exit") {
		t.Errorf("the exit posted while unloading shows %v %s, want a note on %s", row["i"], d, bye)
	}
	if n := eval[string](t, ctx, `document.querySelector('[data-testid="log-problem-count"]').textContent`); n != "1" {
		t.Errorf("the inspector counts %s problems, want 1 (the dropped init; the exit is a note)", n)
	}
}

// TestProblemsScreenshot: a scenario that passed while the extension made
// protocol problems says so in the player, and its link filters the
// inspector to them; the picture is kept as problems.png.
func TestProblemsScreenshot(t *testing.T) {
	t.Parallel()
	base := serveExtension(t, map[string]string{"/crm.html": extScript(`
		parent.postMessage({type: "action", id: "c1", payload: {command: "callstate", value: "hold"}}, panel);
		parent.postMessage({type: "action", id: "d1", payload: {command: "detail", value: "usr"}}, panel);
		parent.postMessage({type: "action", id: "ok", payload: {command: "detail", value: "user"}}, panel);
	`)})
	exts := []state.ExtensionData{{Key: "crm", Text: "CRM", URL: base + "/crm.html"}}
	st := startStack(t, func(string) []state.ExtensionData { return exts })
	data, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	data.Extensions = exts
	sc, err := scenario.Parse("mistakes.yaml", []byte(`name: A call with mistakes
steps:
  - incoming: {as: call1, channel: phone, queue: Sales, from: "+358401234567", cad: {customer_name: Aino Virtanen}}
  - accept: call1
  - expect: {type: init, in: call1, within: 60s}
  - expect: {type: action, id: ok, within: 60s}
`), data)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	st.srv.PlayInNextSession(sc, 1, host.Watch{Done: func(err error) { done <- err }})
	ctx := st.tab(t)
	if err := <-done; err != nil {
		t.Fatalf("the scenario failed: %v", err)
	}
	click(t, ctx, tid("scenario-indicator"))
	waitJS(t, ctx, `document.querySelector('[data-testid="scenario-problems"]').dataset.count === "2"`)
	if text := eval[string](t, ctx, `document.querySelector('[data-testid="scenario-problems"]').textContent`); !strings.Contains(text, "2 messages with protocol problems") || !strings.Contains(text, "cpsim test fails") {
		t.Errorf("the player says %q", text)
	}
	click(t, ctx, tid("scenario-problems")+" button")
	waitJS(t, ctx, `document.querySelector('[data-testid="log-problems"]').checked && document.querySelectorAll('[data-testid="log-row"]').length === 2`)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "problems.png", shot)
}
