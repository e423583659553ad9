package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

// syncBuffer is an io.Writer that tests can read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// No test here may depend on the machine's speed: a test waits for what it
// needs, and its only deadline is a safety net that ends a little before
// the test binary's own (go test -timeout), so that a test that hangs
// fails with its own message rather than with the binary's panic.

// beforeDeadline returns a context that ends a little before the test
// binary's deadline, or after an hour when it has none.
func beforeDeadline(t *testing.T) context.Context {
	t.Helper()
	end := time.Now().Add(time.Hour)
	if d, ok := t.Deadline(); ok {
		// Leave the binary time to report: a tenth of what is left, at most 30 s.
		end = d.Add(-min(time.Until(d)/10, 30*time.Second))
	}
	ctx, cancel := context.WithDeadline(context.Background(), end)
	t.Cleanup(cancel)
	return ctx
}

// pollUntil polls cond until it holds, and fails the test with why only
// when the safety net of beforeDeadline runs out.
func pollUntil(t *testing.T, cond func() bool, why func() string) {
	t.Helper()
	ctx := beforeDeadline(t)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal(why())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestRunArguments(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("agent:\n  frist_name: Bob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		out  string // part of stdout+stderr
	}{
		{"help", []string{"-help"}, nil, 0, "Usage:\n  cpsim [flags]"},
		{"help lists the flags with examples", []string{"-help"}, nil, 0, "-extension URL"},
		{"help as a command", []string{"help"}, nil, 0, "CPSIM_EXTENSION"},
		{"the version", []string{"-version"}, nil, 0, "cpsim " + buildInfo().Version + " (commit "},
		{"the version, GNU style", []string{"--version"}, nil, 0, ", " + buildInfo().Date + ", "},
		{"the version as a command", []string{"version"}, nil, 0, runtime.GOOS + "/" + runtime.GOARCH + ")\n"},
		{"the version with an argument", []string{"-version", "-addr", "127.0.0.1:0"}, nil, 2, `-version takes no arguments, got "-addr"`},
		{"an unknown flag", []string{"-bogus"}, nil, 2, "flag provided but not defined: -bogus"},
		{"an unknown command", []string{"teleport"}, nil, 2, `unknown command "teleport"`},
		{"a stray argument", []string{"-addr", "127.0.0.1:0", "extra"}, nil, 2, `unexpected argument "extra"`},
		{"an extension that is not http", []string{"-extension", "ftp://x/y"}, nil, 2, `must start with http:// or https://`},
		{"a missing config", []string{"-config", filepath.Join(dir, "none.yaml")}, nil, 2, "no such file or directory"},
		{"a broken config", []string{"-config", bad}, nil, 2, bad + `:2:3: unknown key "frist_name" (did you mean "first_name"?)`},
		{"an unknown log format", []string{"-log-format", "xml"}, nil, 2, `-log-format "xml": use text or json`},
		{"the environment twin of a flag", nil, map[string]string{"CPSIM_LOG_FORMAT": "xml"}, 2, `-log-format "xml"`},
		{"a seed that is not a number", []string{"-seed", "x"}, nil, 2, `-seed "x" is not a whole number`},
		{"patience below 1", []string{"-patience", "0"}, nil, 2, `-patience "0" is not a number of 1 or more`},
		{"patience from the environment", nil, map[string]string{"CPSIM_PATIENCE": "soon"}, 2, `-patience "soon" is not a number of 1 or more`},
		{"a grace that is not a duration", []string{"-session-grace", "soon"}, nil, 2, `-session-grace "soon" is not a duration above 0`},
		{"a grace of nothing", nil, map[string]string{"CPSIM_SESSION_GRACE": "0s"}, 2, `-session-grace "0s" is not a duration above 0`},
		{"no sessions at all", []string{"-max-sessions", "0"}, nil, 2, `-max-sessions "0" is not a whole number of 1 or more`},
		{"sessions from the environment", nil, map[string]string{"CPSIM_MAX_SESSIONS": "many"}, 2, `-max-sessions "many" is not a whole number`},
		{"a session budget that is not a size", []string{"-session-memory", "lots"}, nil, 2, `-session-memory "lots" is not a size of 1.0 MiB or more, such as 32MiB or 2GiB`},
		{"a session budget too small to hold a message", nil, map[string]string{"CPSIM_SESSION_MEMORY": "64KiB"}, 2, `-session-memory "64KiB" is not a size of 1.0 MiB or more`},
		{"a server budget below a session's", []string{"-session-memory", "64MiB", "-memory", "32MiB"}, nil, 2, `-memory "32MiB" is not a size of 64 MiB or more`},
		{"a budget past any machine", []string{"-memory", "9EiB"}, nil, 2, `-memory "9EiB" is not a size of 32 MiB or more`},
		{"an address that is not one", []string{"-addr", "nonsense"}, nil, 2, "-addr: listen tcp: address nonsense: missing port in address"},
		{"nothing to load", []string{"-addr", "127.0.0.1:0", "-demo-addr", ""}, nil, 2, "no extension to load"},
		{"a -dev directory without the page", []string{"-dev", dir}, nil, 2, "give the repository's web directory"},
		{"a -dev directory that is not there", []string{"-dev", filepath.Join(dir, "none")}, nil, 2, "give the repository's web directory"},
		{"-ready-json that is not a boolean", []string{"-ready-json=maybe"}, nil, 2, `invalid boolean value "maybe" for -ready-json`},
		{"an allowed host with a port", []string{"-addr", "127.0.0.1:0", "-allowed-host", "devbox:8080"}, nil, 2, `-allowed-host: "devbox:8080" is not a host name`},
		{"an allowed host that is a URL", nil, map[string]string{"CPSIM_ADDR": "127.0.0.1:0", "CPSIM_ALLOWED_HOST": "devbox.example, http://x"}, 2, `-allowed-host: "http://x" is not a host name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			err := run(beforeDeadline(t), tt.args, env(tt.env), &out, &out)
			if got := exitCode(err); got != tt.code {
				t.Errorf("exit code %d, want %d (err: %v)", got, tt.code, err)
			}
			all := out.String()
			if err != nil {
				all += "cpsim: " + err.Error()
			}
			if !strings.Contains(all, tt.out) {
				t.Errorf("output:\n%s\nwant it to contain %q", all, tt.out)
			}
		})
	}
}

// TestHelpExplainsEveryFlag: each flag's help names its environment twin
// and shows an example.
func TestHelpExplainsEveryFlag(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	if err := run(context.Background(), []string{"-help"}, env(nil), &out, &out); exitCode(err) != 0 {
		t.Fatal(err)
	}
	text := out.String()
	blocks := strings.Split(text[strings.Index(text, "Flags:"):], "\n  -")[1:]
	if len(blocks) < 12 {
		t.Fatalf("help lists %d flags:\n%s", len(blocks), text)
	}
	for _, b := range blocks {
		name := strings.Fields(b)[0]
		if !strings.Contains(b, "e.g. -"+name) || !strings.Contains(b, "env CPSIM_") {
			t.Errorf("-%s: no example or no environment twin:\n  -%s", name, b)
		}
	}
}

func TestEnvironmentTwins(t *testing.T) {
	t.Parallel()
	o, err := parseServe([]string{"-global", "http://g.example/g.html"}, env(map[string]string{
		"CPSIM_ADDR":         "127.0.0.1:9999",
		"CPSIM_EXTENSION":    "http://a.example/a.html, http://b.example/b.html",
		"CPSIM_GLOBAL":       "http://env.example/g.html",
		"CPSIM_STRICT":       "true",
		"CPSIM_SEED":         "42",
		"CPSIM_ALLOWED_HOST": "devbox.example proxy.example",

		"CPSIM_SESSION_GRACE": "90s",
		"CPSIM_MAX_SESSIONS":  "7",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr != "127.0.0.1:9999" || !o.strict || o.seed != 42 || o.sessionGrace != 90*time.Second || o.maxSessions != 7 {
		t.Errorf("options from the environment: %+v", o)
	}
	if got := o.extensions.values; len(got) != 2 || got[1] != "http://b.example/b.html" {
		t.Errorf("extensions = %v", got)
	}
	if got := o.allowedHosts.values; len(got) != 2 || got[1] != "proxy.example" {
		t.Errorf("allowed hosts = %v", got)
	}
	if got := o.global.values; len(got) != 1 || got[0] != "http://g.example/g.html" {
		t.Errorf("global = %v: a flag on the command line replaces the environment's list", got)
	}
}

// TestSessionDefaults: with no flag, sessions end 5 minutes after their
// page left, and 100 are held at most (README, docs/relay.md).
func TestSessionDefaults(t *testing.T) {
	t.Parallel()
	o, err := parseServe(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.sessionGrace != 5*time.Minute || o.maxSessions != 100 {
		t.Errorf("grace %v, max sessions %d; want 5m0s and 100", o.sessionGrace, o.maxSessions)
	}
}

// running is run going on in the background, as after a user starts cpsim.
type running struct {
	stdout, stderr syncBuffer
	stop           context.CancelFunc // Ctrl-C
	done           chan error         // what run returned
}

func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &running{stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, args, env(nil), &r.stdout, &r.stderr) }()
	return r
}

// TestRunServes runs cpsim on port 0 as a user would, talks to it as the
// page does, and stops it as Ctrl-C does.
func TestRunServes(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-addr", "127.0.0.1:0", "-demo-addr", "localhost:0", "-log-format", "json", "-allowed-host", "devbox.example")
	panel, demoURL := r.urls(t)
	done := r.done
	if !strings.HasPrefix(panel, "http://127.0.0.1:") {
		t.Errorf("panel URL %s, want it on 127.0.0.1", panel)
	}
	if !strings.HasPrefix(demoURL, "http://localhost:") {
		t.Fatalf("demo URL %q, want it on localhost (another site than the panel)", demoURL)
	}

	for _, tt := range []struct {
		url, host string
		code      int
	}{
		{panel + "/", "", 200},
		{panel + "/healthz", "", 200},
		{panel + "/static/host.js", "", 200},
		{panel + "/static/js/", "", 404},
		{demoURL + "/customer-card.html", "", 200},
		{panel + "/healthz", "devbox.example:8080", 200},
		{demoURL + "/customer-card.html", "devbox.example", 200},
		{panel + "/healthz", "rebound.example", 421},
		{demoURL + "/customer-card.html", "rebound.example", 421},
	} {
		if code := getStatus(t, tt.url, tt.host); code != tt.code {
			t.Errorf("GET %s, Host %q: %d, want %d", tt.url, tt.host, code, tt.code)
		}
	}

	wctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(wctx, "ws"+strings.TrimPrefix(panel, "http")+"/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {panel}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(wctx, websocket.MessageText, []byte(`[{"t":"hello","session":"","seq":0,"fresh":true}]`)); err != nil {
		t.Fatal(err)
	}
	_, data, err := ws.Read(wctx)
	if err != nil || !strings.Contains(string(data), `"t":"welcome"`) {
		t.Fatalf("first message %q, %v", data, err)
	}

	r.stop() // Ctrl-C
	sawExit := false
	for {
		_, data, err := ws.Read(wctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("the page's websocket ended with %v, want going away", err)
			}
			break
		}
		sawExit = sawExit || strings.Contains(string(data), `"type":"exit"`)
	}
	if !sawExit {
		t.Error("the global demo extension got no exit when cpsim stopped")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v, want nil after a signal", err)
		}
	case <-wctx.Done():
		t.Fatal("run did not return after the signal")
	}
}

// TestReadyJSON: with -ready-json, cpsim's standard output is one line of
// JSON once it listens, with the URLs of the panel and the demos (none when
// it serves no demos), which a program that started it on port 0 reads.
func TestReadyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantDemo bool
	}{
		{"with the demos", []string{"-ready-json", "-addr", "127.0.0.1:0", "-demo-addr", "localhost:0"}, nil, true},
		{"with an extension and no demos", []string{"-addr", "127.0.0.1:0", "-extension", "http://localhost:9/panel.html"},
			map[string]string{"CPSIM_READY_JSON": "true"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(beforeDeadline(t))
			defer cancel()
			var stdout, stderr syncBuffer
			done := make(chan error, 1)
			go func() { done <- run(ctx, tt.args, env(tt.env), &stdout, &stderr) }()
			pollUntil(t, func() bool { return strings.HasSuffix(stdout.String(), "\n") },
				func() string { return fmt.Sprintf("no line on stdout; stderr:\n%s", stderr.String()) })
			line := stdout.String()
			var ready map[string]string
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ready); err != nil || strings.Count(line, "\n") != 1 {
				t.Fatalf("stdout %q is not one line of JSON: %v", line, err)
			}
			if !strings.HasPrefix(ready["panel"], "http://127.0.0.1:") {
				t.Errorf("panel %q, want http://127.0.0.1:PORT", ready["panel"])
			}
			if code := getStatus(t, ready["panel"]+"/healthz", ""); code != 200 {
				t.Errorf("GET %s/healthz: %d, want 200: cpsim serves once it says so", ready["panel"], code)
			}
			demo, ok := ready["demo"]
			if ok != tt.wantDemo {
				t.Fatalf("demo %q given: %v, want %v", demo, ok, tt.wantDemo)
			}
			if ok {
				if code := getStatus(t, demo+"/customer-card.html", ""); code != 200 || !strings.HasPrefix(demo, "http://localhost:") {
					t.Errorf("demo %q: GET customer-card.html %d, want 200 on http://localhost:PORT", demo, code)
				}
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-beforeDeadline(t).Done():
				t.Fatal("run did not return after the signal")
			}
		})
	}
}

// urls waits for cpsim, started with -log-format json, to print the
// panel's URL, and returns it with the demos' URL from its log ("" when it
// serves none).
func (r *running) urls(t *testing.T) (panel, demos string) {
	t.Helper()
	pollUntil(t, func() bool {
		if m := regexp.MustCompile(`open (http://\S+)/ in a browser`).FindStringSubmatch(r.stdout.String()); m != nil {
			panel = m[1]
		}
		return panel != ""
	}, func() string {
		return fmt.Sprintf("cpsim printed no URL; stdout %q stderr %q", r.stdout.String(), r.stderr.String())
	})
	for _, line := range strings.Split(r.stderr.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "demo extensions listening" {
			demos, _ = rec["url"].(string)
		}
	}
	return panel, demos
}

// getStatus is the status of a GET of url, with host as its Host header
// unless it is "".
func getStatus(t *testing.T, url, host string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(beforeDeadline(t), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDevServesOnlyItsDirectory: -dev serves the page and the demos from
// the directory through an os.Root, so that a symlink out of it reaches
// nothing, and lists no directory.
func TestDevServesOnlyItsDirectory(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.txt"), "secret")
	dir := t.TempDir()
	for _, f := range []string{"host.html", "static/host.js", "static/host.css", "static/js/util.js", "demo/index.html", "demo/customer-card.html"} {
		writeFile(t, filepath.Join(dir, f), "/* "+f+" */")
	}
	for _, link := range []string{"static/secret.txt", "demo/secret.txt"} {
		if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "static", "out")); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, "-addr", "127.0.0.1:0", "-demo-addr", "localhost:0", "-log-format", "json", "-dev", dir)
	panel, demos := r.urls(t)
	for u, want := range map[string]int{
		panel + "/":                      200,
		panel + "/static/js/util.js":     200,
		demos + "/customer-card.html":    200,
		panel + "/static/secret.txt":     404,
		panel + "/static/out/secret.txt": 404,
		panel + "/static/out/":           404,
		panel + "/static/":               404,
		panel + "/static/js/":            404,
		demos + "/secret.txt":            404,
	} {
		if code := getStatus(t, u, ""); code != want {
			t.Errorf("GET %s: %d, want %d", u, code, want)
		}
	}
	r.stopAndWait(t)
}

// TestListeningWideSaysWhichHostsAnswer: on 0.0.0.0, as in the container,
// cpsim says at start which host names it answers to and how to allow
// another.
func TestListeningWideSaysWhichHostsAnswer(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-addr", "0.0.0.0:0", "-demo-addr", "", "-extension", "http://localhost:9/panel.html", "-allowed-host", "devbox.example")
	r.urls(t)
	log := r.stderr.String()
	for _, want := range []string{"level=WARN", "cpsim listens beyond this machine", "refuses any other", "-allowed-host", `hosts="127.0.0.1 localhost ::1 devbox.example"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	r.stopAndWait(t)
}

// stopAndWait stops cpsim as Ctrl-C does and waits for run to return nil.
func (r *running) stopAndWait(t *testing.T) {
	t.Helper()
	r.stop()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-beforeDeadline(t).Done():
		t.Fatal("run did not return after the signal")
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSameSiteExtensionIsWarnedAtStart: an extension on the panel's own
// site (here 127.0.0.1) is warned about in the log, with the fix.
func TestSameSiteExtensionIsWarnedAtStart(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-addr", "127.0.0.1:0", "-demo-addr", "", "-extension", "http://127.0.0.1:9/panel.html")
	stderr := &r.stderr
	pollUntil(t, func() bool { return strings.Contains(stderr.String(), "is on the same site as the panel") },
		func() string { return "no same-site warning in:\n" + stderr.String() })
	if log := stderr.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "open the panel as http://localhost:") {
		t.Errorf("the warning does not say how to fix it:\n%s", log)
	}
	r.stopAndWait(t)
}

// TestEmbedOriginFlag: -embed-origin is repeatable, normalized, replaces
// CPSIM_EMBED_ORIGIN when given, and refuses what is not an origin.
func TestEmbedOriginFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		env     map[string]string
		want    []string
		wantErr string
	}{
		{nil, nil, nil, ""},
		{[]string{"-embed-origin", "https://CRM.example.com", "-embed-origin", "http://localhost:3000/"}, nil,
			[]string{"https://crm.example.com", "http://localhost:3000"}, ""},
		{nil, map[string]string{"CPSIM_EMBED_ORIGIN": "https://a.example, https://b.example"}, []string{"https://a.example", "https://b.example"}, ""},
		{[]string{"-embed-origin", "https://c.example"}, map[string]string{"CPSIM_EMBED_ORIGIN": "https://a.example"}, []string{"https://c.example"}, ""},
		{[]string{"-embed-origin", "crm.example.com"}, nil, nil, "not an http or https origin"},
		{[]string{"-embed-origin", "https://crm.example.com/app"}, nil, nil, "write it as https://crm.example.com"},
	}
	for _, tc := range tests {
		o, err := parseServe(tc.args, env(tc.env), io.Discard)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitCode(err) != 2 {
				t.Errorf("%v: err %v, want a usage error with %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if diff := cmp.Diff(tc.want, o.embedOrigins); diff != "" {
			t.Errorf("%v %v: (-want +got)\n%s", tc.args, tc.env, diff)
		}
	}
}
