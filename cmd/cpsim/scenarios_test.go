package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpsim/cpsim/internal/runner/runnertest"
	"github.com/cpsim/cpsim/internal/yamlx"
	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
)

// writeFiles writes files into a new directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runFor runs cpsim with args and returns its exit code and everything it
// wrote, with the error as main prints it.
func runFor(t *testing.T, timeout time.Duration, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out syncBuffer
	err := run(ctx, args, env(nil), &out, &out)
	all := out.String()
	if err != nil {
		all += "cpsim: " + err.Error() + "\n"
	}
	return exitCode(err), all
}

// TestScenarioCommands: validate, scenarios and the arguments of test, as a
// user or a CI script calls them; none of these starts a browser.
func TestScenarioCommands(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"typo.yaml":        "name: x\nsteps:\n  - incoming: {as: c1, channel: phone}\n  - acept: c1\n",
		"command.yaml":     "name: x\nsteps:\n  - incoming: {as: c1, channel: phone}\n  - expect: {type: action, payload: {command: nosuch}}\n",
		"broken.yaml":      "name: x\nsteps:\n  - incoming: {as: c1\n",
		"bomb.yaml":        "name: x\nsteps:\n  - incoming:\n      channel: phone\n      cad:\n" + yamlxtest.Laughs(9, "        "),
		"bomb-config.yaml": "agent:\n  sip_proxies:\n" + yamlxtest.Laughs(9, "    "),
	})
	at := func(name string) string { return filepath.Join(dir, name) }
	huge, err := os.Create(at("huge.yaml")) // sparse: no disk, no time
	if err == nil {
		err = huge.Truncate(yamlx.MaxFileBytes + 1)
		huge.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	closed := runnertest.ClosedURL(t)
	tests := []struct {
		name string
		args []string
		code int
		out  []string // parts of the output, in order
	}{
		{"a library scenario is valid", []string{"validate", "../../scenarios/chat.yaml"}, 0,
			[]string{"../../scenarios/chat.yaml: ok, 16 steps (Web chat with typing and a closing)"}},
		{"a typo in a step is placed and corrected", []string{"validate", at("typo.yaml")}, 2,
			[]string{at("typo.yaml") + `:4:5: unknown step "acept" (did you mean "accept"?)`, "1 of 1 file is not a valid scenario"}},
		{"a command the API lacks is placed", []string{"validate", at("command.yaml")}, 2,
			[]string{at("command.yaml") + `:4:47: command "nosuch" is not allowed`}},
		{"broken YAML is placed", []string{"validate", at("broken.yaml")}, 2,
			[]string{at("broken.yaml") + ":"}},
		{"an alias bomb is refused before it expands", []string{"validate", at("bomb.yaml")}, 2,
			[]string{at("bomb.yaml") + ":11:16: aliases expand this file by more than 100000 nodes here", "1 of 1 file is not a valid scenario"}},
		{"an alias bomb in -config is refused before it expands", []string{"validate", "-config", at("bomb-config.yaml"), "../../scenarios/sms.yaml"}, 2,
			[]string{at("bomb-config.yaml") + ":8:12: aliases expand this file by more than 100000 nodes here"}},
		{"a file past the size limit is refused unread", []string{"validate", at("huge.yaml")}, 2,
			[]string{at("huge.yaml") + ": the file is more than 16 MiB: cpsim reads YAML files of up to 16 MiB"}},
		{"every file is checked", []string{"validate", at("typo.yaml"), "../../scenarios/sms.yaml", at("none.yaml")}, 2,
			[]string{"typo.yaml:4:5", "sms.yaml: ok", "none.yaml: no such file or directory", "2 of 3 files are not valid scenarios"}},
		{"validate needs files", []string{"validate"}, 2, []string{"give the scenario files to check"}},
		{"validate reads -config", []string{"validate", "-config", at("none.yaml"), "../../scenarios/sms.yaml"}, 2,
			[]string{"none.yaml: no such file or directory"}},
		{"validate -help", []string{"validate", "-help"}, 0, []string{"Usage:\n  cpsim validate"}},
		{"the library is listed", []string{"scenarios"}, 0,
			[]string{"agents-day", "call-rejected", "chat", "inbound-call", "Inbound call, held, recorded and handled", "whatsapp"}},
		{"scenarios takes no flags", []string{"scenarios", "-x"}, 2, []string{"flag provided but not defined: -x"}},
		{"test needs scenarios", []string{"test"}, 2, []string{"give the scenarios to run"}},
		{"test -help", []string{"test", "-help"}, 0, []string{"Usage:\n  cpsim test", "-addr host:port", "-embed URL", "-junit file", "-patience factor", "-problems mode", "-session-memory size", "-speed factor", "-wait duration"}},
		{"test with a bad problems mode", []string{"test", "-problems", "ignore", "chat"}, 2,
			[]string{`-problems "ignore": use fail or report`}},
		{"test with a CRM that is not a URL", []string{"test", "-embed", "crm.html", "chat"}, 2,
			[]string{`-embed "crm.html" is not an http(s) URL of a CRM page`}},
		{"test with a bad wait", []string{"test", "-wait", "soon", "chat"}, 2,
			[]string{`-wait "soon" is not a duration of 0 or more, such as 30s or 2m`}},
		{"test with a bad speed", []string{"test", "-speed", "0", "chat"}, 2, []string{"-speed"}},
		{"test with a speed that is not a number", []string{"test", "-speed", "NaN", "chat"}, 2, []string{`-speed "NaN" is not a number above 0`}},
		{"test with too little patience", []string{"test", "-patience", "0.5", "chat"}, 2, []string{`-patience "0.5" is not a number of 1 or more`}},
		{"test with endless patience", []string{"test", "-patience", "Inf", "chat"}, 2, []string{`-patience "Inf" is not a number of 1 or more`}},
		{"test with a budget that holds nothing", []string{"test", "-session-memory", "1KiB", "chat"}, 2, []string{`-session-memory "1KiB" is not a size of 1.0 MiB or more`}},
		{"test with a bad error mode", []string{"test", "-extension-errors", "ignore", "chat"}, 2,
			[]string{`-extension-errors "ignore": use fail or report`}},
		{"test with a bad extension", []string{"test", "-extension", "file:///x.html", "chat"}, 2,
			[]string{"must start with http:// or https://"}},
		{"test without Chromium says how to install it", []string{"test", "-chromium", "/nonexistent/chromium", "chat"}, 2,
			[]string{"/nonexistent/chromium: Chromium was not found: install it (on Debian or Ubuntu: apt-get install -y chromium)"}},
		{"test stops before Chromium when an extension never answers", []string{"test", "-wait", "1s", "-extension", closed, "chat"}, 2,
			[]string{"waiting for " + closed + " to answer (up to 1s): connect: connection refused",
				closed + " did not answer within 1s (connect: connection refused): start the extension's server before cpsim test, or give it longer with -wait"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out := runFor(t, 20*time.Second, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tt.code, out)
			}
			runnertest.InOrder(t, out, tt.out)
			if strings.Contains(out, "PASS") || strings.Contains(out, "FAIL") {
				t.Errorf("a scenario ran:\n%s", out)
			}
		})
	}
}

