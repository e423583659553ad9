package host

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cpsim/cpsim/internal/state"
)

// maxRIBody bounds an RI request's body, in bytes: the RMI calls cpsim
// serves carry a small JSON object.
const maxRIBody = 64 << 10

// riServed lists the RI calls cpsim simulates, for the 404 of any other.
const riServed = "RMI GET /agents/{agentId}/presences/, PUT /agents/{agentId}/presences/{presenceId} and PUT /agents/{agentId}/readyState/"

// handleRI serves the Restful Interfaces a CRM calls through CPC.js's
// CPC.RI.request (<tenant>ecfs/RI/<api>/<resource>, with the login
// cookie): of them, what CPC.js's own helpers use, RMI's presences and
// readyState (setPresence, setReady), acting on the session of the
// embedded panel opened with the same login. A change made through RMI
// sends no status event (CPC.js's comments in setPresence and setReady);
// the panel's page shows it. Any other RI call answers 404 with a JSON
// body that says cpsim does not simulate it.
//
// Errors: 401 without a known login cookie, 409 while the login's embedded
// panel has not connected, 404 for another agent or presence, 400 for a
// body that is not the JSON the call takes.
func (s *Server) handleRI(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		s.preflight("GET, PUT, POST, DELETE")(w, r)
		return
	}
	if !s.cors(w, r) {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/ecfs/RI/")
	api, resource, _ := strings.Cut(rest, "/")
	parts := strings.Split(strings.Trim(resource, "/"), "/")
	call := ""
	if strings.EqualFold(api, "rmi") && len(parts) >= 3 && parts[0] == "agents" {
		switch {
		case r.Method == http.MethodGet && len(parts) == 3 && parts[2] == "presences":
			call = "presences"
		case r.Method == http.MethodPut && len(parts) == 4 && parts[2] == "presences":
			call = "presence"
		case r.Method == http.MethodPut && len(parts) == 3 && parts[2] == "readyState":
			call = "readyState"
		}
	}
	if call == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"error": fmt.Sprintf("cpsim does not simulate RI %s %s: it serves %s", r.Method, r.URL.Path, riServed),
		})
		return
	}
	tok := loginToken(r)
	sid, known := s.embed.sessionOf(tok)
	switch {
	case tok == "":
		// A login that answered 200 sets the cookie; a browser that blocks
		// third-party cookies (a fresh Chromium profile, Playwright's
		// newContext) never sends it back from the CRM's site.
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"error": "no login cookie: POST /ecfs/authentication/ first (CPC.load with authentication), with credentials included; " +
				"if the login answered 200, the browser blocks third-party cookies (the CRM is another site): allow them for the panel's origin",
		})
		return
	case !known:
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"error": "the login cookie's login is over (logged out, or cpsim restarted): POST /ecfs/authentication/ again",
		})
		return
	}
	s.mu.Lock()
	ss := s.sessions[sid]
	s.mu.Unlock()
	if ss == nil {
		writeJSON(w, http.StatusConflict, map[string]any{
			"error": "the embedded panel of this login is not open: load it (CPC.load) before calling RI",
		})
		return
	}
	var body []byte
	if r.Method == http.MethodPut {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, maxRIBody+1)); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "read the body: " + err.Error()})
			return
		}
		if len(body) > maxRIBody {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": fmt.Sprintf("the body is more than %d bytes", maxRIBody)})
			return
		}
	}
	code, answer := http.StatusOK, any(nil)
	s.locked(ss, func(b *batch) {
		code, answer = ss.rmi(b, call, parts[1], parts, body)
	})
	if answer == nil && code == http.StatusOK {
		code, answer = http.StatusConflict, map[string]any{"error": "the embedded panel's session has ended"}
	}
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, answer)
}

// rmi runs one RMI call on the session. The caller holds ss.mu.
func (ss *session) rmi(b *batch, call, agent string, parts []string, body []byte) (int, any) {
	id, profiles := ss.eng.Agent()
	if agent != id {
		return http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no agent %q: the agent of this session is %q (CPC.currentUser.id)", agent, id)}
	}
	var ev state.Event
	switch call {
	case "presences":
		return http.StatusOK, profiles
	case "presence":
		want := parts[3]
		for _, p := range profiles {
			if p.ID == want {
				ev = state.SetProfile{Profile: p.ID}
			}
		}
		if ev == nil {
			return http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no presence profile %q: GET /agents/%s/presences/ lists them", want, id)}
		}
	case "readyState":
		var req struct {
			ReadyState string `json:"readyState"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return http.StatusBadRequest, map[string]any{"error": `the body must be {"readyState": "Ready"} or {"readyState": "NotReady"}: ` + err.Error()}
		}
		switch req.ReadyState {
		case "Ready":
			ev = state.SetWorkStatus{Status: "ready"}
		case "NotReady":
			ev = state.SetWorkStatus{Status: "not_ready"}
		default:
			return http.StatusBadRequest, map[string]any{"error": fmt.Sprintf(`readyState %q: it is "Ready" or "NotReady"`, req.ReadyState)}
		}
	}
	o, err := ss.eng.ApplyRMI(ev)
	ss.absorb(b, o)
	if err != nil {
		return http.StatusConflict, map[string]any{"error": err.Error()}
	}
	return http.StatusNoContent, nil
}
