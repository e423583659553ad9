package runner

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/extcheck"
	"github.com/cpsim/cpsim/internal/runner/runnertest"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// serveExtension serves h on localhost, another site than the panel's
// 127.0.0.1, as an extension's server is, until t ends; it returns the
// server's base URL.
func serveExtension(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
}

// initPage is an extension that sends init with id as soon as it loads.
func initPage(w http.ResponseWriter, id string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>ext</title><script>
window.parent.postMessage({type: "init", payload: false, id: %q}, window.location.ancestorOrigins[0]);
</script>`, id)
}

// playWith plays a scenario, cpsim test's way, with these extensions.
func playWith(t *testing.T, cfg Config, exts []state.ExtensionData, yaml string) (Result, string) {
	t.Helper()
	st := listen(t)
	st.Data.Extensions = exts
	sc, err := scenario.Parse("test.yaml", []byte(yaml), st.Data)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cfg.Out = &out
	cfg.Timeout = generous(t) / 2
	results, err := st.Run(context.Background(), cfg, []*scenario.Scenario{sc})
	if err != nil {
		t.Fatal(err)
	}
	return results[0], out.String()
}

// TestFrameLoadCauses: an extension that is down, answers an HTTP error,
// sends X-Frame-Options or a CSP frame-ancestors without the panel never
// sends init; cpsim test names each frame's URL with the cause Chromium
// gives, and counts the frames among the reasons of the failure.
func TestFrameLoadCauses(t *testing.T) {
	t.Parallel()
	base := serveExtension(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing.html":
			http.NotFound(w, r)
			return
		case "/xfo.html":
			w.Header().Set("X-Frame-Options", "DENY")
		case "/csp.html":
			w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
		}
		initPage(w, "never")
	})
	down := runnertest.ClosedURL(t)
	exts := []state.ExtensionData{
		{Key: "down", URL: down},
		{Key: "missing", URL: base + "/missing.html"},
		{Key: "xfo", URL: base + "/xfo.html"},
		{Key: "csp", URL: base + "/csp.html"},
	}
	// The scenario waits 10 s for an init that cannot come: time enough
	// for every frame to fail, on a slow machine too.
	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true}, exts, `name: Loads
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, in: c1, within: 10s}
`)
	got := map[string]string{}
	chromium := map[string]string{}
	for _, l := range r.FrameLoads {
		cause, said, _ := strings.Cut(l.Cause, "; Chromium: ")
		got[l.URL], chromium[l.URL] = cause, said
	}
	want := map[string]string{
		down:                   "net::ERR_CONNECTION_REFUSED: nothing listens there; is the extension's server running?",
		base + "/missing.html": "HTTP 404 Not Found: the panel shows that error page instead of the extension",
		base + "/xfo.html":     "it sends X-Frame-Options: DENY (net::ERR_BLOCKED_BY_RESPONSE)",
		base + "/csp.html":     "its Content-Security-Policy frame-ancestors 'self' does not allow the panel (net::ERR_BLOCKED_BY_RESPONSE)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("causes (-want +got):\n%s\noutput:\n%s", diff, out)
	}
	// Chromium's own words, from the frame's error page and from the tab.
	if s := chromium[base+"/xfo.html"]; !strings.Contains(s, "in a frame because it set 'X-Frame-Options' to 'deny'") {
		t.Errorf("Chromium on X-Frame-Options: %q", s)
	}
	if s := chromium[base+"/csp.html"]; !strings.Contains(s, `violates the following Content Security Policy directive: "frame-ancestors 'self'"`) {
		t.Errorf("Chromium on frame-ancestors: %q", s)
	}
	if r.Passed() {
		t.Fatalf("passed:\n%s", out)
	}
	runnertest.InOrder(t, out, []string{
		"FAIL    5  expect: {type: init, in: c1, within: 10s}",
		"frame did not load: " + down + ": net::ERR_CONNECTION_REFUSED",
		"frame did not load: " + base + "/missing.html: HTTP 404 Not Found",
		"test.yaml:5: expect: {type: init, in: c1, within: 10s}",
		"test.yaml: 4 extension frames did not load (above)",
		"FAIL test.yaml",
	})
}

// TestSingleSignOnRedirect: an extension that answers 302 to its sign-in
// page on another origin, which redirects back, loads in the panel and
// sends init, as in production: the panel's CSP lets the frame pass
// through any http(s) page.
func TestSingleSignOnRedirect(t *testing.T) {
	t.Parallel()
	var hops atomic.Int32
	var ext string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops.Add(1)
		http.Redirect(w, r, r.URL.Query().Get("back")+"?ticket=t-1", http.StatusFound)
	}))
	t.Cleanup(idp.Close)
	ext = serveExtension(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("ticket") == "" {
			hops.Add(1)
			http.Redirect(w, r, idp.URL+"/login?back="+ext+r.URL.Path, http.StatusFound)
			return
		}
		initPage(w, "signed-in")
	})
	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true},
		[]state.ExtensionData{{Key: "sso", URL: ext + "/panel.html"}}, `name: Signed in
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, id: signed-in, in: c1, within: 60s}
`)
	if !r.Passed() || len(r.FrameLoads) != 0 {
		t.Errorf("passed %v, frame loads %v:\n%s", r.Passed(), r.FrameLoads, out)
	}
	if n := hops.Load(); n != 2 {
		t.Errorf("%d redirects, want 2: to the sign-in page and back", n)
	}
}

// TestPopupsBlockedAsForAnAgent: in cpsim test's browser an extension's
// window.open without a click returns null, as an agent's browser blocks
// the popup, and navigator.webdriver is false.
func TestPopupsBlockedAsForAnAgent(t *testing.T) {
	t.Parallel()
	ext := serveExtension(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>popup</title><script>
const popup = window.open("about:blank", "_blank");
const id = popup === null && navigator.webdriver === false ? "as-an-agent" : "popup " + (popup !== null) + ", webdriver " + navigator.webdriver;
window.parent.postMessage({type: "init", payload: false, id}, window.location.ancestorOrigins[0]);
</script>`)
	})
	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true},
		[]state.ExtensionData{{Key: "popup", URL: ext + "/popup.html"}}, `name: Popup
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, id: as-an-agent, in: c1, within: 60s}
`)
	if !r.Passed() {
		t.Errorf("%v\n%s", r.Err, out)
	}
}

