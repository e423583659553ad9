package host

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"

	"github.com/cpsim/cpsim/docs"
	"github.com/cpsim/cpsim/internal/state"
)

// The control API's sessions and events.

// apiRootAnswer is GET /api/v1/.
type apiRootAnswer struct {
	Version  string `json:"version"`
	Sessions string `json:"sessions"`
	OpenAPI  string `json:"openapi"`
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request) error {
	return answer(w, http.StatusOK, apiRootAnswer{Version: s.version, Sessions: apiPrefix + "sessions", OpenAPI: apiPrefix + "openapi.yaml"})
}

// apiOpenAPI answers the API's description.
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(docs.OpenAPI())
	return nil
}

// apiSessionItem is a session as GET /api/v1/sessions lists it.
type apiSessionItem struct {
	Name string `json:"name"`
	Page bool   `json:"page"` // a page is connected
	URL  string `json:"url"`  // the page that shows it, from the panel's origin
}

// apiSession is a session as GET /api/v1/sessions/{name} shows it.
type apiSession struct {
	apiSessionItem
	View     json.RawMessage `json:"view"`     // state.View
	Scenario *apiScenario    `json:"scenario"` // the play in progress or last played; null when none
}

// apiScenario is how a scenario plays, or played, in a session, as the
// page's Scenarios tab shows it.
type apiScenario = scenarioState

func scenarioOf(f scenarioFrame) *apiScenario {
	st := f.scenarioState
	return &st
}

func sessionURL(name string) string { return "/?session=" + name }

func (s *Server) apiListSessions(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	all := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		all = append(all, ss)
	}
	s.mu.Unlock()
	out := struct {
		Sessions []apiSessionItem `json:"sessions"`
	}{Sessions: []apiSessionItem{}}
	for _, ss := range all {
		ss.mu.Lock()
		if !ss.closed {
			out.Sessions = append(out.Sessions, apiSessionItem{Name: ss.id, Page: ss.conn != nil, URL: sessionURL(ss.id)})
		}
		ss.mu.Unlock()
	}
	slices.SortFunc(out.Sessions, func(a, b apiSessionItem) int { return strings.Compare(a.Name, b.Name) })
	return answer(w, http.StatusOK, out)
}

// sessionName is the path's {name}, checked.
func sessionName(r *http.Request) (string, error) {
	name := chi.URLParam(r, "name")
	if err := CheckSessionName(name); err != nil {
		return "", badRequest("name", "%v", err)
	}
	return name, nil
}

// apiLookup finds the session the path names: 400 for a name no session
// can have, 404 for one cpsim does not hold.
func (s *Server) apiLookup(r *http.Request) (*session, error) {
	name, err := sessionName(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	ss := s.sessions[name]
	s.mu.Unlock()
	if ss == nil {
		return nil, noSession(name)
	}
	return ss, nil
}

func noSession(name string) *problem {
	return &problem{Status: http.StatusNotFound, Slug: "no-such-session", Title: "No such session", Field: "name",
		Detail: fmt.Sprintf("cpsim holds no session %q: PUT %ssessions/%s starts it, and so does a page opened at %s", name, apiPrefix, name, sessionURL(name))}
}

// sessionProblem answers an error of starting a session.
func sessionProblem(err error) error {
	var le *limitError
	switch {
	case errors.As(err, &le):
		return &problem{Status: http.StatusServiceUnavailable, Slug: "session-limit", Title: "Session limit", Detail: err.Error()}
	case errors.Is(err, errShuttingDown):
		return shuttingDown()
	}
	return fmt.Errorf("start a session: %w", err)
}

func shuttingDown() *problem {
	return &problem{Status: http.StatusServiceUnavailable, Slug: "shutting-down", Title: "Shutting down", Detail: errShuttingDown.Error()}
}

// apiPutSession starts the session the path names, or finds it: 201 when
// it started now, 200 when it was there. A session no page holds gets a
// new grace (-session-grace) from now, so that a test that only drives it
// through the API keeps it by calling PUT again.
func (s *Server) apiPutSession(w http.ResponseWriter, r *http.Request) error {
	name, err := sessionName(r)
	if err != nil {
		return err
	}
	body, err := readAPIBody(w, r)
	if err != nil {
		return err
	}
	if body != nil {
		if err := decodeStrict(body, &struct{}{}); err != nil {
			return err
		}
	}
	ss, created, err := s.sessionNamed(name)
	if err != nil {
		return sessionProblem(err)
	}
	if !created {
		ss.mu.Lock()
		if ss.conn == nil {
			s.expireAfterGrace(ss)
		}
		ss.mu.Unlock()
	}
	v, err := s.apiSessionOf(ss)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", apiPrefix+"sessions/"+name)
	}
	return answer(w, status, v)
}

