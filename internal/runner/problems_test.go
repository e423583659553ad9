package runner

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/runner/runnertest"
	"github.com/cpsim/cpsim/internal/state"
)

// extPage serves an extension page: it inits, then runs then once the init
// response comes.
func extPage(then string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><script>
const panel = location.ancestorOrigins[0];
addEventListener("message", (e) => {
	if (e.source !== parent || e.origin !== panel) return;
	if (e.data.id === "i") { `+then+` }
});
parent.postMessage({type: "init", id: "i", payload: true}, panel);
</script>`)
	}
}

const acceptACall = `name: A call
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, in: c1, within: 60s}
  - expect: {type: action, id: last, in: c1, within: 60s}
`

// TestProtocolProblemsFailTheScenario is the reported false green: an
// extension that sends command "callstate" and detail "usr" got error
// responses and schema diagnostics, yet the scenario passed with exit 0
// and nothing said. They fail it now, each listed under it; with
// -problems report they are only listed.
func TestProtocolProblemsFailTheScenario(t *testing.T) {
	t.Parallel()
	ext := serveExtension(t, extPage(`
		parent.postMessage({type: "action", id: "a1", payload: {command: "callstate", value: "hold"}}, panel);
		parent.postMessage({type: "action", id: "a2", payload: {command: "detail", value: "usr"}}, panel);
		parent.postMessage({type: "action", id: "last", payload: {command: "detail", value: "user"}}, panel);`))
	exts := []state.ExtensionData{{Key: "crm", URL: ext + "/panel.html"}}

	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true}, exts, acceptACall)
	if r.Passed() {
		t.Fatalf("the scenario passed:\n%s", out)
	}
	runnertest.InOrder(t, out, []string{
		`problem crm-`, `refused: unknown command "callstate": the command is "callState"`,
		`problem crm-`, `refused: unknown detail value "usr"`,
		"the extensions' messages had 2 protocol problems (above); with -problems report they are only reported",
		"FAIL test.yaml",
	})

	r, out = playWith(t, Config{FailOnExtensionErrors: true}, exts, acceptACall)
	if !r.Passed() || r.Problems() == 0 {
		t.Errorf("with -problems report: passed %v, %d problems:\n%s", r.Passed(), r.Problems(), out)
	}
	runnertest.InOrder(t, out, []string{`refused: unknown command "callstate"`, "PASS test.yaml", "with 2 protocol problems reported"})
}

// TestTooBigToRelayFailsTheScenario is the reported 717 KB email: the
// page refused to relay it at its 512 KiB limit, the extension waited for
// a response that never came, and the run passed. The email is relayed
// now; a message past the page's limit is answered with an error naming
// it, and fails the run.
func TestTooBigToRelayFailsTheScenario(t *testing.T) {
	t.Parallel()
	ext := serveExtension(t, extPage(`
		window.got = {};
		addEventListener("message", (e) => {
			if (e.data.type !== "response" || !["mail", "huge"].includes(e.data.id)) return;
			window.got[e.data.id] = e.data.payload;
			if (window.got.mail && window.got.huge) parent.postMessage({type: "action", id: "last",
				payload: {command: "detail", value: window.got.mail.value === "error" ? "mail-failed" : "user"}}, panel);
		});
		const html = "<p>" + "Lorem ipsum dolor sit amet. ".repeat(25600) + "</p>";
		parent.postMessage({type: "action", id: "mail", payload: {command: "outbound",
			value: {channel: "email", direct: true, to: ["aino@example.com"], subject: "Offer", content: html}}}, panel);
		parent.postMessage({type: "action", id: "huge", payload: {command: "message", value: {content: "x".repeat(9 << 20)}}}, panel);`))
	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true},
		[]state.ExtensionData{{Key: "mailer", URL: ext + "/panel.html"}}, acceptACall)
	if r.Passed() {
		t.Fatalf("the scenario passed:\n%s", out)
	}
	if strings.Contains(out, "mail-failed") {
		t.Errorf("the 717 KB email was refused:\n%s", out)
	}
	runnertest.InOrder(t, out, []string{
		"problem mailer-", "could not relay this message: the message is 9.0 MiB of JSON, more than the 8 MiB cpsim relays",
		"the extensions' messages had 1 protocol problem", "FAIL test.yaml",
	})
}

// TestDroppedMessagesAreReported: an init posted after the frame
// navigated to another origin (a sign-in redirect that ends elsewhere) was
// dropped with only a console warning. cpsim test says why, and fails.
// The sign-in page then sends the frame back, whose action the scenario
// waits for: by then the dropped init has been told of, on any machine.
func TestDroppedMessagesAreReported(t *testing.T) {
	t.Parallel()
	var ext string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><script>
			parent.postMessage({type: "init", id: "after-login", payload: true}, "*");
			location.href = "`+ext+`/back";
		</script>`)
	}))
	t.Cleanup(elsewhere.Close)
	ext = serveExtension(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/back" {
			extPage(`parent.postMessage({type: "action", id: "back", payload: {command: "detail", value: "user"}}, panel);`)(w, r)
			return
		}
		extPage(`
			parent.postMessage({type: "action", id: "last", payload: {command: "detail", value: "user"}}, panel);
			setTimeout(() => { location.href = "`+elsewhere.URL+`/login" }, 50);`)(w, r)
	})
	r, out := playWith(t, Config{FailOnExtensionErrors: true, FailOnProblems: true},
		[]state.ExtensionData{{Key: "away", URL: ext + "/panel.html"}}, acceptACall+`  - expect: {type: action, id: back, within: 60s}
`)
	if r.Passed() {
		t.Fatalf("the scenario passed:\n%s", out)
	}
	runnertest.InOrder(t, out, []string{
		"problem away-", fmt.Sprintf("the panel dropped this message: the frame is now at %s, not the extension's origin %s", elsewhere.URL, ext),
		"expect: {type: action, id: back", "FAIL test.yaml",
	})
}
