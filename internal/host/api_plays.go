package host

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/cpsim/cpsim/internal/scenario"
)

// The control API's plays: a scenario (built in, configured, or YAML
// text) played in a session as the page's Scenarios tab plays it
// (startPlay, with a Watch), and its result as cpsim test reports it.

// Limits of plays.
const (
	// maxPlaysKept is how many plays a session remembers for GET.
	maxPlaysKept = 16
	// maxPlayReports bounds the diagnosed messages a play's report keeps;
	// past it they are counted.
	maxPlayReports = 1000
)

// apiPlays are a session's plays started through the API: the latest
// maxPlaysKept, and the number of the last one.
type apiPlays struct {
	n    int
	list []*apiPlay
}

// apiPlay is a play started through the API. The run's watch writes it
// from the run's goroutine; the routes read it.
type apiPlay struct {
	id    string
	sc    *scenario.Scenario
	start time.Time
	done  chan struct{} // closed once the play has ended

	mu      sync.Mutex
	v       apiPlayView
	steps   []apiPlayStep
	reports []apiPlayMessage
	lost    int // reports past maxPlayReports
}

// apiPlayView is a play as the API shows it.
type apiPlayView struct {
	ID       string         `json:"id"`
	Scenario string         `json:"scenario"`
	File     string         `json:"file"`
	State    string         `json:"state"` // playing, passed, failed, stopped
	Index    int            `json:"index"` // the current step, from 0
	Total    int            `json:"total"`
	Error    string         `json:"error,omitempty"`
	Closest  []string       `json:"closest,omitempty"`
	Problems int            `json:"problems"`
	Report   *apiPlayReport `json:"report"` // null while it plays
}

// apiPlayReport is a play's result as cpsim test reports it: each step,
// each diagnosed message of the extensions, and whether it passed as
// cpsim test judges by default (its steps passed, and no message had a
// protocol problem).
type apiPlayReport struct {
	Passed   bool             `json:"passed"`
	Summary  string           `json:"summary"` // PASS file (1.2s), or FAIL file (1.2s), as cpsim test ends
	Duration string           `json:"duration"`
	Error    string           `json:"error,omitempty"` // why it failed, on as many lines as it takes
	Steps    []apiPlayStep    `json:"steps"`
	Messages []apiPlayMessage `json:"messages"`
	// MessagesLost counts the diagnosed messages past the report's
	// limit of 1000.
	MessagesLost int `json:"messages_lost,omitempty"`
}

// apiPlayStep is a step that ended.
type apiPlayStep struct {
	Line    int    `json:"line"`
	Text    string `json:"text"`
	Status  string `json:"status"` // ok, failed
	Elapsed string `json:"elapsed"`
	Error   string `json:"error,omitempty"`
}

// apiPlayMessage is a diagnosed message of an extension while the play
// ran (MessageReport).
type apiPlayMessage struct {
	Time     time.Time `json:"time"`
	Instance string    `json:"instance"`
	Key      string    `json:"key"`
	Message  string    `json:"message,omitempty"` // clipped to about 300 bytes
	Severity string    `json:"severity"`
	Kind     string    `json:"kind"`
	Path     string    `json:"path,omitempty"`
	Text     string    `json:"text"`
	Problem  bool      `json:"problem"` // a protocol problem, not a note
	Line     string    `json:"line"`    // as cpsim test prints it
}

// playRequest is the body of POST .../plays.
type playRequest struct {
	Scenario string   `json:"scenario"` // a built-in or configured scenario, by name or file
	YAML     string   `json:"yaml"`     // or a scenario's text
	Speed    *float64 `json:"speed"`    // divides its waits; 1 when not given
	Patience *float64 `json:"patience"` // multiplies its expects' within; the server's when not given
}

func (s *Server) parsePlay(body []byte) (*scenario.Scenario, float64, float64, error) {
	var req playRequest
	if body == nil {
		return nil, 0, 0, badRequest("scenario", `the body is empty: send {"scenario": "<name>"} or {"yaml": "<scenario>"}`)
	}
	if err := decodeStrict(body, &req); err != nil {
		return nil, 0, 0, err
	}
	speed, patience := 1.0, s.patience
	if req.Speed != nil {
		if speed = *req.Speed; speed <= 0 {
			return nil, 0, 0, badRequest("speed", "speed is more than 0, not %g", speed)
		}
	}
	if req.Patience != nil {
		if patience = *req.Patience; patience < 0 {
			return nil, 0, 0, badRequest("patience", "patience is 0 or more, not %g", patience)
		}
	}
	switch {
	case (req.Scenario == "") == (req.YAML == ""):
		return nil, 0, 0, badRequest("scenario", "give scenario (a name) or yaml (a scenario's text), one of them")
	case req.Scenario != "":
		sc, err := s.findScenario(req.Scenario)
		if err != nil {
			var names []string
			for _, sc := range s.scenarios {
				names = append(names, sc.Name)
			}
			p := badRequest("scenario", "%v: the scenarios are %s", err, strings.Join(names, ", "))
			p.Ext = map[string]any{"known": names}
			return nil, 0, 0, p
		}
		return sc, speed, patience, nil
	}
	sc, err := scenario.Parse("yaml", []byte(req.YAML), s.data)
	if err != nil {
		return nil, 0, 0, badRequest("yaml", "%v", err)
	}
	return sc, speed, patience, nil
}

