package host

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

func parseScenario(t testing.TB, name, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse(name+".yaml", []byte(src), testData(t))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const callScenario = `name: call
steps:
  - incoming: {as: call1, channel: phone}
  - accept: call1
  - expect: {type: init, within: 5s}
  - hold: call1
  - wait: 10ms
  - hangup: call1
  - handle: call1
`

// scenarioState waits for an s frame in a given state and returns it.
func (p *page) scenarioState(state string) map[string]any {
	p.t.Helper()
	return p.waitFor(func(f map[string]any) bool { return f["t"] == "s" && f["state"] == state })
}

// extensionInits plays an extension that sends init whenever the view shows
// a crm instance it has not seen, until the connection ends. It runs in a
// goroutine of its own, so it reads the socket itself and never fails the
// test.
func (p *page) extensionInits() {
	seen := map[string]bool{}
	for {
		_, data, err := p.ws.Read(p.ctx)
		if err != nil {
			return
		}
		var frames []map[string]any
		_ = json.Unmarshal(data, &frames)
		for _, f := range frames {
			if f["t"] != "v" {
				continue
			}
			raw, _ := json.Marshal(f["v"])
			var v state.View
			_ = json.Unmarshal(raw, &v)
			for _, in := range v.Instances {
				if in.Key == "crm" && !seen[in.ID] {
					seen[in.ID] = true
					msg, _ := json.Marshal([]map[string]any{{"t": "m", "q": 1000 + len(seen), "i": in.ID,
						"m": map[string]any{"id": "init", "type": "init", "payload": true}}})
					if p.ws.Write(p.ctx, 1, msg) != nil {
						return
					}
				}
			}
		}
	}
}

// The tests that play scenarios with waits and expectations run in a
// synctest bubble: a wait or an expectation's time passes on the bubble's
// clock, which moves only when nothing else can happen, so an extension
// that answers is never too late, however busy the machine.

func TestPlayFromThePage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "call", callScenario)
		_, pp := newPipeServer(t, func(c *Config) { c.Scenarios = []*scenario.Scenario{sc} })
		p := pp.dial(t, "", 0, true)
		list := p.waitFor(func(f map[string]any) bool { return f["t"] == "sl" })
		if s := list["s"].([]any); len(s) != 1 || s[0].(map[string]any)["name"] != "call" || len(s[0].(map[string]any)["steps"].([]any)) != 7 {
			t.Fatalf("scenario list = %v", list)
		}
		if r := p.event(map[string]any{"type": "scenario_play", "name": "call"}); r["error"] != nil {
			t.Fatal(r["error"])
		}
		p.scenarioState("playing")
		seen := map[string]bool{}
		done := p.waitFor(func(f map[string]any) bool {
			switch f["t"] {
			case "v":
				data, _ := json.Marshal(f["v"])
				var v state.View
				_ = json.Unmarshal(data, &v)
				for _, in := range v.Instances {
					if in.Key == "crm" && !seen[in.ID] {
						seen[in.ID] = true
						p.ext(in.ID, `{"id":"init","type":"init","payload":true}`)
					}
				}
			case "s":
				return f["state"] != "playing"
			}
			return false
		})
		if done["state"] != "passed" || done["index"] != float64(6) {
			t.Errorf("the scenario ended %v", done)
		}
	})
}

func TestScenarioFailureReachesThePage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "silent", `name: silent
steps:
  - incoming: {as: call1, channel: phone}
  - accept: call1
  - expect: {type: action, payload: {command: detail}, within: 100ms}
`)
		_, pp := newPipeServer(t, func(c *Config) { c.Scenarios, c.Patience = []*scenario.Scenario{sc}, 3 })
		p := pp.dial(t, "", 0, true)
		p.event(map[string]any{"type": "scenario_play", "name": "silent.yaml"}) // by file name
		f := p.scenarioState("failed")
		if f["line"] != float64(5) || !strings.Contains(f["error"].(string), `silent.yaml:5: expect: {type: action, payload: {command: detail}, within: 100ms}: expected the extension to send {"payload":{"command":"detail"},"type":"action"} within 100ms (300ms with -patience 3)`) {
			t.Errorf("failure = %v", f)
		}
		if strings.Contains(f["error"].(string), "closest") {
			t.Errorf("the closest messages come apart from the error, not in it too: %v", f)
		}

		// A page that comes back after the run ended is told how it ended.
		p.ws.CloseNow()
		q := pp.dial(t, p.session, p.seq, false)
		if f := q.waitFor(func(f map[string]any) bool { return f["t"] == "s" }); f["state"] != "failed" || f["line"] != float64(5) {
			t.Errorf("after a reconnect the page was told %v", f)
		}
	})
}

