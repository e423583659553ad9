package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cpsim/cpsim/internal/state"
)

// Target is the panel a scenario plays in: a session of the host, or a
// bare engine in tests.
type Target interface {
	Apply(ev state.Event) (state.Output, error)
	View() state.View
}

// Message is a message an extension sent, as a run observes it.
type Message struct {
	Instance string
	Key      string // the extension's key
	// Interaction is the id of the interaction whose extension sent the
	// message; "" for a global extension.
	Interaction string
	Value       any // the message, decoded
	// Time is when the message came; Observe sets it from Options.Now
	// when it is zero. A failure tells it from the start of the run.
	Time time.Time
}

// Options tune a run.
type Options struct {
	// Speed divides every wait: 10 plays ten times faster. 0 is 1. The
	// time an expect allows is not divided: the extension runs at its own
	// pace.
	Speed float64
	// Patience multiplies the time each expect allows; 0 is 1. An expect
	// passes as soon as its message comes, so patience only delays a
	// failure: a CI machine too busy to meet a within: 5s sets it (cpsim
	// test -patience) rather than loosening every scenario. The window of
	// an expect_none is not multiplied: a longer one would be stricter,
	// not more patient.
	Patience float64
	// After makes timers; nil is time.After. Tests pass a fake.
	After func(time.Duration) <-chan time.Time
	// Now tells the time, for the elapsed time of steps and the times of
	// messages; nil is time.Now.
	Now func() time.Time
	// SkipExpect passes expectations without looking: for running a
	// scenario against a bare engine, with no extension to meet them.
	SkipExpect bool
	// Progress hears of every step as it starts and ends.
	Progress func(Progress)
}

// Progress is a step starting ("running") or ending ("ok", "failed").
type Progress struct {
	Index   int // from 0
	Total   int
	Step    Step
	Status  string
	Err     error
	Elapsed time.Duration
}

// Failure is a step that failed: a refusal of the panel, or an expectation
// not met.
type Failure struct {
	File    string
	Line    int
	Step    string // the step as written
	Reason  string
	Closest []string // for an expectation: the messages that came nearest
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Headline())
	if len(f.Closest) > 0 {
		b.WriteString("\n  the closest messages that came:")
		for _, c := range f.Closest {
			b.WriteString("\n    " + c)
		}
	}
	return b.String()
}

// Headline is the failure without the closest messages: where, which
// step, and why.
func (f *Failure) Headline() string {
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Step, f.Reason)
}

// Run is one playing of a scenario. Play runs it; Observe feeds it what
// the extensions send; Pause, Resume and Step drive it from the page.
type Run struct {
	sc     *Scenario
	target Target
	o      Options

	names map[string]string // interaction names to ids
	cur   int               // the step being run, for failures
	start time.Time         // when the run was made, for the times of messages

	mu       sync.Mutex
	msgs     []Message
	cursor   int           // the first message the next expect may take
	took     map[int]int   // the messages expectations took, by index: the line of the step
	wake     chan struct{} // closed when a message comes
	paused   bool
	stepping bool          // run one step, then pause
	inStep   bool          // a step is under way
	gate     chan struct{} // closed to let a paused run go on
	skip     chan struct{} // closed to cut a wait short
}

// New prepares a run; nothing happens until Play.
func New(sc *Scenario, t Target, o Options) *Run {
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Run{sc: sc, target: t, o: o, names: map[string]string{}, start: o.Now(), took: map[int]int{},
		wake: make(chan struct{}), gate: make(chan struct{}), skip: make(chan struct{})}
}

// Observe gives the run a message an extension sent. It never blocks.
func (r *Run) Observe(m Message) {
	if m.Time.IsZero() {
		m.Time = r.o.Now()
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// Pause stops the run before its next step.
func (r *Run) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = true
}

// Resume lets a paused run go on.
func (r *Run) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused, r.stepping = false, false
	r.open()
}

