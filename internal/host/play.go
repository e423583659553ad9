package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// Playing scenarios in a page's session (docs/scenarios.md). A scenario
// starts the session afresh, with its data: the extensions loaded get the
// panel's exit, and the scenario's load instead, as if the panel had
// restarted. Its steps run in a goroutine of their own, taking the
// session's lock for each; what the extensions send is fed to it as it
// comes.

// Watch follows a run: cpsim test prints from it.
type Watch struct {
	Progress func(scenario.Progress)
	// Message hears of every diagnosed message from the extensions while
	// the run plays, as it happens: protocol problems (those whose
	// Diagnostic.IsProblem) and notes, dropped messages among them.
	Message func(MessageReport)
	// Started hears that the run began in a session: for a run queued
	// with PlayInNextSession, that a page connected and started one.
	// Called with the session's lock held: it must not block.
	Started func()
	Done    func(error) // nil when every step passed
	// Settle makes a run that ends (passed or failed, not stopped) wait,
	// before Done, until the page has posted to the extensions every
	// delivery the scenario caused (the page acknowledges them), at most
	// SettleLimit: what the extensions answer to the last steps (their
	// requests, their exceptions) is then heard as part of the run, on a
	// busy machine as on an idle one. Messages the extensions send while
	// the run settles are not reported: the steps' result is what they
	// caused while the steps played. cpsim test sets it.
	Settle bool
	// Patience multiplies the time each expect step allows
	// (scenario.Options.Patience; 0 is 1): cpsim test -patience.
	Patience float64
}

// SettleLimit bounds Watch.Settle: a page that does not acknowledge its
// deliveries (gone, or an extension frame that never loads, whose
// deliveries the page keeps until it gives up on the frame) does not hold
// the result longer.
const SettleLimit = 5 * time.Second

// MessageReport is a diagnostic about a message an extension sent (or
// tried to send: one the page dropped or could not relay), with what the
// message was.
type MessageReport struct {
	At       time.Time
	Instance string // the extension instance, such as crm-3
	Key      string // its extension's key
	// Message is the message as JSON, clipped to about 300 bytes; "" when
	// there was none the page could read.
	Message    string
	Diagnostic state.Diagnostic
}

// String is the report on one line, as cpsim test prints it:
// "crm-3: refused: unknown command \"callstate\" ...: {\"id\":...}".
func (r MessageReport) String() string {
	d := r.Diagnostic
	kind := d.Kind
	if d.Path != "" {
		kind += " " + d.Path
	}
	s := fmt.Sprintf("%s: %s %s: %s", r.Instance, d.Severity, kind, d.Text)
	if r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

// play is a scenario running in a session.
type play struct {
	sc     *scenario.Scenario
	run    *scenario.Run
	cancel context.CancelFunc
	watch  Watch
	last   scenarioFrame
	// settling is set once the steps are done and the run waits for the
	// page (Watch.Settle): the result counts the messages of the steps
	// only, so that whatever a page does while it catches up (a 9 MiB
	// message being relayed, a frame that loads again) cannot change it.
	settling bool
	// reports wait here for the watch, told outside the session's lock
	// (flushReports), in order, and all before Done.
	reports struct {
		mu      sync.Mutex // guards q; taken under the session's lock
		telling sync.Mutex // one goroutine tells at a time
		q       []MessageReport
	}
}

// flushReports tells the watch the reports waiting, in order. It is called
// once the session's lock is let go, and by the run before Done, so that
// none comes after the result.
func (p *play) flushReports() {
	p.reports.telling.Lock()
	defer p.reports.telling.Unlock()
	for {
		p.reports.mu.Lock()
		q := p.reports.q
		p.reports.q = nil
		p.reports.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, r := range q {
			p.watch.Message(r)
		}
	}
}

// scenarioFrame tells the page how a scenario is going.
type scenarioFrame struct {
	T string `json:"t"` // "s"
	scenarioState
}

// scenarioState is how a scenario plays, or played, in a session: the
// page's s frame and the control API's session.scenario.
type scenarioState struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	State   string   `json:"state"` // playing, paused, passed, failed, stopped
	Index   int      `json:"index"` // the current step, from 0
	Total   int      `json:"total"`
	Line    int      `json:"line"`
	Text    string   `json:"text"`
	Error   string   `json:"error,omitempty"`
	Closest []string `json:"closest,omitempty"`
	// Problems counts the extensions' messages with protocol problems
	// while it played (state.Diagnostic.IsProblem), as the inspector counts
	// them; cpsim test fails on them unless told to report only.
	Problems int `json:"problems"`
}

