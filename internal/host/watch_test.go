package host

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
)

// Tests of the watching pages (watch.go) run in a synctest bubble: the
// server pings the page that hosts a session before a page watches it,
// and gives it a second to answer, on the bubble's clock, which does not
// move while the hosting page answers.

// pump reads the page's websocket in a goroutine of its own (page.pumped),
// so that the page answers the server's pings while the test does
// something else, as a browser page does.
func (p *page) pump() {
	p.pumped = make(chan []byte, 1<<14)
	go func() {
		defer close(p.pumped)
		for {
			_, data, err := p.ws.Read(p.ctx)
			if err != nil {
				p.pumpErr = err
				return
			}
			p.pumped <- data
		}
	}()
}

// seat is dial's option for a watching page that comes back to its seat.
func seat(id string) func(*page) { return func(p *page) { p.seat = id } }

// framesOf are the frames of type t a page received.
func (p *page) framesOf(t string) []map[string]any {
	var out []map[string]any
	for _, f := range p.frames {
		if f["t"] == t {
			out = append(out, f)
		}
	}
	return out
}

// watchers counts the pages watching a session.
func (s *Server) watchers(id string) int {
	ss := s.session(id)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.watchedBy()
}

// TestAWatchingPageSeesTheSessionAndActsOnIt: a page opened at
// /?session=ID for a session that a live page hosts watches it: it gets
// its welcome (watching, its seat), that a page hosts the session, the
// view and the log (its history and live rows, which carry their
// messages), and no delivery; its events act on the session, answered to
// it alone, in its own numbering, which it resumes in its seat after a
// dropped connection. A watcher that leaves changes nothing for the host;
// the host that leaves tells its watchers, and the session stays while
// one watches; a watcher that takes over hosts the session, and the
// extensions load there.
func TestAWatchingPageSeesTheSessionAndActsOnIt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, pp := newPipeServer(t, func(c *Config) { c.SessionGrace = time.Minute })
		h := pp.dial(t, "", 0, true)
		h.pump()
		call, inst := h.call()

		w := pp.dial(t, h.session, 0, true, named)
		welcome := w.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" })
		if diff := cmp.Diff(map[string]any{"t": "welcome", "session": h.session, "resumed": true, "seq": welcome["seq"], "in": 0.0, "watching": true, "watcher": "w1"}, welcome); diff != "" {
			t.Errorf("the watcher's welcome (-want +got):\n%s", diff)
		}
		if hosting := w.waitFor(func(f map[string]any) bool { return f["t"] == "hosting" }); hosting["on"] != true {
			t.Errorf("hosting %v, want on", hosting)
		}
		w.view(func(v state.View) bool { return len(v.Interactions) == 1 && v.Interactions[0].ID == call })
		w.write([]map[string]any{{"t": "log", "from": 1}}) // as the page asks for its history
		init := w.waitFor(func(f map[string]any) bool {
			m, _ := f["m"].(map[string]any)
			return f["t"] == "l" && f["i"] == inst && f["dir"] == "out" && m["type"] == "response" && m["id"] == "init"
		})
		if init["seq"] != nil {
			t.Errorf("the history's row names a delivery: %v", init)
		}

		// Live: the extension asks, the panel answers; the watcher sees
		// both rows, with their messages.
		h.ext(inst, `{"id":"who","type":"action","payload":{"command":"detail","value":"user"}}`)
		h.delivery(inst, responseID("who"))
		row := w.waitFor(func(f map[string]any) bool {
			m, _ := f["m"].(map[string]any)
			return f["t"] == "l" && f["dir"] == "out" && f["i"] == inst && m["id"] == "who"
		})
		if row["seq"] != nil || row["m"].(map[string]any)["type"] != "response" {
			t.Errorf("the watcher's live row of the response: %v", row)
		}

		// The watcher's event acts on the session: the host sees the
		// call held and the extension hears it; the answer and the
		// acknowledgement of the watcher's frame are the watcher's alone.
		h.frames = nil // what follows only
		w.mustEvent(map[string]any{"type": "hold", "id": call})
		w.waitFor(func(f map[string]any) bool { return f["t"] == "k" && f["q"] == 1.0 })
		h.view(func(v state.View) bool { return v.Interactions[0].Held })
		h.delivery(inst, func(m map[string]any) bool { return m["type"] == "state" })
		if r, k := h.framesOf("r"), h.framesOf("k"); len(r)+len(k) > 0 {
			t.Errorf("the host got the watcher's answers: %v %v", r, k)
		}

		// A dropped connection: the watcher comes back to its seat, its
		// numbering resumed.
		w.ws.CloseNow()
		w = pp.dial(t, h.session, 0, true, named, seat("w1"))
		if w.in != 1 {
			t.Errorf("the watcher came back with in %d, want 1: the frame it sent was processed", w.in)
		}
		w.mustEvent(map[string]any{"type": "unhold", "id": call})

		// A second watcher comes and goes: nothing happens to the host.
		w2 := pp.dial(t, h.session, 0, true, named)
		if got := w2.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" })["watcher"]; got != "w2" {
			t.Errorf("the second watcher's seat %v, want w2", got)
		}
		w2.ws.CloseNow()
		synctest.Wait()
		h.mustEvent(map[string]any{"type": "hold", "id": call})
		if got := h.framesOf("hosting"); len(got) > 0 {
			t.Errorf("the host was told %v", got)
		}
		for _, f := range append(w.frames, w2.frames...) {
			if f["t"] == "d" {
				t.Errorf("a watcher got a delivery: %v", f)
			}
		}

		// The host leaves: the watcher is told, and the session stays as
		// long as it watches.
		h.ws.CloseNow()
		if hosting := w.waitFor(func(f map[string]any) bool { return f["t"] == "hosting" && f["on"] == false }); hosting["embed"] != nil {
			t.Errorf("hosting %v", hosting)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if !srv.holds(h.session) {
			t.Fatal("the session ended while a page watched it")
		}

		// It takes over: it hosts the session, and the extension loads
		// there again.
		w.ws.CloseNow()
		n := pp.dial(t, h.session, 0, true, named)
		welcome = n.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" })
		if welcome["watching"] != nil || welcome["resumed"] != true {
			t.Errorf("the page that took over was welcomed %v, want resumed, not watching", welcome)
		}
		n.ext(inst, `{"id":"init2","type":"init","payload":true}`)
		n.delivery(inst, responseID("init2"))
	})
}

