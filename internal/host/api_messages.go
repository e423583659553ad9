package host

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The control API's messages: the session's log rows (what the inspector
// shows), read by their log number, as a long poll or as server-sent
// events. Readers take what they need under the session's lock and write
// it outside, so a slow reader never holds the engine; they wait on the
// session's changed channel, which the next row closes.

// Limits of the messages' routes.
const (
	defaultAPILimit = 100
	maxAPILimit     = 1000
	maxAPIWait      = 60 * time.Second
	// maxAPIPage bounds the bytes of messages one answer or one burst of
	// events carries (at least one message: a single one may be 8 MiB).
	maxAPIPage = 4 << 20
	// sseHeartbeat is how often a stream with nothing to say sends a
	// comment, so that proxies and clients see it is alive.
	sseHeartbeat = 15 * time.Second
)

// wake tells the readers waiting that a row came or the session ended.
// The caller holds s.mu.
func (s *session) wake() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// nextRow is closed at the next row, or when the session ends. The
// caller holds s.mu.
func (s *session) nextRow() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// apiMessage is a log row as the control API shows it (docs/api.md).
type apiMessage struct {
	N    uint64    `json:"n"`
	Time time.Time `json:"time"`
	Dir  string    `json:"dir"` // in: from an extension (or the CRM) to the panel; out: from the panel
	// Kind is message (a message posted, whole in Message, or Abridged
	// once the session's budget let its whole go), unreadable (one the
	// page could not relay as JSON: Raw says what it was) or note (a
	// diagnostic of the panel's, with no message: Problems says it).
	Kind        string          `json:"kind"`
	Instance    string          `json:"instance,omitempty"`
	Key         string          `json:"key,omitempty"`
	Interaction string          `json:"interaction,omitempty"`
	Message     json.RawMessage `json:"message,omitempty"`
	Abridged    json.RawMessage `json:"abridged,omitempty"`
	Size        int             `json:"size,omitempty"` // the whole message's bytes, when only Abridged is left
	Raw         string          `json:"raw,omitempty"`
	Problems    []apiProblem    `json:"problems,omitempty"`
	// Answers is the row of the request a response answers, and MS the
	// milliseconds since it.
	Answers uint64   `json:"answers,omitempty"`
	MS      *float64 `json:"ms,omitempty"`
}

// apiProblem is a diagnostic on a row: a protocol problem, or a note.
type apiProblem struct {
	Severity string `json:"severity"` // error, warning, info
	Kind     string `json:"kind"`
	Path     string `json:"path,omitempty"`
	Text     string `json:"text"`
}

// messageOf is a row for the API. The caller holds s.mu (for the
// instance's interaction).
func (s *session) messageOf(e *logEntry) apiMessage {
	m := apiMessage{N: e.n, Time: e.at.UTC(), Dir: e.dir, Instance: e.inst, Key: e.key, Raw: e.raw, Answers: e.re}
	if e.inst != "" {
		m.Interaction = s.insts[e.inst].interaction
	}
	switch {
	case e.m != nil:
		m.Kind, m.Message = "message", e.m
	case e.cut > 0:
		m.Kind, m.Abridged, m.Size = "message", e.pv, e.cut
	case e.raw != "":
		m.Kind = "unreadable"
	default:
		m.Kind = "note"
	}
	if e.re != 0 {
		ms := e.ms
		m.MS = &ms
	}
	for _, d := range e.diag {
		m.Problems = append(m.Problems, apiProblem{Severity: string(d.Severity), Kind: d.Kind, Path: d.Path, Text: d.Text})
	}
	return m
}

// size is about the bytes a row takes in an answer.
func (m *apiMessage) size() int {
	n := 200 + len(m.Message) + len(m.Abridged) + len(m.Raw)
	for _, p := range m.Problems {
		n += len(p.Text) + len(p.Path) + 40
	}
	return n
}

// apiLog is what a reader gets of the log after a cursor.
type apiLog struct {
	Messages []apiMessage `json:"messages"`
	Next     uint64       `json:"next"`    // the cursor to read on from
	Dropped  uint64       `json:"dropped"` // rows after the cursor the session no longer holds
	closed   bool         // the session has ended
	changed  <-chan struct{}
}

// rowsAfter reads up to limit rows after the cursor, within maxAPIPage
// bytes, and the channel the next row closes.
func (s *session) rowsAfter(after uint64, limit int) apiLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := apiLog{Messages: []apiMessage{}, Next: after, closed: s.closed}
	first := s.log.first()
	if first == 0 {
		first = s.logN + 1 // none held: every row so far is gone
	}
	if first > after+1 {
		p.Dropped = first - after - 1
		p.Next = first - 1
	}
	bytes := 0
	for n := max(after+1, first); len(p.Messages) < limit && bytes < maxAPIPage; n++ {
		e := s.log.at(n)
		if e == nil {
			break
		}
		m := s.messageOf(e)
		bytes += m.size()
		p.Messages = append(p.Messages, m)
		p.Next = n
	}
	if !s.closed {
		p.changed = s.nextRow()
	}
	return p
}

// messagesQuery is the query of GET .../messages.
type messagesQuery struct {
	after uint64
	limit int
	wait  time.Duration
}

func parseMessagesQuery(r *http.Request) (messagesQuery, error) {
	q := messagesQuery{limit: defaultAPILimit}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "after":
			q.after, err = strconv.ParseUint(v, 10, 64)
			if err != nil {
				return q, badRequest("after", "after is a log number, 0 or more, not %q", v)
			}
		case "limit":
			q.limit, err = strconv.Atoi(v)
			if err != nil || q.limit < 1 || q.limit > maxAPILimit {
				return q, badRequest("limit", "limit is a number of messages from 1 to %d, not %q", maxAPILimit, v)
			}
		case "wait":
			q.wait, err = parseWait(v)
			if err != nil {
				return q, badRequest("wait", "%v", err)
			}
		default:
			return q, badRequest(key, "unknown query parameter %q: the messages take after, limit and wait", key)
		}
	}
	return q, nil
}

