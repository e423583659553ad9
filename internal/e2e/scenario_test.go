package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/scenarios"
)

// withLibrary gives the page cpsim's library, read over its data.
func withLibrary(t testing.TB) func(*host.Config) {
	return func(c *host.Config) {
		library, err := scenario.ParseAll(scenarios.Files(), c.Data)
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = library
	}
}

// playInPage plays a scenario of the library from the Scenarios tab, as a
// developer does, and returns the s frame it ended with.
func playInPage(t *testing.T, ctx context.Context, file, speed string) map[string]any {
	t.Helper()
	click(t, ctx, tid("scenarios-tab"))
	click(t, ctx, fmt.Sprintf(`%s[data-file=%q]`, tid("scenario-item"), file))
	choose(t, ctx, tid("scenario-speed"), speed)
	click(t, ctx, tid("scenario-play"))
	// The page asks first when interactions are in hand.
	waitJS(t, ctx, fmt.Sprintf(`(() => { const d = document.querySelector(%q);
		if (d && d.open) { d.querySelector(%q).click(); return false }
		const s = window.cpsim.scenario; return s && s.file === %q && s.state !== "playing" && s.state !== "paused" })()`,
		tid("confirm-dialog"), tid("confirm-ok"), file))
	return eval[map[string]any](t, ctx, `window.cpsim.scenario`)
}

// TestLibraryPlaysInThePage plays every scenario of the library from the
// page, one after the other in one tab, against cpsim's default demo
// extensions, and checks what the developer sees: the run passed, its
// progress is full, every step is ticked, and the inspector shows the
// messages the scenario caused.
func TestLibraryPlaysInThePage(t *testing.T) {
	t.Parallel()
	st := startStack(t, demo.Extensions, withLibrary(t))
	ctx := st.tab(t)
	files := eval[[]string](t, ctx, `(window.cpsim.scenarios || []).map(s => s.file)`)
	if len(files) != 11 {
		t.Fatalf("the page lists %d scenarios: %v", len(files), files)
	}
	for _, file := range files {
		before := eval[int](t, ctx, `window.cpsim.log.length`)
		s := playInPage(t, ctx, file, "50")
		if s["state"] != "passed" {
			t.Errorf("%s: %s: %v", file, s["state"], s["error"])
			continue
		}
		progress := eval[[]float64](t, ctx, `(() => { const p = document.querySelector('[data-testid="scenario-progress"]'); return [p.value, p.max] })()`)
		rows := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="scenario-step-row"]')].map(r => r.dataset.status)`)
		badge := eval[string](t, ctx, `document.querySelector('[data-testid="scenario-state"]').dataset.state`)
		if progress[0] != progress[1] || badge != "passed" {
			t.Errorf("%s: progress %v, badge %q", file, progress, badge)
		}
		for i, r := range rows {
			if r != "done" && !(i == len(rows)-1 && r == "passed") {
				t.Errorf("%s: step row %d shows %q: %v", file, i, r, rows)
				break
			}
		}
		// What a scenario causes may come after its last step: in a
		// scenario that loads no extension of its own (call-rejected),
		// the rows are the global extensions' of the restarted session,
		// whose init comes when their frames have loaded.
		waitJS(t, ctx, fmt.Sprintf(`window.cpsim.log.length > %d`, before))
	}
}

// TestScenarioFailsInThePage: a scenario whose expectation the extension
// does not meet fails in the page with its line, and stepping goes one step
// at a time.
func TestScenarioFailsInThePage(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard, func(c *host.Config) {
		sc, err := scenario.Parse("never.yaml", []byte(`name: Never
steps:
  - incoming: {as: c1, channel: phone, queue: Sales}
  - wait: 1h
  - accept: c1
  - expect: {type: action, payload: {command: transfer}, within: 300ms}
`), c.Data)
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = []*scenario.Scenario{sc}
	})
	ctx := st.tab(t)
	click(t, ctx, tid("scenarios-tab"))
	click(t, ctx, tid("scenario-item"))
	click(t, ctx, tid("scenario-play"))
	waitJS(t, ctx, `window.cpsim.scenario && window.cpsim.scenario.line === 4`) // in the wait of an hour
	click(t, ctx, tid("scenario-pause"))
	waitJS(t, ctx, `document.querySelector('[data-testid="scenario-state"]').dataset.state === "paused"`)
	click(t, ctx, tid("scenario-step")) // cuts the wait short
	waitJS(t, ctx, `window.cpsim.scenario.line === 5 && window.cpsim.scenario.state === "paused"`)
	if n := eval[int](t, ctx, `window.cpsim.view.interactions.filter(i => i.status === "accepted").length`); n != 0 {
		t.Fatal("one step ran two")
	}
	waitJS(t, ctx, `document.querySelector('[data-testid="scenario-step-row"][data-current="true"]').dataset.line === "5"`)
	screenshot(t, ctx, "scenario-paused.png", false)
	click(t, ctx, tid("scenario-resume"))
	waitJS(t, ctx, `window.cpsim.scenario.state === "failed"`)
	screenshot(t, ctx, "scenario-failed.png", false)
	text := eval[string](t, ctx, `document.querySelector('[data-testid="scenario-error"]').innerText`)
	if !strings.Contains(text, "never.yaml:6") || !strings.Contains(text, `expected the extension to send {"payload":{"command":"transfer"},"type":"action"} within 300ms`) {
		t.Errorf("the failure shows:\n%s", text)
	}
}

