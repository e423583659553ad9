package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/scenarios"
)

// TestWriteJUnit: a CI system shows each scenario as a test, with every
// reason it failed, and its steps, the extensions' diagnosed messages,
// frames that did not load and errors as its output.
func TestWriteJUnit(t *testing.T) {
	t.Parallel()
	results := []Result{{
		Scenario: &scenario.Scenario{File: "chat.yaml", Name: "Chat & <typing>"},
		Duration: 1500 * time.Millisecond,
		Steps:    []scenario.Progress{step(4, "accept: chat1", "ok", 0), step(5, "wait: 2s", "ok", 2)},
	}, {
		Scenario:        &scenario.Scenario{File: "never.yaml", Name: "Never"},
		Err:             errors.New("never.yaml:6: expect: {type: action}: it did not\nthe closest were: none"),
		Duration:        250 * time.Millisecond,
		Steps:           []scenario.Progress{step(6, "expect: {type: action}", "failed", 0.25)},
		ExtensionErrors: []string{"uncaught Error: boom (http://localhost:1/x.html:3)"},
		Messages:        []host.MessageReport{dropped, note},
		FrameLoads:      []FrameLoad{{URL: "http://localhost:2/y.html", Cause: "HTTP 404 Not Found", Frames: 1}},
	}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, results); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="cpsim" tests="2" failures="1" time="1.750">
  <testcase name="Chat &amp; &lt;typing&gt;" classname="chat.yaml" time="1.500">
    <system-out>ok 4 accept: chat1 (0.00s)&#xA;ok 5 wait: 2s (2.00s)&#xA;</system-out>
  </testcase>
  <testcase name="Never" classname="never.yaml" time="0.250">
    <failure message="never.yaml:6: expect: {type: action}: it did not">never.yaml:6: expect: {type: action}: it did not&#xA;the closest were: none</failure>
    <system-out>failed 6 expect: {type: action} (0.25s)&#xA;problem crm-3: error protocol: the page could not relay this message: not serializable: cyclic object&#xA;note    crm-3: info protocol: init again: the panel answers it as the first: {&#34;id&#34;:&#34;i-1&#34;,&#34;payload&#34;:true,&#34;type&#34;:&#34;init&#34;}&#xA;frame did not load: http://localhost:2/y.html: HTTP 404 Not Found&#xA;extension error: uncaught Error: boom (http://localhost:1/x.html:3)&#xA;</system-out>
  </testcase>
</testsuite>
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("JUnit (-want +got):\n%s", diff)
	}
}

// TestLibraryPassesHeadless: every scenario of the library passes as
// cpsim test plays it by default, against the demo extensions, in headless
// Chromium: no protocol problem, no extension error, every frame loaded.
func TestLibraryPassesHeadless(t *testing.T) {
	t.Parallel()
	st := listen(t)
	library := readLibrary(t, st.Data)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	results, err := st.Run(ctx, Config{Speed: 50, Patience: 10, FailOnExtensionErrors: true, FailOnProblems: true, Timeout: time.Minute, Out: &out}, library)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(library) {
		t.Fatalf("%d results for %d scenarios", len(results), len(library))
	}
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("%s: %v", r.Scenario.File, r.Err)
		}
		if len(r.Steps) != len(r.Scenario.Steps) {
			t.Errorf("%s: %d steps reported of %d", r.Scenario.File, len(r.Steps), len(r.Scenario.Steps))
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}

func readLibrary(t testing.TB, data *state.Data) []*scenario.Scenario {
	t.Helper()
	library, err := scenario.ParseAll(scenarios.Files(), data)
	if err != nil || len(library) < 11 {
		t.Fatalf("the library: %d scenarios, %v", len(library), err)
	}
	return library
}

// listen is cpsim test's stack on the built-in data, closed when t ends.
func listen(t testing.TB) *Stack { return listenWith(t, ListenOptions{}) }

// listenWith is listen with options.
func listenWith(t testing.TB, o ListenOptions) *Stack {
	t.Helper()
	data, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := Listen(data, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// tenThousandSteps is a call held and taken off hold 4,997 times, then
// muted, hung up and handled: 10,000 steps with no waits, each a state
// change the extensions hear.
func tenThousandSteps(t testing.TB, data *state.Data) *scenario.Scenario {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: Ten thousand steps\nsteps:\n" +
		"  - incoming: {as: c1, channel: phone, queue: Sales}\n" +
		"  - accept: c1\n" +
		"  - expect: {type: init, within: 10s}\n")
	for range 4997 {
		b.WriteString("  - hold: c1\n  - unhold: c1\n")
	}
	b.WriteString("  - mute: c1\n  - hangup: c1\n  - handle: c1\n")
	sc, err := scenario.Parse("ten-thousand.yaml", []byte(b.String()), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Steps) != 10000 {
		t.Fatalf("%d steps", len(sc.Steps))
	}
	return sc
}

// BenchmarkTenThousandSteps plays a scenario of 10,000 steps with no waits
// as cpsim test does: headless Chromium, the panel page, the demo
// extensions hearing every change. An op is the whole run, Chromium's start
// included; scenario-s is the scenario alone, from opening the page to its
// last step.
func BenchmarkTenThousandSteps(b *testing.B) {
	data, err := config.Default()
	if err != nil {
		b.Fatal(err)
	}
	var played time.Duration
	for b.Loop() {
		st, err := Listen(data, ListenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		sc := tenThousandSteps(b, st.Data)
		results, err := st.Run(context.Background(), Config{Speed: 1, FailOnExtensionErrors: true, Timeout: time.Minute}, []*scenario.Scenario{sc})
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		if r := results[0]; !r.Passed() {
			b.Fatal(fmt.Errorf("the scenario failed: %w", r.Err))
		}
		played += results[0].Duration
	}
	b.ReportMetric(played.Seconds()/float64(b.N), "scenario-s")
}

// TestSeedSimpleExampleThrowsOnExit: the seed's first example reads
// payload.value of every message, and the panel's exit has no payload; so
// the example throws when its interaction is handled, as it would in
// production, and cpsim test says so (spec-notes #24).
func TestSeedSimpleExampleThrowsOnExit(t *testing.T) {
	t.Parallel()
	st := listen(t)
	base, _, _ := strings.Cut(st.Data.Extensions[0].URL, "/customer-card.html")
	st.Data.Extensions = []state.ExtensionData{{Key: "seed-simple", URL: base + "/seed-simple.html"}}
	sc, err := scenario.Parse("exit.yaml", []byte(`name: Handled
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - accept: c1
  - expect: {type: init, in: c1, within: 10s}
  - hangup: c1
  - handle: c1
  - wait: 1s
`), st.Data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := st.Run(ctx, Config{Patience: 6, FailOnExtensionErrors: true, Timeout: time.Minute}, []*scenario.Scenario{sc})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Passed() || len(r.ExtensionErrors) != 1 {
		t.Fatalf("passed %v, extension errors %q: want the one TypeError on exit", r.Passed(), r.ExtensionErrors)
	}
	if e := r.ExtensionErrors[0]; !strings.Contains(e, "uncaught TypeError: Cannot read properties of undefined (reading 'value')") || !strings.Contains(e, "/seed-simple.html:") {
		t.Errorf("extension error %q", e)
	}
}