// parseWait reads a long poll's wait: a Go duration from 0 to maxAPIWait.
func parseWait(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxAPIWait {
		return 0, fmt.Errorf("wait is a duration from 0s to %v, such as 10s, not %q", maxAPIWait, v)
	}
	return d, nil
}

// enterCall counts a request that waits (a long poll, a stream) among
// the server's goroutines, so that Shutdown ends it (it waits on s.ctx)
// and waits for it; 503 once Shutdown has begun. The caller calls
// s.goroutines.exit when done.
func (s *Server) enterCall() error {
	if !s.goroutines.enter() {
		return shuttingDown()
	}
	return nil
}

// apiMessages answers the log after a cursor: as JSON, waiting up to wait
// for a row when there is none yet, or, to a client that accepts
// text/event-stream, as a stream.
func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.apiLookup(r)
	if err != nil {
		return err
	}
	q, err := parseMessagesQuery(r)
	if err != nil {
		return err
	}
	if wantsStream(r) {
		return s.streamMessages(w, r, ss, q)
	}
	if err := s.checkCursor(ss, q.after, "after"); err != nil {
		return err
	}
	p := ss.rowsAfter(q.after, q.limit)
	if len(p.Messages) == 0 && p.Dropped == 0 && !p.closed && q.wait > 0 {
		if err := s.enterCall(); err != nil {
			return err
		}
		defer s.goroutines.exit()
		timer := time.NewTimer(q.wait)
		defer timer.Stop()
		for len(p.Messages) == 0 && p.Dropped == 0 && !p.closed {
			if !s.waitFor(r.Context(), p.changed, timer.C) {
				break
			}
			p = ss.rowsAfter(q.after, q.limit)
		}
	}
	if p.closed && len(p.Messages) == 0 {
		return noSession(ss.id)
	}
	return answer(w, http.StatusOK, p)
}

// waitFor waits for ch, and reports false when timeout fires first, the
// request goes or the server shuts down.
func (s *Server) waitFor(ctx context.Context, ch <-chan struct{}, timeout <-chan time.Time) bool {
	select {
	case <-ch:
		return true
	case <-timeout:
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	return false
}

// checkCursor refuses a cursor past the session's last row: one taken
// from an earlier session of the same name, which would skip this one's
// first rows.
func (s *Server) checkCursor(ss *session, after uint64, field string) error {
	ss.mu.Lock()
	last := ss.logN
	ss.mu.Unlock()
	if after > last {
		return badRequest(field, "%s is %d, past the session's last row (%d): a cursor of an earlier session of this name? start again from 0", field, after, last)
	}
	return nil
}

// wantsStream reports whether the request asks for server-sent events.
func wantsStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// streamMessages sends the log from the cursor (after, or the
// Last-Event-ID of a client that reconnects) as server-sent events, live
// until the client goes, the session ends (event end) or the server shuts
// down. Each write has the server's write timeout: a client that does not
// read is dropped, and holds nothing of the session's meanwhile.
func (s *Server) streamMessages(w http.ResponseWriter, r *http.Request, ss *session, q messagesQuery) error {
	cursor := q.after
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return badRequest("Last-Event-ID", "Last-Event-ID is a log number, not %q", id)
		}
		cursor = n
	}
	if err := s.checkCursor(ss, cursor, "after"); err != nil {
		return err
	}
	if err := s.enterCall(); err != nil {
		return err
	}
	defer s.goroutines.exit()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(chunk []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		if _, err := w.Write(chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send([]byte(": cpsim " + ss.id + "\n\n")) {
		return nil
	}
	heartbeat := time.NewTimer(sseHeartbeat)
	defer heartbeat.Stop()
	var chunk []byte
	for {
		p := ss.rowsAfter(cursor, maxAPILimit)
		chunk = chunk[:0]
		if p.Dropped > 0 {
			chunk = appendEvent(chunk, "dropped", strconv.FormatUint(p.Next, 10), map[string]uint64{"dropped": p.Dropped, "next": p.Next})
		}
		for _, m := range p.Messages {
			chunk = appendEvent(chunk, "message", strconv.FormatUint(m.N, 10), m)
		}
		cursor = p.Next
		if len(chunk) > 0 {
			if !send(chunk) {
				return nil
			}
			heartbeat.Reset(sseHeartbeat)
			if cap(chunk) > maxAPIPage {
				chunk = nil
			}
		}
		if p.closed {
			send(appendEvent(nil, "end", "", map[string]string{"reason": "the session ended"}))
			return nil
		}
		if len(p.Messages) > 0 || p.Dropped > 0 {
			continue // there may be more now
		}
		select {
		case <-p.changed:
		case <-heartbeat.C:
			if !send([]byte(": keep-alive\n\n")) {
				return nil
			}
			heartbeat.Reset(sseHeartbeat)
		case <-r.Context().Done():
			return nil
		case <-s.ctx.Done():
			send(appendEvent(nil, "end", "", map[string]string{"reason": errShuttingDown.Error()}))
			return nil
		}
	}
}

// appendEvent appends a server-sent event with a JSON data line.
func appendEvent(b []byte, event, id string, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte(`{}`) // the values are plain
	}
	if id != "" {
		b = append(b, "id: "...)
		b = append(b, id...)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, event...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}
