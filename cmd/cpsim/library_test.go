package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpsim/cpsim/internal/runner/runnertest"
)

// readmeConfig is the config file example of the README: the user's own
// queues, Sales (phone) and Web Chat (chat), and none of those the
// built-in scenarios name (Support, Customer Care Email, an SMS and a
// WhatsApp queue).
func readmeConfig(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, found := strings.Cut(string(src), "## The config file\n\n```yaml\n")
	block, _, closed := strings.Cut(rest, "```")
	if !found || !closed || !strings.Contains(block, "queues:") {
		t.Fatal("README.md has no config example under ## The config file")
	}
	return block
}

// watchBuffer is a syncBuffer that closes seen once what was written to
// it holds want, so that a test waits for a line without polling.
type watchBuffer struct {
	syncBuffer
	want string
	seen chan struct{}
	once sync.Once
}

func newWatchBuffer(want string) *watchBuffer {
	return &watchBuffer{want: want, seen: make(chan struct{})}
}

func (w *watchBuffer) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(w.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

// TestServeLeavesOutTheLibraryThatDoesNotFit: with the README's config,
// cpsim starts, and says in its log which built-in scenarios it left out
// and why, one line each.
func TestServeLeavesOutTheLibraryThatDoesNotFit(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"cpsim.yaml": readmeConfig(t)})
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"serve", nil},
		{"with a built-in scenario that fits", []string{"-scenario", "inbound-call"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout := newWatchBuffer("cpsim is running")
			var stderr syncBuffer
			done := make(chan error, 1)
			args := append([]string{"-addr", "127.0.0.1:0", "-demo-addr", "", "-config", filepath.Join(dir, "cpsim.yaml")}, tt.args...)
			go func() { done <- run(ctx, args, env(nil), stdout, &stderr) }()
			select {
			case <-stdout.seen:
			case err := <-done:
				t.Fatalf("cpsim stopped at start with %v (exit %d):\n%s", err, exitCode(err), stderr.String())
			}
			var left []string
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(line, "is left out") {
					left = append(left, line)
				}
			}
			if len(left) != 7 {
				t.Errorf("%d lines tell of a scenario left out, want 7:\n%s", len(left), strings.Join(left, "\n"))
			}
			want := `level=INFO msg="the built-in scenario agents-day.yaml is left out: it needs queues your -config does not have (agents-day.yaml:23:50: queue of channel phone \"Support\" is not allowed (use one of Sales))"`
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("the log does not say why agents-day is left out:\n%s\nwant a line\n%s", stderr.String(), want)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
}