// apiStartPlay plays a scenario in the session: 202 with the play, whose
// URL is in Location; 409 while one plays (from the API or the page).
func (s *Server) apiStartPlay(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	body, err := readAPIBody(w, r)
	if err != nil {
		return err
	}
	sc, speed, patience, err := s.parsePlay(body)
	if err != nil {
		return err
	}
	pl := &apiPlay{sc: sc, start: time.Now(), done: make(chan struct{})}
	pl.v = apiPlayView{Scenario: sc.Name, File: sc.File, State: "playing", Total: len(sc.Steps)}
	ran := false
	s.locked(ss, func(b *batch) {
		ran = true
		if ss.play != nil {
			err = &problem{Status: http.StatusConflict, Slug: "playing", Title: "A scenario is playing",
				Detail: fmt.Sprintf("the session plays %q: it plays one scenario at a time (the page's Stop button, or DELETE the session, stops it)", ss.play.sc.Name)}
			return
		}
		pl.id = strconv.Itoa(ss.plays.n + 1) // before the run can read it
		pl.v.ID = pl.id
		w := Watch{Progress: pl.progress, Message: pl.message, Done: pl.ended, Patience: patience, Settle: ss.conn != nil}
		if err = s.startPlay(ss, b, sc, speed, w); err != nil {
			return
		}
		ss.plays.n++
		ss.plays.list = append(ss.plays.list, pl)
		if len(ss.plays.list) > maxPlaysKept {
			ss.plays.list = ss.plays.list[1:]
		}
	})
	switch {
	case !ran:
		return noSession(ss.id)
	case errors.Is(err, errShuttingDown):
		return shuttingDown()
	case err != nil:
		return err
	}
	w.Header().Set("Location", apiPrefix+"sessions/"+ss.id+"/plays/"+pl.id)
	return answer(w, http.StatusAccepted, pl.view())
}

// apiGetPlay answers a play, waiting up to wait while it plays.
func (s *Server) apiGetPlay(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	var wait time.Duration
	for key, vals := range r.URL.Query() {
		if key != "wait" {
			return badRequest(key, "unknown query parameter %q: a play takes wait", key)
		}
		if wait, err = parseWait(vals[len(vals)-1]); err != nil {
			return badRequest("wait", "%v", err)
		}
	}
	id := chi.URLParam(r, "id")
	var pl *apiPlay
	ss.mu.Lock()
	for _, p := range ss.plays.list {
		if p.id == id {
			pl = p
		}
	}
	ss.mu.Unlock()
	if pl == nil {
		return &problem{Status: http.StatusNotFound, Slug: "no-such-play", Title: "No such play", Field: "id",
			Detail: fmt.Sprintf("the session %s has no play %q (it keeps its latest %d)", ss.id, id, maxPlaysKept)}
	}
	if wait > 0 {
		if err := s.enterCall(); err != nil {
			return err
		}
		defer s.goroutines.exit()
		timer := time.NewTimer(wait)
		defer timer.Stop()
		s.waitFor(r.Context(), pl.done, timer.C)
	}
	return answer(w, http.StatusOK, pl.view())
}

// progress follows the run's steps (Watch.Progress).
func (pl *apiPlay) progress(p scenario.Progress) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.v.Index = p.Index
	if p.Status == "running" {
		return
	}
	if p.Status == "ok" && p.Index+1 < pl.v.Total {
		pl.v.Index++ // the one that comes next, as the page shows it
	}
	st := apiPlayStep{Line: p.Step.Line, Text: p.Step.Text, Status: p.Status, Elapsed: p.Elapsed.Round(time.Millisecond).String()}
	if p.Err != nil {
		st.Error = p.Err.Error()
	}
	pl.steps = append(pl.steps, st)
}

// message keeps a diagnosed message (Watch.Message).
func (pl *apiPlay) message(m MessageReport) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if m.Diagnostic.IsProblem() {
		pl.v.Problems++
	}
	if len(pl.reports) >= maxPlayReports {
		pl.lost++
		return
	}
	d := m.Diagnostic
	pl.reports = append(pl.reports, apiPlayMessage{Time: m.At.UTC(), Instance: m.Instance, Key: m.Key, Message: m.Message,
		Severity: string(d.Severity), Kind: d.Kind, Path: d.Path, Text: d.Text, Problem: d.IsProblem(), Line: m.String()})
}

// ended ends the play with the run's error (Watch.Done).
func (pl *apiPlay) ended(err error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	took := time.Since(pl.start)
	rep := &apiPlayReport{Steps: pl.steps, Messages: pl.reports, MessagesLost: pl.lost, Duration: took.Round(time.Millisecond).String()}
	if rep.Steps == nil {
		rep.Steps = []apiPlayStep{}
	}
	if rep.Messages == nil {
		rep.Messages = []apiPlayMessage{}
	}
	var f *scenario.Failure
	var reasons []string
	switch {
	case err == nil:
		pl.v.State = "passed"
	case errors.As(err, &f):
		pl.v.State, pl.v.Error, pl.v.Closest = "failed", f.Headline(), f.Closest
		reasons = append(reasons, f.Error())
	default:
		pl.v.State = "stopped"
		reasons = append(reasons, pl.sc.File+": the scenario was stopped before its end")
	}
	if n := pl.v.Problems; n > 0 {
		reasons = append(reasons, fmt.Sprintf("%s: the extensions' messages had %s (above)", pl.sc.File, plural(int64(n), "protocol problem", "protocol problems")))
	}
	rep.Passed = len(reasons) == 0
	rep.Error = strings.Join(reasons, "\n")
	verdict := "PASS"
	if !rep.Passed {
		verdict = "FAIL"
	}
	rep.Summary = fmt.Sprintf("%s %s (%.1fs)", verdict, pl.sc.File, took.Seconds())
	pl.v.Report = rep
	close(pl.done)
}

// view is the play as the API shows it now.
func (pl *apiPlay) view() apiPlayView {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.v
}