// Step moves a run on by one step and pauses it. A step under way is that
// step: its wait is cut short (or skipped, if it is about to start), and
// the run pauses after it. Between steps, the next one runs (a wait at
// once). Either way exactly one step ends.
func (r *Run) Step() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = true
	if r.inStep {
		close(r.skip)
		r.skip = make(chan struct{})
		return
	}
	r.stepping = true
	r.open()
}

func (r *Run) open() {
	close(r.gate)
	r.gate = make(chan struct{})
}

// Play runs every step in order. It returns nil when all pass, a *Failure
// for the step that failed, or ctx's error when stopped.
func (r *Run) Play(ctx context.Context) error {
	total := len(r.sc.Steps)
	for i, st := range r.sc.Steps {
		if err := r.hold(ctx); err != nil {
			return err
		}
		r.cur = i
		r.report(Progress{Index: i, Total: total, Step: st, Status: "running"})
		start := r.o.Now()
		err := st.run(&stepRun{Run: r, ctx: ctx})
		r.setInStep(false)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		p := Progress{Index: i, Total: total, Step: st, Status: "ok", Elapsed: r.o.Now().Sub(start)}
		if err != nil {
			var f *Failure
			if !errors.As(err, &f) {
				f = &Failure{Reason: err.Error()}
			}
			f.File, f.Line, f.Step = r.sc.File, st.Line, st.Text
			p.Status, p.Err = "failed", f
			r.report(p)
			return f
		}
		r.report(p)
	}
	return nil
}