// TestTestEnvironmentTwins: CPSIM_PROBLEMS and CPSIM_WAIT set -problems
// and -wait, and are checked as the flags are.
func TestTestEnvironmentTwins(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CPSIM_PROBLEMS": "ignore"}, `-problems "ignore": use fail or report`},
		{map[string]string{"CPSIM_WAIT": "-1s"}, `-wait "-1s" is not a duration of 0 or more`},
	} {
		var out syncBuffer
		err := run(context.Background(), []string{"test", "chat"}, env(tt.env), &out, &out)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("env %v: exit code %d, error %v; want 2 and %q", tt.env, exitCode(err), err, tt.want)
		}
	}
}

// goodExtension is an extension that does what inbound-call expects: it
// sends init, then asks for the user.
func goodExtension(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><title>good</title><script>
const panel = window.location.ancestorOrigins[0];
window.parent.postMessage({type: "init", payload: false, id: "g-1"}, panel);
window.parent.postMessage({type: "action", payload: {command: "detail", value: "user"}, id: "g-2"}, panel);
</script>`)
}

// TestTestWaitsForTheExtension: as in the README's CI recipe, the
// extension's server starts in the background with cpsim test, and needs
// time: cpsim test waits for it, says so, and the scenario passes. The
// server starts listening only once cpsim test has said it waits, so the
// test holds on a machine of any speed.
func TestTestWaitsForTheExtension(t *testing.T) {
	t.Parallel()
	ext := runnertest.ClosedURL(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(ext, "http://localhost"), "/panel.html")

	out := &watchedBuffer{want: "waiting for " + ext, seen: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"test", "-speed", "50", "-patience", "10", "-wait", "10m", "-extension", ext, "inbound-call"}, env(nil), out, out)
	}()
	select {
	case <-out.seen:
	case err := <-done:
		t.Fatalf("cpsim test ended before it waited: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1"+addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(goodExtension)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		srv.Close()
		<-served
	}()
	if err := <-done; err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	runnertest.InOrder(t, out.String(), []string{
		"waiting for " + ext + " to answer (up to 10m0s): connect: connection refused",
		ext + " answers (after ",
		"start-up check: no problems with " + ext,
		"inbound-call.yaml: Inbound call",
		"PASS inbound-call.yaml",
	})
}

// watchedBuffer is a syncBuffer that closes seen once it holds want.
type watchedBuffer struct {
	syncBuffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(w.syncBuffer.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

// TestTestCommand runs cpsim test as a CI pipeline does, in headless
// Chromium: passing, failing and broken scenarios, and an extension that
// throws, each with the exit code a pipeline branches on.
func TestTestCommand(t *testing.T) {
	t.Parallel()
	// An extension that asks for the user, as inbound-call expects, and
	// throws on the answer (and as it loads, with ?at=load); served on
	// localhost, another site than the panel's 127.0.0.1.
	ext := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>throws</title><script>
const panel = new URL(document.referrer).origin;
window.addEventListener("message", (e) => {
  if (e.source !== window.parent || e.origin !== panel) return;
  if (e.data.type === "response" && e.data.id === "t-2") throw new Error("boom on " + e.data.payload.value);
});
window.parent.postMessage({type: "init", payload: false, id: "t-1"}, panel);
window.parent.postMessage({type: "action", payload: {command: "detail", value: "user"}, id: "t-2"}, panel);
if (location.search === "?at=load") throw new Error("boom at load");
</script>`)
	}))
	t.Cleanup(ext.Close)
	extURL := strings.Replace(ext.URL, "127.0.0.1", "localhost", 1) + "/throws.html"
	// An extension whose server refuses to be framed.
	refuses := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		goodExtension(w, r)
	}))
	t.Cleanup(refuses.Close)
	refusesURL := strings.Replace(refuses.URL, "127.0.0.1", "localhost", 1) + "/panel.html"

	dir := writeFiles(t, map[string]string{
		"never.yaml": "name: Waits for an action that never comes\nsteps:\n" +
			"  - incoming: {as: c1, channel: phone, queue: Sales}\n" +
			"  - accept: c1\n" +
			"  - expect: {type: init, within: 10s}\n" +
			"  - expect: {type: action, payload: {command: detail, value: transcript}, within: 500ms}\n",
		"typo.yaml": "name: x\nsteps:\n  - incoming: {as: c1, channel: phone}\n  - acept: c1\n",
	})
	junit := filepath.Join(dir, "results.xml")
	never := filepath.Join(dir, "never.yaml")

	tests := []struct {
		name string
		args []string
		code int
		out  []string
	}{
		{"library scenarios pass against the demo extensions",
			[]string{"test", "-speed", "50", "-patience", "10", "-junit", junit, "inbound-call", "../../scenarios/chat.yaml"}, 0,
			[]string{"inbound-call.yaml: Inbound call", "ok ", "accept: call1", "PASS inbound-call.yaml",
				"PASS ../../scenarios/chat.yaml", "2 scenarios: 2 passed, 0 failed"}},
		{"a failing expectation fails with its line",
			[]string{"test", "-speed", "50", "-patience", "3", never}, 1,
			[]string{"FAIL    6", never + ":6:", "FAIL " + never, "1 scenario: 0 passed, 1 failed", "1 of 1 scenarios failed"}},
		{"an extension's exception fails the scenario",
			[]string{"test", "-speed", "50", "-patience", "10", "-extension", extURL, "inbound-call"}, 1,
			[]string{"extension error: uncaught Error: boom on ", "throws.html", "FAIL inbound-call.yaml"}},
		{"or is only reported",
			[]string{"test", "-speed", "50", "-patience", "10", "-extension", extURL, "-extension-errors", "report", "inbound-call"}, 0,
			[]string{"extension error: uncaught Error: boom on ", "PASS inbound-call.yaml"}},
		{"an exception as the extension loads is heard",
			[]string{"test", "-speed", "50", "-patience", "10", "-extension", extURL + "?at=load", "-extension-errors", "report", "inbound-call"}, 0,
			[]string{"extension error: uncaught Error: boom at load", "PASS inbound-call.yaml"}},
		{"an extension that refuses the panel is named with the cause, before and after",
			[]string{"test", "-speed", "50", "-extension", refusesURL, "inbound-call"}, 1,
			[]string{"start-up check: error: " + refusesURL + " sends X-Frame-Options: DENY, so the panel cannot show it in its iframe",
				"inbound-call.yaml: Inbound call",
				"FAIL    8  expect: {type: init, within: 10s}",
				"frame did not load: " + refusesURL + ": it sends X-Frame-Options: DENY (net::ERR_BLOCKED_BY_RESPONSE); Chromium: Refused to display",
				"inbound-call.yaml:8: expect: {type: init, within: 10s}",
				"inbound-call.yaml: 1 extension frame did not load (above)",
				"FAIL inbound-call.yaml"}},
		{"a broken file runs nothing", []string{"test", filepath.Join(dir, "typo.yaml")}, 2,
			[]string{`typo.yaml:4:5: unknown step "acept"`}},
		{"a misspelt name gets a suggestion", []string{"test", "inbound-cal"}, 2,
			[]string{"inbound-cal: no such file, and no built-in scenario of that name (did you mean inbound-call?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runFor(t, 2*time.Minute, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tt.code, out)
			}
			runnertest.InOrder(t, out, tt.out)
		})
	}

	// The JUnit file of the first run: a test case per scenario, passed.
	src, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			SystemOut string    `xml:"system-out"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(src, &suite); err != nil {
		t.Fatalf("%s: %v\n%s", junit, err, src)
	}
	if suite.Tests != 2 || suite.Failures != 0 || len(suite.Cases) != 2 {
		t.Fatalf("JUnit: %d tests, %d failures, %d cases:\n%s", suite.Tests, suite.Failures, len(suite.Cases), src)
	}
	if c := suite.Cases[0]; c.Classname != "inbound-call.yaml" || c.Failure != nil || !strings.Contains(c.SystemOut, "ok 7 accept: call1") {
		t.Errorf("JUnit case %+v", c)
	}
}