// TestRecordingPlaysBack records a call and a chat handled by hand, and
// checks that the YAML the page offers is a valid scenario that plays
// back, headless, and passes.
func TestRecordingPlaysBack(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard, withLibrary(t))
	ctx := st.tab(t)
	click(t, ctx, tid("scenarios-tab"))
	click(t, ctx, tid("record-start"))
	waitJS(t, ctx, `!document.querySelector('[data-testid="record-indicator"]').hidden`)

	call := accepted(t, ctx, "phone")
	// After each click, wait until the panel shows what it did.
	for _, c := range []struct{ button, then string }{
		{"hold", fmt.Sprintf(`document.querySelector(%q)`, card(call, "unhold"))},
		{"unhold", fmt.Sprintf(`document.querySelector(%q)`, card(call, "hold"))},
		{"hangup", fmt.Sprintf(`document.querySelector(%q + '[data-status="ended"]')`, card(call))},
		{"handle", fmt.Sprintf(`!document.querySelector(%q)`, card(call))},
	} {
		click(t, ctx, card(call, c.button))
		waitJS(t, ctx, c.then)
	}
	chat := accepted(t, ctx, "chat")
	waitJS(t, ctx, fmt.Sprintf(`window.cpsim.view.active === %q`, chat)) // an accepted chat is selected
	choose(t, ctx, tid("say-text"), `Hi: is "#1" ready?`)
	click(t, ctx, tid("say-customer"))
	waitJS(t, ctx, `document.querySelectorAll('[data-testid="transcript-message"]').length >= 2`)
	click(t, ctx, card(chat, "hangup"))
	click(t, ctx, card(chat, "handle"))
	waitJS(t, ctx, `window.cpsim.view.interactions.length === 0`)

	click(t, ctx, tid("record-stop"))
	waitJS(t, ctx, `document.querySelector('[data-testid="record-dialog"]').open`)
	choose(t, ctx, tid("record-name"), "Recorded by hand")
	yaml := eval[string](t, ctx, `document.querySelector('[data-testid="record-yaml"]').value`)

	data, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	data.Extensions = demoCard(st.demo)
	sc, err := scenario.Parse("recorded.yaml", []byte(yaml), data)
	if err != nil {
		t.Fatalf("the recording is not a valid scenario: %v\n%s", err, yaml)
	}
	if sc.Name != "Recorded by hand" {
		t.Errorf("name %q", sc.Name)
	}
	var kinds []string
	for _, s := range sc.Steps {
		if s.Kind != "wait" {
			kinds = append(kinds, s.Kind)
		}
	}
	want := "incoming accept hold unhold hangup handle incoming accept say hangup handle"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("recorded steps:\n%s\nwant\n%s\n%s", got, want, yaml)
	}
	if !strings.Contains(yaml, `is \"#1\" ready?`) && !strings.Contains(yaml, `'Hi: is "#1" ready?'`) {
		t.Errorf("the chat message is not quoted as written:\n%s", yaml)
	}

	// Play it back in a page of its own, as cpsim -scenario does.
	done := make(chan error, 1)
	st.srv.PlayInNextSession(sc, 20, host.Watch{Patience: 10, Done: func(err error) { done <- err }})
	st.tab(t)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the recording does not play back: %v\n%s", err, yaml)
		}
	case <-beforeDeadline(t, context.Background()).Done():
		t.Fatalf("the recording did not end\n%s", yaml)
	}
}

// TestScenarioScreenshot takes the README's picture of a scenario paused
// halfway through a chat: docs/images/scenarios.png.
func TestScenarioScreenshot(t *testing.T) {
	t.Parallel()
	var chatYAML *scenario.Scenario
	st := startStack(t, demo.Extensions, withLibrary(t), func(c *host.Config) {
		for _, sc := range c.Scenarios {
			if sc.File == "chat.yaml" {
				chatYAML = sc
			}
		}
	})
	// The chat plays in the tab, as cpsim -scenario plays it, and once the
	// agent has answered (line 13) it waits for the tab to pause it: played
	// from the page, it would go on to its end in about a second, which a
	// busy machine can take to click.
	answered, paused := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(paused) }) }
	t.Cleanup(release)
	ended := make(chan error, 1)
	st.srv.PlayInNextSession(chatYAML, 5, host.Watch{Patience: 10, Progress: func(p scenario.Progress) {
		if p.Status == "ok" && p.Step.Line == 13 {
			close(answered)
			<-paused
		}
	}, Done: func(err error) { ended <- err }})
	ctx := st.tab(t)
	click(t, ctx, tid("scenarios-tab"))
	click(t, ctx, fmt.Sprintf(`%s[data-file="chat.yaml"]`, tid("scenario-item")))
	choose(t, ctx, tid("scenario-speed"), "5")
	select {
	case <-answered:
	case err := <-ended: // say why at once, rather than at the deadline
		t.Fatalf("the chat ended before the agent's answer: %v", err)
	case <-ctx.Done():
		t.Fatal("the chat never got to the agent's answer")
	}
	click(t, ctx, tid("scenario-pause"))
	waitJS(t, ctx, `window.cpsim.scenario.state === "paused"`)
	release()
	waitJS(t, ctx, `document.querySelectorAll('[data-testid="transcript-message"]').length >= 3`)
	chat := eval[string](t, ctx, `window.cpsim.view.active`)
	inst := instanceOf(t, ctx, chat, "customer-card")
	click(t, ctx, fmt.Sprintf(`[data-testid="ext-button"][data-instance=%q]`, inst))
	frameWait(t, frame(t, ctx, inst), `document.querySelector('[data-testid="transcript"]').textContent.includes("Let me check")`)
	screenshot(t, ctx, "scenarios.png", true)
	click(t, ctx, tid("scenario-stop"))
}