// hold waits before a step while the run is paused; a Step lets one go.
// The step is under way from the moment hold lets it go: a Step that comes
// now ends it rather than letting another go too.
func (r *Run) hold(ctx context.Context) error {
	for {
		r.mu.Lock()
		if !r.paused || r.stepping {
			// When stepping, let this one step go; pause again after it.
			r.stepping, r.inStep = false, true
			r.mu.Unlock()
			return nil
		}
		gate := r.gate
		r.mu.Unlock()
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Run) setInStep(v bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inStep = v
}

func (r *Run) report(p Progress) {
	if r.o.Progress != nil {
		r.o.Progress(p)
	}
}

// stepRun is a run as one step sees it: with the context to stop on.
type stepRun struct {
	*Run
	ctx context.Context
}

// The helpers the steps use.

func (r *stepRun) apply(ev state.Event) (state.Output, error) {
	o, err := r.target.Apply(ev)
	if err != nil {
		return o, &Failure{Reason: "the panel refused it: " + err.Error()}
	}
	return o, nil
}

func (r *stepRun) id(name string) string { return r.names[name] }

func (r *stepRun) bind(name, id string) { r.names[name] = id }

// name binds the newest interaction in the panel that matches.
func (r *stepRun) name(as, channel, status string) error {
	v := r.target.View()
	for i := len(v.Interactions) - 1; i >= 0; i-- {
		it := v.Interactions[i]
		if (channel == "" || it.Channel == channel) && (status == "" || it.Status == status) {
			r.names[as] = it.ID
			return nil
		}
	}
	return &Failure{Reason: fmt.Sprintf("no interaction in the panel matches (channel %q, status %q)", channel, status)}
}

// send posts a raw message to every extension loaded.
func (r *stepRun) send(raw any) error {
	data, err := json.Marshal(raw)
	if err != nil {
		return &Failure{Reason: "the message is not JSON: " + err.Error()}
	}
	for _, in := range r.target.View().Instances {
		if _, err := r.apply(state.Send{Instance: in.ID, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// wait waits d, divided by the speed, unless the run is being stepped.
func (r *stepRun) wait(d time.Duration) error {
	r.mu.Lock()
	skip, paused := r.skip, r.paused
	r.mu.Unlock()
	if paused { // stepping: waits are skipped
		return nil
	}
	select {
	case <-r.o.After(time.Duration(float64(d) / r.o.Speed)):
	case <-skip:
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	return nil
}

func (r *stepRun) matches(m Message, e expectation) bool {
	return r.among(m, e) && contains(m.Value, e.want)
}

// among reports whether m comes from an extension e listens to.
func (r *stepRun) among(m Message, e expectation) bool {
	return (e.from == "" || m.Key == e.from) && (e.in == "" || m.Interaction == r.id(e.in))
}

// expect waits for the first message after the previous expect's that
// contains what e wants.
func (r *stepRun) expect(e expectation) error {
	if r.o.SkipExpect {
		return nil
	}
	deadline := r.o.After(r.allowed(e))
	for {
		r.mu.Lock()
		for i := r.cursor; i < len(r.msgs); i++ {
			if r.matches(r.msgs[i], e) {
				r.cursor = i + 1
				r.took[i] = r.sc.Steps[r.cur].Line
				r.mu.Unlock()
				return nil
			}
		}
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			r.mu.Lock()
			var recent []Message
			for _, m := range r.msgs[r.cursor:] {
				if r.among(m, e) {
					recent = append(recent, m)
				}
			}
			early := r.tooEarly(e)
			r.mu.Unlock()
			sender := "the extension"
			if e.from == state.HostInstance {
				sender = "the CRM (host)"
			}
			f := &Failure{Reason: fmt.Sprintf("expected %s to send %s within %s, but it did not", sender, e.text, r.withinText(e))}
			switch {
			case early != "":
				f.Reason += " (" + early + ")"
			case len(recent) == 0:
				f.Reason += " (it sent nothing since the last expectation)"
			}
			f.Closest = closest(recent, e, 3)
			return f
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
	}
}

// allowed is how long an expect waits: its within, times the patience.
func (r *stepRun) allowed(e expectation) time.Duration {
	if r.o.Patience <= 1 {
		return e.within
	}
	return time.Duration(float64(e.within) * r.o.Patience)
}

// withinText says how long an expect waited, in the file's words and,
// with patience, in fact: "5s (10s with -patience 2)".
func (r *stepRun) withinText(e expectation) string {
	if r.o.Patience <= 1 {
		return e.within.String()
	}
	return fmt.Sprintf("%s (%s with -patience %g)", e.within, r.allowed(e), r.o.Patience)
}

// tooEarly explains a message that e wants but that came too early to be
// taken: before the message the previous expectation took, as when two
// expect steps are in the wrong order. It is "" when none did. r.mu is
// held.
func (r *stepRun) tooEarly(e expectation) string {
	for i := r.cursor - 1; i >= 0; i-- {
		if _, taken := r.took[i]; taken || !r.matches(r.msgs[i], e) {
			continue
		}
		prev := r.cursor - 1
		return fmt.Sprintf("it sent a matching message at %s, but before the message that met the previous expectation, of line %d, at %s: are the two in the wrong order?",
			r.since(r.msgs[i].Time), r.took[prev], r.since(r.msgs[prev].Time))
	}
	return ""
}

// since tells a time from the start of the run, as +1.23s.
func (r *Run) since(t time.Time) string {
	d := t.Sub(r.start)
	if d < 0 {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("+%.2fs", d.Seconds())
}

// expectNone fails if a message that contains what e describes comes
// within its time.
func (r *stepRun) expectNone(e expectation) error {
	if r.o.SkipExpect {
		return nil
	}
	r.mu.Lock()
	from := len(r.msgs)
	r.mu.Unlock()
	deadline := r.o.After(e.within)
	for {
		r.mu.Lock()
		for i := from; i < len(r.msgs); i++ {
			if r.matches(r.msgs[i], e) {
				b, _ := json.Marshal(r.msgs[i].Value)
				r.mu.Unlock()
				return &Failure{Reason: fmt.Sprintf("expected no message like %s within %s, but the extension sent %s", e.text, e.within, b)}
			}
		}
		from = len(r.msgs)
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			return nil
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
	}
}