// TestFramingAgreesWithChromium: the start-up check's verdict on framing
// headers (extcheck.Framing) is Chromium's: for each case, the check
// finds an error exactly when Chromium refuses to show the page in the
// panel's frame.
func TestFramingAgreesWithChromium(t *testing.T) {
	t.Parallel()
	panelSrv := httptest.NewUnstartedServer(nil)
	panel := "http://" + panelSrv.Listener.Addr().String()
	port := panelSrv.Listener.Addr().(*net.TCPAddr).Port
	type header struct{ name, value string }
	csp := func(v string) header {
		return header{"Content-Security-Policy", strings.ReplaceAll(v, "{panel}", panel)}
	}
	xfo := func(v string) header { return header{"X-Frame-Options", strings.ReplaceAll(v, "{panel}", panel)} }
	cases := []struct {
		name    string
		headers []header
		loads   bool
	}{
		{"the panel named", []header{csp("frame-ancestors {panel}")}, true},
		{"a wildcard port", []header{csp("frame-ancestors http://127.0.0.1:*")}, true},
		{"a host without scheme", []header{csp(fmt.Sprintf("frame-ancestors 127.0.0.1:%d", port))}, true},
		{"a scheme source", []header{csp("frame-ancestors http:")}, true},
		{"any", []header{csp("frame-ancestors *")}, true},
		{"a trailing slash", []header{csp("frame-ancestors {panel}/")}, true},
		{"a path", []header{csp("frame-ancestors {panel}/panel")}, false},
		{"no port is port 80", []header{csp("frame-ancestors http://127.0.0.1")}, false},
		{"https only", []header{csp(fmt.Sprintf("frame-ancestors https://127.0.0.1:%d", port))}, false},
		{"upper case", []header{csp(strings.ToUpper("frame-ancestors " + panel))}, true},
		{"'self' is the extension", []header{csp("frame-ancestors 'self'")}, false},
		{"'none'", []header{csp("frame-ancestors 'none'")}, false},
		{"two policies, the second refusing", []header{csp("frame-ancestors *, frame-ancestors http://nowhere.example")}, false},
		{"two policies, the first refusing", []header{csp("frame-ancestors 'self', frame-ancestors {panel}")}, false},
		{"two headers allowing", []header{csp("frame-ancestors {panel}"), csp("default-src 'self'; frame-ancestors *")}, true},
		{"two headers, one refusing", []header{csp("frame-ancestors {panel}"), csp("frame-ancestors 'none'")}, false},
		{"a repeated directive, the first allowing", []header{csp("frame-ancestors {panel}; frame-ancestors 'none'")}, true},
		{"a repeated directive, the first refusing", []header{csp("frame-ancestors 'none'; frame-ancestors {panel}")}, false},
		{"report only", []header{{"Content-Security-Policy-Report-Only", "frame-ancestors 'none'"}}, true},
		{"X-Frame-Options DENY", []header{xfo("DENY")}, false},
		{"X-Frame-Options SAMEORIGIN", []header{xfo("SAMEORIGIN")}, false},
		{"X-Frame-Options conflicting", []header{xfo("SAMEORIGIN"), xfo("ALLOWALL")}, false},
		{"X-Frame-Options repeated", []header{xfo("DENY, deny")}, false},
		{"X-Frame-Options ALLOW-FROM", []header{xfo("ALLOW-FROM {panel}")}, true},
		{"X-Frame-Options ALLOWALL", []header{xfo("ALLOWALL")}, true},
		{"X-Frame-Options unknown", []header{xfo("nonsense")}, true},
		{"X-Frame-Options beside frame-ancestors", []header{xfo("DENY"), csp("frame-ancestors {panel}")}, true},
		{"X-Frame-Options beside another directive", []header{xfo("DENY"), csp("default-src 'self'")}, false},
	}
	ext := serveExtension(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loaded.js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `window.parent.postMessage(new URLSearchParams(location.search).get("case"), "*");`)
			return
		}
		var i int
		fmt.Sscan(r.URL.Query().Get("case"), &i)
		for _, h := range cases[i].headers {
			w.Header().Add(h.name, h.value)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>case</title><script src="/loaded.js"></script>`)
	})
	caseURL := func(i int) string { return fmt.Sprintf("%s/case.html?case=%d", ext, i) }
	panelSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>panel</title><script>
window.loaded = [];
window.addEventListener("message", (e) => window.loaded.push(Number(e.data)));
</script>`)
		for i := range cases {
			fmt.Fprintf(w, `<iframe src="%s"></iframe>`, caseURL(i))
		}
	})
	panelSrv.Start()
	t.Cleanup(panelSrv.Close)

	ctx := browserTab(t)
	tab := newTabWatch(panel, chromedp.FromContext(ctx).Target.TargetID)
	tab.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(panel+"/")); err != nil {
		t.Fatal(err)
	}
	// Each frame either loads (it posts its case) or fails; wait until all
	// have done one or the other.
	chromiumLoads := map[int]bool{}
	for len(chromiumLoads) < len(cases) {
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d frames loaded or failed: %v", len(chromiumLoads), len(cases), chromiumLoads)
		}
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`window.loaded`))
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range loaded {
			chromiumLoads[i] = true
		}
		for _, l := range tab.loads.list() {
			var i int
			if _, err := fmt.Sscanf(l.URL, ext+"/case.html?case=%d", &i); err == nil && !l.Stalled {
				chromiumLoads[i] = false
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, c := range cases {
		h := http.Header{}
		for _, hd := range c.headers {
			h.Add(hd.name, hd.value)
		}
		checkRefuses := false
		for _, p := range extcheck.Framing(h, panel, caseURL(i)) {
			checkRefuses = checkRefuses || p.Level == "error"
		}
		if chromiumLoads[i] != c.loads {
			t.Errorf("%s: Chromium shows the frame: %v, want %v", c.name, chromiumLoads[i], c.loads)
		}
		if checkRefuses == chromiumLoads[i] {
			t.Errorf("%s: the start-up check finds an error: %v, but Chromium shows the frame: %v", c.name, checkRefuses, chromiumLoads[i])
		}
	}
}

// browserTab starts Chromium as cpsim test does and opens a tab in it,
// both closed when t ends, with most of the test's time as its deadline.
func browserTab(t *testing.T) context.Context {
	t.Helper()
	path, err := FindChromium(os.Getenv("CPSIM_CHROMIUM"))
	if err != nil {
		t.Fatal(err)
	}
	profile, err := NewProfile()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	ctx, cancel := context.WithTimeout(context.Background(), generous(t))
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, BrowserOptions(path, profile)...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	tctx, cancelTab := chromedp.NewContext(bctx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatal(err)
	}
	return tctx
}