func TestScenarioControlsFromThePage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "slow", `name: slow
steps:
  - incoming: {as: call1, channel: phone}
  - wait: 1h
  - accept: call1
  - wait: 1h
`)
		srv, pp := newPipeServer(t, func(c *Config) { c.Scenarios = []*scenario.Scenario{sc} })
		p := pp.dial(t, "", 0, true)
		if r := p.event(map[string]any{"type": "scenario_pause"}); r["error"] != "no scenario is playing" {
			t.Errorf("pause with nothing playing: %v", r)
		}
		if r := p.event(map[string]any{"type": "scenario_play", "name": "nope"}); r["error"] != `no scenario is called "nope"` {
			t.Errorf("play of an unknown scenario: %v", r)
		}
		p.event(map[string]any{"type": "scenario_play", "name": "slow", "speed": 2})
		p.waitFor(func(f map[string]any) bool { return f["t"] == "s" && f["line"] == float64(4) }) // in the first wait
		p.event(map[string]any{"type": "scenario_pause"})
		p.scenarioState("paused")
		p.event(map[string]any{"type": "scenario_step"}) // cuts the wait short, and pauses before the accept
		// Once every goroutine of the bubble is blocked, the step has done all
		// it will: the call is still ringing.
		synctest.Wait()
		srv.mu.Lock()
		ss := srv.sessions[p.session]
		srv.mu.Unlock()
		if v := (target{srv: srv, ss: ss}).View(); len(v.Interactions) != 1 || v.Interactions[0].Status != state.StatusIncoming {
			t.Errorf("after one step the panel shows %+v, want the call still incoming", v.Interactions)
		}
		p.view(func(v state.View) bool {
			return len(v.Interactions) == 1 && v.Interactions[0].Status == state.StatusIncoming
		})
		p.event(map[string]any{"type": "scenario_step"}) // the accept
		p.waitFor(func(f map[string]any) bool { return f["t"] == "s" && f["line"] == float64(5) })
		p.view(func(v state.View) bool {
			return len(v.Interactions) == 1 && v.Interactions[0].Status == state.StatusAccepted
		})
		p.event(map[string]any{"type": "scenario_stop"})
		p.scenarioState("stopped")
	})
}

func TestAutoPlayOnNewSessionsOnly(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, "auto", `name: auto
steps:
  - incoming: {as: chat1, channel: chat}
  - wait: 1h
`)
	_, hs := newTestServer(t, func(c *Config) { c.AutoPlay = sc })
	p := dial(t, hs, "", 0, true)
	list := p.waitFor(func(f map[string]any) bool { return f["t"] == "sl" })["s"].([]any)
	if first := list[0].(map[string]any); first["file"] != "auto.yaml" {
		t.Errorf("the page lists %v first, want the scenario played on arrival, though it is not of the library", first)
	}
	p.waitFor(func(f map[string]any) bool { return f["t"] == "s" && f["line"] == float64(4) })
	p.ws.CloseNow()

	q := dial(t, hs, p.session, p.seq, false) // the page comes back
	f := q.waitFor(func(f map[string]any) bool { return f["t"] == "s" })
	if f["line"] != float64(4) || f["state"] != "playing" {
		t.Errorf("after a reconnect the scenario shows %v, want it still in its wait", f)
	}
	v := q.view(func(state.View) bool { return true })
	if len(v.Interactions) != 1 {
		t.Errorf("%d interactions: the scenario played again", len(v.Interactions))
	}
}

