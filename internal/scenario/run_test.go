package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
	"github.com/cpsim/cpsim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// engine is a scenario's target in tests: a bare engine, with an extension
// that does what every extension must, send init with payload true when it
// starts, and tells the run so. It records every delivery.
type engine struct {
	s    *state.Session
	run  *Run
	log  []string
	mu   sync.Mutex
	sent int // init ids
}

func newEngine(t testing.TB, d *state.Data) *engine {
	t.Helper()
	if len(d.Extensions) == 0 {
		d.Extensions = withExtensions(t).Extensions
	}
	s, err := state.New(state.Options{Data: d, Validator: statetest.Validator(t), IDs: state.SeededIDs(1),
		Clock: state.SteppingClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), time.Second), CheckOutbound: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{s: s}
	for _, in := range s.Instances() {
		e.start(in)
	}
	return e
}

func (e *engine) record(o state.Output) {
	for _, d := range o.Deliveries {
		e.log = append(e.log, fmt.Sprintf("  -> %s %s", d.To, d.Data))
	}
	for _, d := range o.Diagnostics {
		if d.Direction == "out" && d.Severity == state.SeverityError {
			e.log = append(e.log, "  !! cpsim produced an invalid message: "+d.String())
		}
	}
}

// start plays the extension of a new instance: init, payload true.
func (e *engine) start(in state.InstanceView) {
	e.sent++
	msg := fmt.Sprintf(`{"id":"init-%d","type":"init","payload":true}`, e.sent)
	e.record(e.s.Receive(in.ID, []byte(msg)))
	if e.run != nil {
		var v any
		_ = json.Unmarshal([]byte(msg), &v)
		e.run.Observe(Message{Instance: in.ID, Key: in.Key, Interaction: in.Interaction, Value: v})
	}
}

func (e *engine) Apply(ev state.Event) (state.Output, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, err := e.s.Apply(ev)
	e.record(o)
	for _, c := range o.Changes {
		if c.Kind == state.Started {
			e.start(c.Instance)
		}
	}
	return o, err
}

func (e *engine) View() state.View {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.s.View()
}

// instant is a timer that fires at once, recording what was asked.
type instant struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (i *instant) After(d time.Duration) <-chan time.Time {
	i.mu.Lock()
	i.waits = append(i.waits, d)
	i.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func mustParse(t testing.TB, src string) *Scenario {
	t.Helper()
	sc, err := Parse("s.yaml", []byte(src), withExtensions(t))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// withExtensions is the built-in data with the extensions the engine of
// the tests loads, so that expectations may name them.
func withExtensions(t testing.TB) *state.Data {
	t.Helper()
	d := base(t)
	d.Extensions = []state.ExtensionData{
		{Key: "crm", URL: "https://ext.example.com/crm.html"},
		{Key: "bg", URL: "https://ext.example.com/bg.html", Mode: "global"},
	}
	return d
}

// TestGolden plays every scenario of the library against the engine, with
// a fixed seed and clock, and compares the messages each step produced with
// testdata/golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	names, err := fs.Glob(scenarios.Files(), "*.yaml")
	if err != nil || len(names) < 11 {
		t.Fatalf("the library has %d scenarios (%v)", len(names), err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, _ := fs.ReadFile(scenarios.Files(), name)
			sc, err := Parse(name, src, base(t))
			if err != nil {
				t.Fatal(err)
			}
			e := newEngine(t, sc.Data)
			var out []string
			r := New(sc, e, Options{After: (&instant{}).After, SkipExpect: true, Progress: func(p Progress) {
				if p.Status == "running" {
					out = append(out, e.log...)
					e.log = nil
					out = append(out, fmt.Sprintf("%d: %s", p.Step.Line, p.Step.Text))
				}
			}})
			e.run = r
			if err := r.Play(context.Background()); err != nil {
				t.Fatal(err)
			}
			out = append(out, e.log...)
			got := strings.Join(out, "\n") + "\n"
			if strings.Contains(got, "!!") {
				t.Errorf("the run produced invalid messages:\n%s", got)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".yaml")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("the message sequence changed (-want +got; go test -update accepts it):\n%s", diff)
			}
		})
	}
}