func (s *Server) apiGetSession(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	v, err := s.apiSessionOf(ss)
	if err != nil {
		return err
	}
	return answer(w, http.StatusOK, v)
}

// apiSessionOf is the session as the API shows it; 404 once it has ended.
func (s *Server) apiSessionOf(ss *session) (*apiSession, error) {
	ss.mu.Lock()
	closed := ss.closed
	view := ss.eng.View()
	v := &apiSession{apiSessionItem: apiSessionItem{Name: ss.id, Page: ss.conn != nil, URL: sessionURL(ss.id)}}
	switch {
	case ss.play != nil:
		v.Scenario = scenarioOf(ss.play.last)
	case ss.played != nil:
		v.Scenario = scenarioOf(*ss.played)
	}
	ss.mu.Unlock()
	if closed {
		return nil, noSession(ss.id)
	}
	data, err := json.Marshal(view)
	if err != nil {
		return nil, fmt.Errorf("marshal the view: %w", err)
	}
	v.View = data
	return v, nil
}

// apiDeleteSession ends the session now, as Shutdown ends each: its
// scenario stops, its extensions get exit, and its page, if one is
// connected, is closed with why (the page reconnects, and so starts a
// new session of the name).
func (s *Server) apiDeleteSession(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	if !s.endSession(ss, "the control API ended this session (DELETE)") {
		return noSession(ss.id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endSession ends a session now, and reports whether it was still going.
func (s *Server) endSession(ss *session, why string) bool {
	s.locked(ss, func(b *batch) {
		ss.stopPlay(b, "stopped")
		ss.absorb(b, ss.eng.Shutdown())
		if ss.conn != nil {
			ss.conn.send(b.bytes())
			b.reset()
			ss.conn.closeAfter(websocket.StatusGoingAway, why)
		}
	})
	s.mu.Lock()
	ss.mu.Lock()
	ended := !ss.closed
	if ended {
		ss.close()
		s.memUsed.Add(-ss.memCounted)
		ss.memCounted = 0
	}
	ss.mu.Unlock()
	if s.sessions[ss.id] == ss {
		delete(s.sessions, ss.id)
		s.nSessions.Store(int64(len(s.sessions)))
	}
	held := len(s.sessions)
	s.mu.Unlock()
	if ended {
		s.log.Info("session ended: "+why, "session", ss.id, "sessions", held)
	}
	return ended
}

// apiEventAnswer is what an event caused, as the page's r frame says it.
type apiEventAnswer struct {
	Created string `json:"created,omitempty"` // the interaction an incoming, outbound, consult or send created
}

// apiEvent performs an event of the panel's vocabulary (state.Kinds) in
// the session, as the page's e frame does: under the session's lock, so
// that its page, if any, gets the deliveries and the new view as for its
// own clicks. No page is needed: deliveries wait for one.
func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	body, err := readAPIBody(w, r)
	if err != nil {
		return err
	}
	ev, err := decodeAPIEvent(body)
	if err != nil {
		return err
	}
	var o state.Output
	ran := false
	s.locked(ss, func(b *batch) {
		ran = true
		o, err = ss.apply(b, ev)
	})
	if !ran {
		return noSession(ss.id)
	}
	if err != nil {
		return &problem{Status: http.StatusConflict, Slug: "refused", Title: "The panel refused the event", Detail: err.Error()}
	}
	return answer(w, http.StatusOK, apiEventAnswer{Created: o.Created})
}

// decodeAPIEvent reads an event's body, with the field that was wrong
// and, for an unknown type, the types there are.
func decodeAPIEvent(body []byte) (state.Event, error) {
	if body == nil {
		return nil, badRequest("type", "the body is empty: send an event such as {\"type\": \"incoming\", \"channel\": \"phone\"}")
	}
	ev, err := state.DecodeEvent(body)
	if err == nil {
		return ev, nil
	}
	p := badRequest("", "%v", err)
	var ee *state.EventError
	if errors.As(err, &ee) {
		p.Field = ee.Field
	}
	if p.Field == "type" {
		var known []string
		for _, k := range state.Kinds() {
			known = append(known, k.Name)
		}
		p.Slug, p.Title = "unknown-event", "Unknown event"
		p.Detail += " (the events are " + strings.Join(known, ", ") + "; a scenario plays through " + apiPrefix + "sessions/{name}/plays)"
		p.Ext = map[string]any{"known": known}
	}
	return nil, p
}
