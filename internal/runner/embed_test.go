package runner

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// crmScenario expects what the demo CRM does once it embeds the panel: it
// inits as the embedding host and asks for the agent, and a call's
// extensions load in the embedded panel as in the full one.
const crmScenario = `name: The demo CRM follows a call
steps:
  - expect: {from: host, type: init, within: 10s}
  - expect: {from: host, type: action, payload: {command: detail, value: user}}
  - incoming: {as: call1, channel: phone, queue: Sales, from: "+358401234567"}
  - accept: call1
  - expect: {from: customer-card, type: init, within: 10s}
  - hangup: call1
  - handle: call1
`

// crmNeverPicks expects a message the demo CRM never sends.
const crmNeverPicks = `name: The CRM picks a contact
steps:
  - expect: {from: host, type: action, payload: {command: picklist}, within: 1s}
`

// TestEmbedRunsScenariosInTheCRM: cpsim test -embed opens a CRM page
// that embeds the panel and plays each scenario in its embedded panel: the
// built-in inbound call passes there as in the full panel, an expect
// names the CRM's messages with from: host, and one the CRM never sends
// fails with the CRM's messages as the closest.
func TestEmbedRunsScenariosInTheCRM(t *testing.T) {
	t.Parallel()
	st := listenWith(t, ListenOptions{Demos: true})
	var plays []*scenario.Scenario
	for _, sc := range readLibrary(t, st.Data) {
		if sc.File == "inbound-call.yaml" {
			plays = append(plays, sc)
		}
	}
	plays = append(plays, parse(t, "crm.yaml", crmScenario, st.Data), parse(t, "never.yaml", crmNeverPicks, st.Data))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := st.Run(ctx, Config{Speed: 20, Patience: 10, FailOnExtensionErrors: true, FailOnProblems: true,
		Timeout: 2 * time.Minute, Out: &out, Embed: st.DemoURL() + "/crm.html"}, plays)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("output:\n%s", out.String())
		}
	}()
	for _, r := range results[:2] {
		if !r.Passed() || len(r.ExtensionErrors) > 0 || r.Problems() > 0 {
			t.Errorf("%s: %v, extension errors %q, %d problems", r.Scenario.File, r.Err, r.ExtensionErrors, r.Problems())
		}
	}
	never := results[2]
	if never.Passed() {
		t.Fatal("never.yaml passed: the demo CRM sends no picklist")
	}
	if msg := never.Err.Error(); !strings.Contains(msg, "never.yaml:3") || !strings.Contains(msg, "expected the CRM (host) to send") || !strings.Contains(msg, `"command":"detail"`) {
		t.Errorf("never.yaml's failure %q: want its line and the CRM's detail action among the closest", msg)
	}
}

// TestEmbedReportsTheCRMsErrors: with -embed the CRM page is under test,
// so its uncaught exceptions and console errors are reported as an
// extension's are (and fail the scenario with -extension-errors fail),
// and so are those of an extension inside the embedded panel; the panel's
// own frame is cpsim's, not the CRM's.
func TestEmbedReportsTheCRMsErrors(t *testing.T) {
	t.Parallel()
	st := listenWith(t, ListenOptions{Demos: true})
	demos, err := web.Demos()
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServerFS(demos)

	// A CRM that embeds the panel by hand, reading devTenant as CPC does,
	// and breaks once the panel answers its init. It serves the extension
	// too: frame-ancestors checks every ancestor, the CRM's among them.
	crm := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/seed-simple.html" {
			files.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/crm.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(`
const tenant = new URL(location.href).searchParams.get("devTenant");
const frame = document.createElement("iframe");
const origin = new URL(tenant).origin;
addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.origin !== origin) return;
  if (e.data.type === "init") { console.error("crm: the panel is ready, and this CRM complains"); throw new Error("crm boom"); }
});
frame.addEventListener("load", () => frame.contentWindow.postMessage({id: "initRequest", type: "init", payload: false}, origin));
frame.src = tenant + "ecf/latest/communicationpanel/embedded.html";
document.body.append(frame);
`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>CRM</title><body><script src="/crm.js"></script></body>`))
	}))
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	crm.Listener = ln
	crm.Start()
	t.Cleanup(crm.Close)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	st.Data.Extensions = []state.ExtensionData{{Key: "seed-simple", URL: "http://localhost:" + port + "/seed-simple.html"}}

	sc := parse(t, "exit.yaml", `name: Handled in the CRM's panel
steps:
  - expect: {from: host, type: init, within: 10s}
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, in: c1, within: 10s}
  - hangup: c1
  - handle: c1
  - wait: 1s
`, st.Data)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	results, err := st.Run(ctx, Config{Patience: 6, FailOnExtensionErrors: true, Timeout: 2 * time.Minute,
		Embed: "http://localhost:" + port + "/crm.html"}, []*scenario.Scenario{sc})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	got := strings.Join(r.ExtensionErrors, "\n")
	for _, want := range []string{
		"uncaught Error: crm boom (http://localhost:" + port + "/crm.js:",
		"console.error crm: the panel is ready, and this CRM complains (the CRM page)",
		"uncaught TypeError: Cannot read properties of undefined (reading 'value')",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("extension errors lack %q:\n%s", want, got)
		}
	}
	if r.Passed() {
		t.Error("the scenario passed despite the errors")
	}
}

func parse(t testing.TB, file, text string, data *state.Data) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse(file, []byte(text), data)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEmbedSaysWhenTheCRMEmbedsAnotherPanel: a CRM page whose CPC.js
// frames its own tenantBaseUrl (another cpsim, or none) never connects to
// this cpsim; the run says so and how to fix it, rather than waiting for
// the scenario's timeout, and the next scenario's page does not play the
// scenario left behind.
func TestEmbedSaysWhenTheCRMEmbedsAnotherPanel(t *testing.T) {
	t.Parallel()
	st := listenWith(t, ListenOptions{})
	// The first load is a CRM of another tenant, with no panel of this
	// cpsim; the next ones embed it by hand, from devTenant.
	var loads atomic.Int32
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path != "/crm.html" || loads.Add(1) == 1 {
			_, _ = w.Write([]byte(`<!doctype html><title>A CRM of another tenant</title><p>no panel here`))
			return
		}
		_, _ = w.Write([]byte(`<!doctype html><title>CRM</title><body><script>
const tenant = new URL(location.href).searchParams.get("devTenant");
const frame = document.createElement("iframe");
frame.addEventListener("load", () => frame.contentWindow.postMessage({id: "initRequest", type: "init", payload: false}, new URL(tenant).origin));
frame.src = tenant + "ecf/latest/communicationpanel/embedded.html";
document.body.append(frame);
</script></body>`))
	}))
	t.Cleanup(crm.Close)
	left := parse(t, "left.yaml", "name: Left behind\nsteps:\n  - incoming: {as: c1, channel: chat}\n", st.Data)
	next := parse(t, "next.yaml", "name: Next\nsteps:\n  - expect: {from: host, type: init, within: 10s}\n", st.Data)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := st.Run(ctx, Config{Patience: 6, Timeout: 2 * time.Minute, ConnectWithin: 10 * time.Second, Out: &out,
		Embed: crm.URL + "/crm.html"}, []*scenario.Scenario{left, next})
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Passed() || !strings.Contains(r.Err.Error(), "did not embed this cpsim's panel") || !strings.Contains(r.Err.Error(), "-addr") {
		t.Fatalf("the CRM of another tenant: passed %v, %v", r.Passed(), r.Err)
	}
	if r := results[1]; !r.Passed() {
		t.Errorf("the next scenario: %v\n%s", r.Err, out.String())
	}
}
