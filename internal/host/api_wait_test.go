package host

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cpsim/cpsim/internal/state"
)

// Tests of the API's waits run in a synctest bubble, on pipes: a long
// poll ends at its wait because the bubble's clock got there, and a
// stream's heartbeat comes because 15 s passed on it, however slow the
// machine.

func pipeAPI(t testing.TB, pp *pipePanel) *apiClient {
	return &apiClient{t: t, base: pp.URL, client: pp.client}
}

// TestAPILongPoll: a long poll with nothing after its cursor answers at
// the first row that comes, or, with none, once its wait has passed, with
// no message and the same cursor.
func TestAPILongPoll(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		c := pipeAPI(t, pp)
		c.must(http.StatusCreated, "PUT", "/api/v1/sessions/lp", "")
		call := c.event("lp", `{"type":"incoming","channel":"phone"}`)
		c.event("lp", `{"type":"accept","id":"`+call+`"}`)

		start := time.Now()
		empty := c.messages("lp", "wait=10s")
		if len(empty.Messages) != 0 || empty.Next != 0 || time.Since(start) != 10*time.Second {
			t.Errorf("a wait with no row answered %+v after %v, want none after 10s", empty, time.Since(start))
		}

		got := make(chan apiLogAnswer)
		start = time.Now()
		go func() { got <- c.messages("lp", "wait=60s") }()
		synctest.Wait() // the poll waits
		time.Sleep(3 * time.Second)
		var crm string
		for _, in := range c.view("lp").Instances {
			if in.Interaction == call && in.Key == "crm" {
				crm = in.ID
			}
		}
		c.event("lp", `{"type":"send","instance":"`+crm+`","message":{"id":"x","type":"state","payload":{}}}`)
		log := <-got
		if len(log.Messages) != 1 || log.Next != 1 || time.Since(start) != 3*time.Second {
			t.Errorf("the poll answered %+v after %v, want the row sent at 3s", log, time.Since(start))
		}

		// A poll whose session ends gets the exits the extensions got as it
		// ended; the next, 404.
		deleted := make(chan int)
		go func() {
			time.Sleep(time.Second)
			deleted <- c.do("DELETE", "/api/v1/sessions/lp", "").status
		}()
		exits := c.messages("lp", "wait=60s&after=1")
		if status := <-deleted; status != http.StatusNoContent {
			t.Errorf("DELETE answered %d", status)
		}
		for _, m := range exits.Messages {
			if !strings.Contains(string(m.Message), `"type":"exit"`) {
				t.Errorf("as the session ended: %+v", m)
			}
		}
		if len(exits.Messages) == 0 {
			t.Error("the extensions' exits are not in the log")
		}
		if a := c.do("GET", "/api/v1/sessions/lp/messages?wait=60s&after=1", ""); a.status != http.StatusNotFound {
			t.Errorf("a poll of an ended session answered %d %s", a.status, a.raw)
		}
	})
}

// view reads a session's view.
func (c *apiClient) view(session string) (v state.View) {
	c.t.Helper()
	a := c.do("GET", "/api/v1/sessions/"+session, "")
	var got struct {
		View state.View `json:"view"`
	}
	if err := json.Unmarshal(a.raw, &got); err != nil {
		c.t.Fatalf("%s: %v", a.raw, err)
	}
	return got.View
}

// sseEvent is one server-sent event.
type sseEvent struct {
	id, event, data string
	comment         string
}

// sseReader reads a stream's events.
type sseReader struct {
	t  testing.TB
	rd *bufio.Reader
}

// next reads the next event, or comment.
func (s *sseReader) next() sseEvent {
	s.t.Helper()
	var ev sseEvent
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			s.t.Fatalf("the stream ended: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			return ev
		case strings.HasPrefix(line, ":"):
			ev.comment = strings.TrimSpace(line[1:])
		default:
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "id":
				ev.id = v
			case "event":
				ev.event = v
			case "data":
				ev.data = v
			default:
				s.t.Fatalf("unexpected line %q", line)
			}
		}
	}
}

