package host

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// The control API's expect: wait for a message from the extensions that
// matches a pattern, by the rules of a scenario's expect step (one
// matcher: internal/scenario's).

// Limits of expect.
const (
	defaultWithin = 5 * time.Second // a scenario's expect's
	maxWithin     = maxAPIWait
	// maxClosest bounds the messages the closest are chosen from: the
	// latest of those after the cursor.
	maxClosest = 500
)

// expectRequest is the body of POST .../expect.
type expectRequest struct {
	From    string          `json:"from"`    // an extension's key, "host" (an embedding CRM), or "" for any
	Message json.RawMessage `json:"message"` // the pattern: type, id, payload, as a scenario's expect
	Within  string          `json:"within"`  // a Go duration; "" is 5s
	After   uint64          `json:"after"`   // the log number after which to look
}

// expectParsed is a checked expect request.
type expectParsed struct {
	from   string
	x      *scenario.Expectation
	within time.Duration
	after  uint64
}

func (s *Server) parseExpect(ss *session, body []byte) (expectParsed, error) {
	var req expectRequest
	if body == nil {
		return expectParsed{}, badRequest("message", `the body is empty: send {"message": {"type": "action", "payload": {"command": "detail"}}}`)
	}
	if err := decodeStrict(body, &req); err != nil {
		return expectParsed{}, err
	}
	out := expectParsed{from: req.From, within: defaultWithin, after: req.After}
	if len(req.Message) == 0 || string(req.Message) == "null" {
		return out, badRequest("message", "give the message's pattern, such as {\"type\": \"action\", \"payload\": {\"command\": \"detail\"}}")
	}
	x, err := scenario.ParseExpect("message", req.Message)
	if err != nil {
		return out, badRequest("message", "%v", err)
	}
	out.x = x
	if req.Within != "" {
		d, err := time.ParseDuration(req.Within)
		if err != nil || d <= 0 || d > maxWithin {
			return out, badRequest("within", "within is a duration from more than 0s to %v, such as 5s, not %q", maxWithin, req.Within)
		}
		out.within = d
	}
	if keys := s.extensionKeys(ss); req.From != "" && !slices.Contains(keys, req.From) {
		return out, badRequest("from", "no extension has the key %q: the keys are %s", req.From, strings.Join(keys, ", "))
	}
	return out, s.checkCursor(ss, req.After, "after")
}

// extensionKeys are the keys an expect may name in from: the
// configuration's extensions, those of any instance the session has had
// (a scenario's own), and host.
func (s *Server) extensionKeys(ss *session) []string {
	var keys []string
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, e := range s.data.Extensions {
		add(e.Key)
	}
	ss.mu.Lock()
	for _, r := range ss.insts {
		add(r.key)
	}
	ss.mu.Unlock()
	add(state.HostInstance)
	slices.Sort(keys)
	return keys
}

// heard reports whether a row is a message the panel heard from an
// extension (or the CRM) that from listens to: what a scenario's run
// observes. Messages the page dropped, or that came after their
// instance's exit, are not; nor one whose whole the session no longer
// holds.
func heard(m *apiMessage, from string) bool {
	if m.Dir != "in" || m.Message == nil || (from != "" && m.Key != from) {
		return false
	}
	return !slices.ContainsFunc(m.Problems, func(p apiProblem) bool { return p.Kind == "dropped" })
}

// apiExpect answers the first message after the cursor that matches the
// pattern, as soon as it comes, or 422 once within has passed, with the
// messages that came closest.
func (s *Server) apiExpect(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	body, err := readAPIBody(w, r)
	if err != nil {
		return err
	}
	q, err := s.parseExpect(ss, body)
	if err != nil {
		return err
	}
	if err := s.enterCall(); err != nil {
		return err
	}
	defer s.goroutines.exit()
	deadline := time.NewTimer(q.within)
	defer deadline.Stop()
	cursor := q.after
	for {
		p := ss.rowsAfter(cursor, maxAPILimit)
		for i := range p.Messages {
			m := &p.Messages[i]
			if !heard(m, q.from) {
				continue
			}
			var v any
			if json.Unmarshal(m.Message, &v) == nil && q.x.Match(v) {
				return answer(w, http.StatusOK, struct {
					Message apiMessage `json:"message"`
				}{*m})
			}
		}
		cursor = p.Next
		if len(p.Messages) > 0 || p.Dropped > 0 {
			select {
			case <-deadline.C: // rows keep coming, none matches
				return s.noMatch(ss, q)
			default:
				continue
			}
		}
		if p.closed {
			return noSession(ss.id)
		}
		if !s.waitFor(r.Context(), p.changed, deadline.C) {
			break
		}
	}
	if r.Context().Err() != nil || s.ctx.Err() != nil {
		return shuttingDown() // the client, gone, reads nothing
	}
	return s.noMatch(ss, q)
}

// noMatch is the 422 of an expect that timed out, with the closest
// messages, as a failed expect step shows them.
func (s *Server) noMatch(ss *session, q expectParsed) error {
	var msgs []scenario.Message
	for cursor := q.after; ; {
		p := ss.rowsAfter(cursor, maxAPILimit)
		for i := range p.Messages {
			m := &p.Messages[i]
			var v any
			if !heard(m, q.from) || json.Unmarshal(m.Message, &v) != nil {
				continue
			}
			msgs = append(msgs, scenario.Message{Instance: m.Instance, Key: m.Key, Interaction: m.Interaction, Value: v, Time: m.Time})
			if len(msgs) > 2*maxClosest {
				msgs = append(msgs[:0], msgs[len(msgs)-maxClosest:]...)
			}
		}
		if len(p.Messages) == 0 {
			break
		}
		cursor = p.Next
	}
	if len(msgs) > maxClosest {
		msgs = msgs[len(msgs)-maxClosest:]
	}
	from := "the extensions"
	if q.from != "" {
		from = q.from
	}
	detail := fmt.Sprintf("expected %s to send %s within %s, but none did", from, q.x, q.within)
	if len(msgs) == 0 {
		detail += fmt.Sprintf(" (nothing came after message %d)", q.after)
	}
	closest := q.x.Closest(msgs, 3)
	if closest == nil {
		closest = []string{}
	}
	return &problem{Status: http.StatusUnprocessableEntity, Slug: "no-match", Title: "No message matched", Detail: detail,
		Ext: map[string]any{"closest": closest}}
}