// scenarioListFrame lists the scenarios the page can play, and the
// built-in ones the configuration leaves out.
type scenarioListFrame struct {
	T       string         `json:"t"` // "sl"
	S       []scenarioInfo `json:"s"`
	Skipped []skippedInfo  `json:"skipped,omitempty"`
}

type skippedInfo struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
	Error  string `json:"error"` // every mistake, one per line
}

type scenarioInfo struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	File        string     `json:"file"`
	Steps       []stepInfo `json:"steps"`
}

type stepInfo struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

func (s *Server) scenarioList() scenarioListFrame {
	f := scenarioListFrame{T: "sl", S: []scenarioInfo{}}
	for _, sc := range s.scenarios {
		info := scenarioInfo{Name: sc.Name, Description: sc.Description, File: sc.File}
		for _, st := range sc.Steps {
			info.Steps = append(info.Steps, stepInfo{Line: st.Line, Text: st.Text})
		}
		f.S = append(f.S, info)
	}
	for _, sk := range s.skipped {
		f.Skipped = append(f.Skipped, skippedInfo{File: sk.File, Reason: sk.Reason, Error: sk.Err.Error()})
	}
	return f
}

// findScenario finds a scenario of the library by name or file name,
// with or without .yaml, as cpsim test names one.
func (s *Server) findScenario(name string) (*scenario.Scenario, error) {
	for _, sc := range s.scenarios {
		if sc.Name == name || sc.File == name || sc.File == name+".yaml" {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("no scenario is called %q", name)
}

// target is a session as a scenario's Target.
type target struct {
	srv *Server
	ss  *session
	ctx context.Context // the run's
}

var errClosed = errors.New("the session is closed")

// Apply performs a step's event once the page has caught up (pace).
func (t target) Apply(ev state.Event) (state.Output, error) {
	t.srv.pace(t.ctx, t.ss)
	var o state.Output
	err := errClosed
	t.srv.locked(t.ss, func(b *batch) { o, err = t.ss.apply(b, ev) })
	return o, err
}

func (t target) View() state.View {
	t.ss.mu.Lock()
	defer t.ss.mu.Unlock()
	return t.ss.eng.View()
}

// startPlay plays a scenario in the session from the start: the session
// restarts with the scenario's data. The caller holds ss.mu.
func (s *Server) startPlay(ss *session, b *batch, sc *scenario.Scenario, speed float64, w Watch) error {
	opts := s.engineOptions(sc.Data)
	opts.FirstInstance = len(ss.insts) // every instance the session has had
	eng, err := state.New(opts)
	if err != nil {
		return fmt.Errorf("start the scenario's session: %w", err)
	}
	ctx, cancel := context.WithCancel(s.ctx) // Shutdown stops it, wherever its session is
	p := &play{sc: sc, cancel: cancel, watch: w}
	p.last = scenarioFrame{T: "s", scenarioState: scenarioState{Name: sc.Name, File: sc.File, State: "playing", Total: len(sc.Steps)}}
	p.run = scenario.New(sc, target{s, ss, ctx}, scenario.Options{Speed: speed, Patience: w.Patience, Progress: func(pr scenario.Progress) {
		s.locked(ss, func(b *batch) {
			if ss.play != p {
				return
			}
			// The current step is the one under way; once it is done, the
			// one that comes next, which a paused run waits before.
			i := pr.Index
			if pr.Status == "ok" && i+1 < len(sc.Steps) {
				i++
			}
			p.last.Index, p.last.Line, p.last.Text = i, sc.Steps[i].Line, sc.Steps[i].Text
			b.frame(p.last)
		})
		if w.Progress != nil {
			w.Progress(pr)
		}
	}})
	// The run starts before the session changes, so that a server shutting
	// down, which starts none, leaves the session as it was. It touches the
	// session only under its lock, which the caller holds until the session
	// is the scenario's.
	started := s.goroutines.Go(func() {
		err := p.run.Play(ctx)
		var failed *scenario.Failure
		if w.Settle && (err == nil || errors.As(err, &failed)) {
			s.settle(ctx, ss, p)
		}
		s.locked(ss, func(b *batch) {
			if ss.play != p {
				return
			}
			p.last.State = "passed"
			var f *scenario.Failure
			switch {
			case errors.As(err, &f):
				p.last.State, p.last.Error, p.last.Closest = "failed", f.Headline(), f.Closest
			case err != nil:
				p.last.State = "stopped"
			}
			ss.ended(b)
		})
		s.log.Info("scenario ended", "session", ss.id, "scenario", sc.Name, "err", err)
		if w.Message != nil {
			p.flushReports() // what came before the end, before the result
		}
		if w.Done != nil {
			w.Done(err)
		}
	})
	if !started {
		cancel()
		return errShuttingDown
	}

	ss.stopPlay(b, "stopped")
	// The CRM's host is carried before the old engine's shutdown closes
	// it: carried after, it would have to init again, which CPC.js never
	// does (once per load of the panel's iframe).
	carried := eng.CarryHost(ss.eng)
	if ss.shown {
		ss.absorb(b, state.WithoutHostExit(ss.eng.Shutdown())) // an embedded panel keeps its CRM
	}
	ss.absorb(b, carried)
	// else no page has seen the session's instances: nothing loaded them,
	// and nothing is told they go.
	ss.eng = eng
	clear(ss.asked)
	for _, in := range eng.Instances() {
		ss.insts[in.ID] = refOf(in)
	}
	ss.play = p
	b.frame(p.last)
	s.log.Info("scenario started", "session", ss.id, "scenario", sc.Name)
	if w.Started != nil {
		w.Started()
	}
	return nil
}

// pace holds a scenario's next event while its page is behind: while
// more than an eighth of the session's memory budget (a quarter of what
// it may leave unacknowledged, memory.go) waits for a page
// that is connected, until it is down to a sixteenth, the page leaves,
// ctx ends or SettleLimit passes. A chat scripted with no waits then runs
// as fast as the page takes it, instead of piling up what the page has
// not taken until the budget drops it; the engine never waits, and the
// page's own clicks and extensions' messages are never held.
func (s *Server) pace(ctx context.Context, ss *session) {
	caught := make(chan struct{})
	behind := false
	s.locked(ss, func(*batch) {
		if ss.conn == nil || ss.outboxBytes <= s.sessionMemory/8 {
			return
		}
		behind = true
		ss.paced = append(ss.paced, func() { close(caught) })
	})
	if !behind {
		return
	}
	limit := time.NewTimer(SettleLimit)
	defer limit.Stop()
	select {
	case <-caught:
	case <-limit.C:
	case <-ctx.Done():
	}
}

// settle waits until the page has posted every delivery sent so far, or
// SettleLimit has passed, or ctx ends; p, whose steps are done, reports no
// more.
func (s *Server) settle(ctx context.Context, ss *session, p *play) {
	delivered := make(chan struct{})
	s.locked(ss, func(*batch) {
		p.settling = true
		ss.whenDelivered(func() { close(delivered) })
	})
	limit := time.NewTimer(SettleLimit)
	defer limit.Stop()
	select {
	case <-delivered:
	case <-limit.C:
	case <-ctx.Done():
	}
}

// stopPlay stops the scenario playing, if any. The caller holds ss.mu.
func (ss *session) stopPlay(b *batch, why string) {
	p := ss.play
	if p == nil {
		return
	}
	p.cancel()
	p.last.State = why
	ss.ended(b)
}

// ended tells the page how the scenario playing ended, and keeps it for a
// page that comes back later. The caller holds ss.mu.
func (ss *session) ended(b *batch) {
	last := ss.play.last
	ss.play, ss.played = nil, &last
	b.frame(last)
}

// control runs a scenario event from the page. The caller holds ss.mu.
func (s *Server) control(ss *session, b *batch, p pageEvent) error {
	switch p.Type {
	case "scenario_play":
		sc, err := s.findScenario(p.Name)
		if err != nil {
			return err
		}
		speed := 1.0
		if p.Speed != nil {
			speed = *p.Speed
		}
		if speed <= 0 {
			return errors.New("the speed must be more than 0")
		}
		return s.startPlay(ss, b, sc, speed, Watch{Patience: s.patience})
	case "scenario_stop":
		ss.stopPlay(b, "stopped")
		return nil
	}
	pl := ss.play
	if pl == nil {
		return errors.New("no scenario is playing")
	}
	switch p.Type {
	case "scenario_pause":
		pl.run.Pause()
		pl.last.State = "paused"
	case "scenario_resume":
		pl.run.Resume()
		pl.last.State = "playing"
	case "scenario_step":
		pl.run.Step()
		pl.last.State = "paused"
	}
	b.frame(pl.last)
	return nil
}

// observe feeds a running scenario what an extension sent. The caller
// holds ss.mu.
func (ss *session) observe(inst string, m json.RawMessage) {
	if ss.play == nil {
		return
	}
	var v any
	if json.Unmarshal(m, &v) != nil {
		return
	}
	r := ss.insts[inst]
	ss.play.run.Observe(scenario.Message{Instance: inst, Key: r.key, Interaction: r.interaction, Value: v})
}