func TestRefusalFailsTheRun(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: twice
steps:
  - incoming: {as: call1, channel: phone}
  - accept: call1
  - accept: call1
`)
	err := New(sc, newEngine(t, sc.Data), Options{After: (&instant{}).After}).Play(context.Background())
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want a *Failure", err)
	}
	if f.Line != 5 || f.Step != "accept: call1" || !strings.Contains(f.Reason, "the panel refused it") || !strings.Contains(f.Reason, "is already accepted") {
		t.Errorf("failure = %+v", f)
	}
	if !strings.HasPrefix(err.Error(), "s.yaml:5: accept: call1: the panel refused it") {
		t.Errorf("message = %q", err)
	}
}

// TestDraftStepsPlay: send and discard act on the drafts an extension's
// outbound without direct opened: the oldest when the step does not name
// one; send: {as: ...} names the draft it sends for the steps after it.
func TestDraftStepsPlay(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: drafts
steps:
  - send: {as: sms1, content: Edited}
  - discard
  - say: {in: sms1, from: customer, text: Thanks}
  - handle: sms1
  - send
`)
	e := newEngine(t, sc.Data)
	g := e.s.Instances()[0].ID
	for _, v := range []string{`{"channel":"sms","to":"+358409999999"}`, `{"channel":"email","to":"a@example.com"}`} {
		e.record(e.s.Receive(g, []byte(`{"id":"o","type":"action","payload":{"command":"outbound","value":`+v+`}}`)))
	}
	err := New(sc, e, Options{After: (&instant{}).After}).Play(context.Background())
	var f *Failure
	if !errors.As(err, &f) || f.Line != 7 || !strings.Contains(f.Reason, "no draft is open") {
		t.Fatalf("err = %v, want the last send refused: both drafts are gone", err)
	}
	if n := len(e.View().Interactions); n != 0 {
		t.Errorf("%d interactions left", n)
	}
	log := strings.Join(e.log, "\n")
	for _, want := range []string{`"attribute":"message","value":{"id":`, `"message":"Edited"`, `"value":"outbound_rejected"`} {
		if !strings.Contains(log, want) {
			t.Errorf("no %s among the deliveries:\n%s", want, log)
		}
	}
}