// stream opens a session's messages as server-sent events.
func (c *apiClient) stream(session, query string, headers ...string) *sseReader {
	c.t.Helper()
	req, err := http.NewRequestWithContext(beforeDeadline(c.t), "GET", c.base+"/api/v1/sessions/"+session+"/messages?"+query, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		c.t.Fatalf("the stream answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sseReader{t: c.t, rd: bufio.NewReader(resp.Body)}
}

// TestAPIStream: the messages as server-sent events, from the cursor (or
// Last-Event-ID), live, with a heartbeat every 15 s of silence, and an
// end event when the session ends.
func TestAPIStream(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		c := pipeAPI(t, pp)
		c.must(http.StatusCreated, "PUT", "/api/v1/sessions/sse", "")
		call := c.event("sse", `{"type":"incoming","channel":"phone"}`)
		c.event("sse", `{"type":"accept","id":"`+call+`"}`)
		var crm string
		for _, in := range c.view("sse").Instances {
			if in.Interaction == call && in.Key == "crm" {
				crm = in.ID
			}
		}
		send := func(id string) {
			c.event("sse", `{"type":"send","instance":"`+crm+`","message":{"id":"`+id+`","type":"state","payload":{}}}`)
		}
		send("a")
		send("b")

		s := c.stream("sse", "after=0")
		if ev := s.next(); ev.comment != "cpsim sse" {
			t.Fatalf("the stream starts with %+v", ev)
		}
		for i, id := range []string{"a", "b"} {
			ev := s.next()
			var m apiMessage
			if err := json.Unmarshal([]byte(ev.data), &m); err != nil {
				t.Fatal(err)
			}
			if ev.event != "message" || ev.id != jsonNumber(uint64(i+1)) || m.N != uint64(i+1) || !strings.Contains(string(m.Message), `"id":"`+id+`"`) {
				t.Errorf("event %d: %+v", i, ev)
			}
		}
		start := time.Now()
		if ev := s.next(); ev.comment != "keep-alive" || time.Since(start) != sseHeartbeat {
			t.Errorf("after the backlog: %+v after %v, want a heartbeat after %v", ev, time.Since(start), sseHeartbeat)
		}
		time.Sleep(time.Second)
		send("c")
		if ev := s.next(); ev.event != "message" || ev.id != "3" {
			t.Errorf("a live message came as %+v", ev)
		}

		// A client that reconnects with Last-Event-ID resumes after it.
		again := c.stream("sse", "", "Last-Event-ID", "2")
		again.next() // the opening comment
		if ev := again.next(); ev.id != "3" {
			t.Errorf("after Last-Event-ID 2 came %+v, want 3", ev)
		}

		c.must(http.StatusNoContent, "DELETE", "/api/v1/sessions/sse", "")
		for _, r := range []*sseReader{s, again} {
			ev := r.next()
			for ev.event == "message" { // the exit the extension got as it ended
				ev = r.next()
			}
			if ev.event != "end" || !strings.Contains(ev.data, "the session ended") {
				t.Errorf("after DELETE: %+v", ev)
			}
		}
	})
}

// TestAPISlowStreamReader: a stream whose client stops reading holds the
// session up in nothing: events go on being applied and logged while its
// writes wait, and once one has waited the write timeout, the stream is
// dropped.
func TestAPISlowStreamReader(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t, func(c *Config) { c.WriteTimeout = 5 * time.Second })
		c := pipeAPI(t, pp)
		c.must(http.StatusCreated, "PUT", "/api/v1/sessions/slow", "")
		call := c.event("slow", `{"type":"incoming","channel":"phone"}`)
		c.event("slow", `{"type":"accept","id":"`+call+`"}`)
		var crm string
		for _, in := range c.view("slow").Instances {
			if in.Interaction == call && in.Key == "crm" {
				crm = in.ID
			}
		}
		s := c.stream("slow", "") // and never read
		big := strings.Repeat("x", 256<<10)
		const sends = 8 // 2 MiB: far more than the pipe holds
		start := time.Now()
		for i := range sends {
			c.event("slow", `{"type":"send","instance":"`+crm+`","message":{"id":"`+jsonNumber(uint64(i))+`","type":"state","payload":{"pad":"`+big+`"}}}`)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("the events took %v while the stream was not read, want no time", took)
		}
		synctest.Wait()
		time.Sleep(5 * time.Second) // the stream's write times out
		synctest.Wait()
		n := 0
		for {
			if _, err := s.rd.ReadString('\n'); err != nil {
				break
			}
			n++
		}
		if n >= 4*sends {
			t.Errorf("the stream gave all %d lines, want it cut by the write timeout", n)
		}
	})
}