// TestAWatcherSendsNoExtensionMessages: a watching page hosts no
// extension, so an m frame from it is refused with why.
func TestAWatcherSendsNoExtensionMessages(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		h := pp.dial(t, "", 0, true)
		h.pump()
		w := pp.dial(t, h.session, 0, true, named)
		w.ext("bg-1", `{"id":"1","type":"init","payload":true}`)
		if code, why := w.closeStatus(); code != websocket.StatusPolicyViolation || !strings.Contains(why, "a watching page hosts no extension") {
			t.Errorf("closed with %v %q", code, why)
		}
		h.mustEvent(map[string]any{"type": "incoming", "channel": "chat"})
	})
}

// TestWatchersAreBounded: a session has at most maxWatchers watching
// pages; one more is refused with why, and gets in once one leaves.
func TestWatchersAreBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, pp := newPipeServer(t)
		h := pp.dial(t, "", 0, true)
		h.pump()
		var ws []*page
		for range maxWatchers {
			ws = append(ws, pp.dial(t, h.session, 0, true, named))
		}
		extra := pp.rawPage(t)
		extra.write([]map[string]any{{"t": "hello", "session": h.session, "named": true, "seq": 0, "fresh": true}})
		want := fmt.Sprintf("the session %s has %d watching pages, its most: close one", h.session, maxWatchers)
		if code, why := extra.closeStatus(); code != websocket.StatusTryAgainLater || why != want {
			t.Errorf("closed with %v %q, want 1013 %q", code, why, want)
		}
		ws[0].ws.CloseNow()
		waitUntil(t, func() bool { return srv.watchers(h.session) == maxWatchers-1 })
		pp.dial(t, h.session, 0, true, named)
	})
}

// TestASlowWatcherIsDroppedWithoutDelayingItsHost: a watching page that
// stops reading is dropped once what waits for it passes its own bound
// (half the session's budget),
// and never holds up the hosting page: the host's extension floods the
// panel with requests and gets every answer while no time passes on the
// bubble's clock, which would have to move by the write timeout if the
// host's relay waited on the watcher's socket.
func TestASlowWatcherIsDroppedWithoutDelayingItsHost(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const timeout = 5 * time.Second
		srv, pp := newPipeServer(t, func(c *Config) {
			c.WriteTimeout = timeout
			c.SessionMemory = 2 << 20 // the watcher may have 1 MiB waiting
		})
		h := pp.dial(t, "", 0, true)
		h.pump()
		h.acking = true
		_, inst := h.call()
		w := pp.dial(t, h.session, 0, true, named) // it never reads again
		start := time.Now()
		asked := 0
		for srv.watchers(h.session) > 0 {
			if asked >= 20000 {
				t.Fatalf("the watcher is still connected after %d requests (%v on the bubble's clock)", asked, time.Since(start))
			}
			var msgs []map[string]any
			for range 200 {
				asked++
				msgs = append(msgs, map[string]any{"t": "m", "i": inst,
					"m": json.RawMessage(fmt.Sprintf(`{"id":"q%d","type":"action","payload":{"command":"detail","value":"user"}}`, asked))})
			}
			h.send(msgs...)
			last := fmt.Sprintf("q%d", asked)
			h.delivery(inst, responseID(last))
		}
		if d := time.Since(start); d >= timeout {
			t.Errorf("the host waited %v for its answers: the slow watcher held it up", d)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := w.ws.Ping(ctx); err == nil {
			t.Error("the watcher's connection is still open")
		}
		t.Logf("the watcher was dropped after %d requests", asked)
	})
}