func TestPlayInNextSession(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "call", callScenario)
		srv, pp := newPipeServer(t)
		done := make(chan error, 1)
		var steps []string
		srv.PlayInNextSession(sc, 1, Watch{
			Progress: func(p scenario.Progress) {
				if p.Status != "running" {
					steps = append(steps, fmt.Sprintf("%d %s", p.Step.Line, p.Status))
				}
			},
			Done: func(err error) { done <- err },
		})
		p := pp.dial(t, "", 0, true)
		go p.extensionInits()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the run failed: %v", err)
			}
		case <-beforeDeadline(t).Done():
			t.Fatal("the scenario did not end")
		}
		if len(steps) != 7 || steps[2] != "5 ok" {
			t.Errorf("progress = %v", steps)
		}
	})
}

// TestRestartedSessionNumbersOn: a scenario restarts the session, and no
// new instance takes the id of one the page was just told to exit.
func TestRestartedSessionNumbersOn(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, "call", callScenario)
	_, hs := newTestServer(t, func(c *Config) { c.Scenarios = []*scenario.Scenario{sc} })
	p := dial(t, hs, "", 0, true)
	before := p.view(func(v state.View) bool { return len(v.Instances) == 1 }).Instances[0].ID
	p.event(map[string]any{"type": "scenario_play", "name": "call"})
	p.view(func(v state.View) bool {
		for _, in := range v.Instances {
			if in.Key == "bg" && in.ID == before {
				return false // the old one, still shown
			}
		}
		for _, in := range v.Instances {
			if in.Key == "bg" {
				return true // a new one, with a new id
			}
		}
		return false
	})
}

// TestASettledRunWaitsForThePage: with Watch.Settle (cpsim test), a run
// that ends is done only once the page has posted every delivery of its
// last steps, so that what the extensions do with them is heard as part of
// the run; a page that never acknowledges holds it SettleLimit at most.
// Reproduces cpsim test passing an extension that threw on the answer to
// its request when the machine was slow to post that answer.
func TestASettledRunWaitsForThePage(t *testing.T) {
	t.Parallel()
	for _, acks := range []bool{true, false} {
		t.Run(fmt.Sprintf("page acknowledges: %v", acks), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sc := parseScenario(t, "held", `name: held
steps:
  - incoming: {as: call1, channel: phone}
  - accept: call1
  - expect: {type: init, within: 1h}
  - hold: call1
`)
				srv, pp := newPipeServer(t)
				done := make(chan error, 1)
				srv.PlayInNextSession(sc, 1, Watch{Settle: true, Done: func(err error) { done <- err }})
				start := time.Now()
				p := pp.dial(t, "", 0, true)
				inst := p.instanceOf(p.waitFor(func(f map[string]any) bool {
					return f["t"] == "v" && len(f["v"].(map[string]any)["interactions"].([]any)) > 0
				})["v"].(map[string]any)["interactions"].([]any)[0].(map[string]any)["id"].(string))
				p.ext(inst, `{"id":"i","type":"init","payload":true}`)
				p.waitFor(func(f map[string]any) bool {
					return f["t"] == "d" && f["m"].(map[string]any)["type"] == "state" && strings.Contains(fmt.Sprint(f["m"]), "hold")
				})
				synctest.Wait()
				select {
				case err := <-done:
					t.Fatalf("the run was done (%v) before the page posted its last deliveries", err)
				default:
				}
				if acks {
					p.send(map[string]any{"t": "a", "seq": float64(p.seq)})
				}
				if err := <-done; err != nil {
					t.Fatalf("the run failed: %v", err)
				}
				if took := time.Since(start); acks == (took >= SettleLimit) {
					t.Errorf("the run was done after %s; the page acknowledged: %v", took, acks)
				}
			})
		})
	}
}

// TestFindScenarioByItsNames: a scenario of the library is found by its
// name, its file, or its file without .yaml, as cpsim test names one, so
// that the control API's plays take what cpsim test takes.
func TestFindScenarioByItsNames(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{Name: "Inbound call", File: "inbound-call.yaml"}
	srv := &Server{scenarios: []*scenario.Scenario{sc}}
	for _, name := range []string{"Inbound call", "inbound-call.yaml", "inbound-call"} {
		if got, err := srv.findScenario(name); err != nil || got != sc {
			t.Errorf("findScenario(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := srv.findScenario("inbound"); err == nil {
		t.Error("findScenario found a scenario by part of its name")
	}
}