func TestExpectations(t *testing.T) {
	t.Parallel()
	detail := func(id, value string) Message {
		return Message{Instance: "crm-2", Key: "crm", Value: map[string]any{"id": id, "type": "action",
			"payload": map[string]any{"command": "detail", "value": value}}}
	}
	tests := []struct {
		name    string
		steps   string
		before  []Message // sent before the run starts
		wantErr string    // "" for a pass
	}{
		{"a message sent before the step counts",
			`- expect: {type: action, payload: {command: detail, value: user}}`,
			[]Message{detail("a", "user")}, ""},
		{"each expect takes its own message",
			"- expect: {type: action, payload: {command: detail}}\n  - expect: {type: action, payload: {command: detail}}",
			[]Message{detail("a", "user")}, `s.yaml:4: expect: {type: action, payload: {command: detail}}: expected the extension to send {"payload":{"command":"detail"},"type":"action"} within 5s, but it did not (it sent nothing since the last expectation)`},
		{"a miss names the closest messages",
			`- expect: {type: action, payload: {command: detail, value: queues}, within: 2s}`,
			[]Message{detail("a", "user"), {Instance: "crm-2", Key: "crm", Value: map[string]any{"id": "b", "type": "exit"}}},
			`detail","value":"user"},"type":"action"} from crm-2`},
		{"from picks the extension",
			`- expect: {type: action, from: bg}`,
			[]Message{detail("a", "user")}, "but it did not"},
		{"in picks the interaction's extensions",
			"- incoming: {as: c, channel: phone}\n  - accept: c\n  - expect: {type: action, in: c, within: 1s}",
			[]Message{detail("a", "user")}, `expected the extension to send {"type":"action"} within 1s, but it did not`},
		{"in takes the messages of that interaction's extension",
			"- incoming: {as: c, channel: phone}\n  - accept: c\n  - expect: {type: init, in: c, within: 1s}",
			nil, ""},
		{"expect_none passes when nothing comes",
			`- expect_none: {type: action, payload: {command: interaction}, within: 1s}`,
			nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := mustParse(t, "name: x\nsteps:\n  "+tt.steps+"\n")
			eng := newEngine(t, sc.Data)
			r := New(sc, eng, Options{After: (&instant{}).After})
			eng.run = r
			for _, m := range tt.before {
				r.Observe(m)
			}
			err := r.Play(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error:\n%v\nwant it to contain\n%s", err, tt.wantErr)
			}
		})
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestExpectInTheWrongOrder: an expect whose message came, but before the
// message the previous expect took, says so and when each came, so that
// the user sees the two expect steps are in the wrong order.
func TestExpectInTheWrongOrder(t *testing.T) {
	t.Parallel()
	detail := func(value string) Message {
		return Message{Instance: "crm-2", Key: "crm", Value: map[string]any{"type": "action", "payload": map[string]any{"command": "detail", "value": value}}}
	}
	tests := []struct {
		name  string
		steps string
		want  string
	}{
		{"two expects in the wrong order",
			"  - expect: {type: action, payload: {command: detail, value: user}}\n  - expect: {type: action, payload: {command: detail, value: queues}, within: 2s}\n",
			`s.yaml:4: expect: {type: action, payload: {command: detail, value: queues}, within: 2s}: expected the extension to send {"payload":{"command":"detail","value":"queues"},"type":"action"} within 2s, but it did not (it sent a matching message at +1.23s, but before the message that met the previous expectation, of line 3, at +2.00s: are the two in the wrong order?)`},
		{"a message an expect took is not too early for the next",
			"  - expect: {type: action, payload: {command: detail, value: queues}}\n  - expect: {type: action, payload: {command: detail, value: user}}\n  - expect: {type: action, payload: {command: detail}, within: 1s}\n",
			`s.yaml:5: expect: {type: action, payload: {command: detail}, within: 1s}: expected the extension to send {"payload":{"command":"detail"},"type":"action"} within 1s, but it did not (it sent nothing since the last expectation)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := mustParse(t, "name: x\nsteps:\n"+tt.steps)
			clock := &fakeClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
			r := New(sc, newEngine(t, sc.Data), Options{After: (&instant{}).After, Now: clock.Now})
			clock.Add(1230 * time.Millisecond)
			r.Observe(detail("queues"))
			clock.Add(770 * time.Millisecond)
			r.Observe(detail("user"))
			err := r.Play(context.Background())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestObserveKeepsAGivenTime: a message's time, when the caller gives it,
// is kept.
func TestObserveKeepsAGivenTime(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, "name: x\nsteps:\n  - expect: {type: init}\n  - expect: {type: exit, within: 1s}\n")
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	r := New(sc, newEngine(t, sc.Data), Options{After: (&instant{}).After, Now: func() time.Time { return t0 }})
	r.Observe(Message{Key: "crm", Value: map[string]any{"type": "exit"}, Time: t0.Add(-500 * time.Millisecond)})
	r.Observe(Message{Key: "crm", Value: map[string]any{"type": "init"}, Time: t0.Add(3 * time.Second)})
	err := r.Play(context.Background())
	if err == nil || !strings.Contains(err.Error(), "(it sent a matching message at -0.50s, but before the message that met the previous expectation, of line 3, at +3.00s") {
		t.Errorf("err = %v", err)
	}
}

func TestExpectNoneCatchesAMessage(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, "name: x\nsteps:\n  - expect_none: {type: action, payload: {command: interaction}, within: 10s}\n")
	var r *Run
	// The message comes once the step is under way: when it starts its
	// timer, which never fires.
	after := func(time.Duration) <-chan time.Time {
		r.Observe(Message{Instance: "crm-2", Key: "crm", Value: map[string]any{"type": "action", "payload": map[string]any{"command": "interaction", "value": "hangup"}}})
		return nil
	}
	r = New(sc, newEngine(t, sc.Data), Options{After: after})
	err := r.Play(context.Background())
	if err == nil || !strings.Contains(err.Error(), `but the extension sent {"payload":{"command":"interaction","value":"hangup"},"type":"action"}`) {
		t.Errorf("err = %v", err)
	}
}

func TestSpeedDividesWaits(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, "name: x\nsteps:\n  - wait: 2s\n  - expect_none: {type: exit, within: 3s}\n")
	clock := &instant{}
	if err := New(sc, newEngine(t, sc.Data), Options{After: clock.After, Speed: 4}).Play(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{500 * time.Millisecond, 3 * time.Second}, clock.waits); diff != "" {
		t.Errorf("timers (-want +got): waits are divided by the speed, expectations are not:\n%s", diff)
	}
}

func TestPatienceLengthensExpects(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, "name: x\nsteps:\n  - wait: 2s\n  - expect_none: {type: exit, within: 3s}\n  - expect: {type: init, within: 2s}\n")
	clock := &instant{}
	err := New(sc, newEngine(t, sc.Data), Options{After: clock.After, Speed: 4, Patience: 3}).Play(context.Background())
	if diff := cmp.Diff([]time.Duration{500 * time.Millisecond, 3 * time.Second, 6 * time.Second}, clock.waits); diff != "" {
		t.Errorf("timers (-want +got): patience multiplies what an expect allows, and nothing else:\n%s", diff)
	}
	if want := `expected the extension to send {"type":"init"} within 2s (6s with -patience 3), but it did not`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}

func TestPauseStepResume(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: x
steps:
  - incoming: {as: c, channel: phone}
  - wait: 1h
  - accept: c
  - hold: c
`)
	steps := make(chan Progress, 16)
	r := New(sc, newEngine(t, sc.Data), Options{Progress: func(p Progress) { steps <- p }})
	r.Pause()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Play(ctx) }()

	next := func() Progress {
		select {
		case p := <-steps:
			return p
		case <-time.After(5 * time.Second):
			t.Fatal("no progress")
			return Progress{}
		}
	}
	select {
	case p := <-steps:
		t.Fatalf("a paused run ran %v", p)
	case <-time.After(50 * time.Millisecond):
	}
	r.Step()
	if p := next(); p.Index != 0 || p.Status != "running" {
		t.Fatalf("after Step: %+v", p)
	}
	if p := next(); p.Status != "ok" {
		t.Fatalf("%+v", p)
	}
	r.Step() // the wait of an hour, skipped while stepping
	next()
	if p := next(); p.Index != 1 || p.Status != "ok" {
		t.Fatalf("the wait: %+v", p)
	}
	r.Resume()
	for i := 0; i < 4; i++ {
		next()
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// TestStepAsAStepStarts: a Step that comes as a step starts (the page saw
// it running, paused, and stepped) ends that step, and only that one.
func TestStepAsAStepStarts(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: x
steps:
  - incoming: {as: c, channel: phone}
  - wait: 1h
  - accept: c
`)
	var r *Run
	steps := make(chan Progress, 16)
	r = New(sc, newEngine(t, sc.Data), Options{Progress: func(p Progress) {
		if p.Index == 1 && p.Status == "running" {
			r.Pause()
			r.Step()
		}
		steps <- p
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = r.Play(ctx) }()
	var got []string
	timeout := time.After(5 * time.Second)
	for len(got) < 4 {
		select {
		case p := <-steps:
			got = append(got, fmt.Sprintf("%d %s", p.Index, p.Status))
		case <-timeout:
			t.Fatalf("steps %v: the wait did not end", got)
		}
	}
	select {
	case p := <-steps:
		t.Errorf("steps %v, then %d %s: the accept ran though the run was paused", got, p.Index, p.Status)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, "name: x\nsteps:\n  - wait: 1h\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(sc, newEngine(t, sc.Data), Options{}).Play(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// FuzzParse: any bytes, an error with a position or a scenario; never a
// panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(every))
	names, _ := fs.Glob(scenarios.Files(), "*.yaml")
	for _, n := range names {
		src, _ := fs.ReadFile(scenarios.Files(), n)
		f.Add(src)
	}
	f.Add([]byte("name: x\nsteps: [{incoming: {channel: phone, cad: {a: [1, {b: null}]}}}, accept, {expect: {type: init}}]\n"))
	// Refusals: patterns the API does not have, every mistake of a file,
	// steps that run on, syntax errors placed anew.
	for _, src := range []string{
		"name: x\nsteps:\n  - expect_none: {type: action, payload: {comand: detail}}\n",
		"name: x\nsteps:\n  - expect: {type: action, payload: {command: outbound, value: {channel: fax, to: [a, 7], direct: yes, cad: []}}}\n",
		"name: x\nsteps:\n  - expect: {payload: {value: usr, interactionId: 5}, id: [1]}\n  - expect: {type: exit, payload: {}}\n  - expect: {type: init, payload: x}\n",
		"name: x\nsteps:\n  - expect: {type: action, from: crm}\n",
		"name: x\ndescripton: y\nsteps:\n  - incoming: {as: c, channel: phone, queue: Saels}\n  - accept: c\n  - outbound: {channel: fax}\n  - hangup: out1\n  - wait: 2\n",
		"name: x\nqueues: [{name: A, channel: fax}]\nsteps:\n  - incoming: {channel: phone, queue: B}\n",
		"name: x\nstep:\n  - acept\n",
		"name: x\nsteps:\n  - login\n   - logout\n",
		"name: x\nsteps:\n  - login\n - logout\n",
		"name: x\nsteps:\n  - incoming:\n      as: c\n\tchannel: phone\n",
		// Alias bombs, refused before anything expands them.
		"name: x\nsteps:\n  - incoming:\n      channel: phone\n      cad:\n" + yamlxtest.Laughs(9, "        "),
		"name: x\nsteps:\n  - incoming: {channel: phone, cad: &c {a: [*c, *c]}}\n",
	} {
		f.Add([]byte(src))
	}
	d := base(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("f.yaml", src, d)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml") {
					t.Fatalf("a mistake without the file name: %q in\n%v", line, err)
				}
			}
			return
		}
		if sc.Name == "" || len(sc.Steps) == 0 {
			t.Fatalf("accepted a scenario without a name or steps")
		}
	})
}