// TestLibraryUnderAConfig: validate, test and -scenario over the README's
// config: the built-in scenarios that do not fit it never fail a user's
// own files; naming one says why it is left out; the user's files are
// still read strictly, every mistake of each told, one a line. None of
// these starts a browser: test stops at the missing Chromium once the
// scenarios are read.
func TestLibraryUnderAConfig(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"cpsim.yaml": readmeConfig(t),
		"bad.yaml":   "agent:\n  frist_name: Bob\n",
		"mine.yaml": "name: Mine\nsteps:\n" +
			"  - incoming: {as: call1, channel: phone, queue: Sales}\n" +
			"  - accept: call1\n" +
			"  - expect: {type: init, from: crm, within: 10s}\n" +
			"  - expect_none: {type: action, payload: {command: interaction}, from: recorder, within: 1s}\n",
		"support.yaml": "name: Support\nsteps:\n  - incoming: {as: call1, channel: phone, queue: Support}\n",
		"three.yaml": "name: x\nsteps:\n  - incoming: {as: c1, channel: phone, queue: Saels}\n  - accept: c1\n  - acept: c1\n" +
			"  - expect_none: {type: action, payload: {comand: detail}}\n",
		"indent.yaml": "name: x\nsteps:\n  - incoming:\n      as: c1\n     channel: phone\n  - accept: c1\n",
		"from.yaml":   "name: x\nsteps:\n  - expect: {type: init, from: crm}\n",
	})
	at := func(name string) string { return filepath.Join(dir, name) }
	cfg := at("cpsim.yaml")
	const noChromium = "/nonexistent/chromium: Chromium was not found"
	tests := []struct {
		name string
		args []string
		code int
		out  []string // parts of the output, in order
	}{
		{"validate a user's file", []string{"validate", "-config", cfg, at("mine.yaml")}, 0,
			[]string{at("mine.yaml") + ": ok, 4 steps (Mine)"}},
		{"a user's file is read strictly", []string{"validate", "-config", cfg, at("support.yaml")}, 2,
			[]string{at("support.yaml") + `:3:50: queue of channel phone "Support" is not allowed (use one of Sales)`, "1 of 1 file is not a valid scenario (1 mistake)"}},
		{"a bad config still exits 2", []string{"validate", "-config", at("bad.yaml"), at("mine.yaml")}, 2,
			[]string{at("bad.yaml") + `:2:3: unknown key "frist_name"`}},
		{"test reads a user's file over the config", []string{"test", "-config", cfg, "-chromium", "/nonexistent/chromium", at("mine.yaml")}, 2,
			[]string{noChromium}},
		{"test of a built-in scenario that fits", []string{"test", "-config", cfg, "-chromium", "/nonexistent/chromium", "inbound-call"}, 2,
			[]string{noChromium}},
		{"test of a built-in scenario left out says why", []string{"test", "-config", cfg, "-chromium", "/nonexistent/chromium", "agents-day"}, 2,
			[]string{`the built-in scenario agents-day.yaml is left out: it needs queues your -config does not have (agents-day.yaml:23:50: queue of channel phone "Support" is not allowed (use one of Sales))`}},
		{"test of a user's file that does not fit", []string{"test", "-config", cfg, "-chromium", "/nonexistent/chromium", at("support.yaml")}, 2,
			[]string{at("support.yaml") + `:3:50: queue of channel phone "Support" is not allowed`}},
		{"test with a bad config", []string{"test", "-config", at("bad.yaml"), at("mine.yaml")}, 2,
			[]string{at("bad.yaml") + `:2:3: unknown key "frist_name"`}},
		{"serve with a built-in scenario left out", []string{"-addr", "127.0.0.1:0", "-demo-addr", "", "-config", cfg, "-scenario", "email"}, 2,
			[]string{"the built-in scenario email.yaml is left out: it needs queues your -config does not have (email.yaml:4:15: no queue takes email"}},
		{"validate tells every mistake of every file", []string{"validate", at("three.yaml"), at("indent.yaml")}, 2, []string{
			at("three.yaml") + `:3:47: queue of channel phone "Saels" is not allowed (did you mean "Sales"?)`,
			at("three.yaml") + `:5:5: unknown step "acept" (did you mean "accept"?)`,
			at("three.yaml") + `:6:43: unknown key "comand" (did you mean "command"?)`,
			at("indent.yaml") + `:5:1: did not find expected key`,
			"2 of 2 files are not valid scenarios (4 mistakes)"}},
		{"from names the demos when nothing else is configured", []string{"validate", at("from.yaml")}, 2, []string{
			at("from.yaml") + `:3:32: no extension has the key "crm" (the extensions are customer-card, seed-full, seed-simple, activity)`}},
		{"from names an extension given as to cpsim test", []string{"validate", "-extension", "http://localhost:3000/crm.html", at("from.yaml")}, 0, []string{
			at("from.yaml") + ": ok, 1 steps"}},
		{"from names an extension of the config", []string{"validate", "-config", cfg, at("from.yaml")}, 0, []string{
			at("from.yaml") + ": ok, 1 steps"}},
		{"validate -extension checks the URL", []string{"validate", "-extension", "ftp://x/crm.html", at("from.yaml")}, 2, []string{
			"must start with http:// or https://"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out := runFor(t, time.Minute, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tt.code, out)
			}
			runnertest.InOrder(t, out, tt.out)
		})
	}
}
