package host

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// bigMessage is an extension's action of about n bytes: a detail request
// with a long field of its own (a schema warning, which does not matter
// here).
func bigMessage(id string, n int) string {
	return fmt.Sprintf(`{"id":%q,"type":"action","payload":{"command":"detail","value":"user","note":%q}}`, id, strings.Repeat("x", n))
}

// TestBigMessagesAreAbridgedInTheLog: the row of a big message carries an
// abridged copy and the message's size, so that the page can keep
// thousands of rows; the page gets the whole message when it asks (a full
// frame) while the session holds it, and a reason when it no longer does.
func TestBigMessagesAreAbridgedInTheLog(t *testing.T) {
	t.Parallel()
	const budget = 2 << 20
	_, hs := newTestServer(t, func(c *Config) { c.SessionMemory = budget })
	p := dial(t, hs, "", 0, true)
	p.acking = true
	_, inst := p.call()
	p.ext(inst, bigMessage("big-0", 100_000))
	row := p.waitFor(func(f map[string]any) bool { return f["t"] == "l" && f["dir"] == "in" && f["cut"] != nil })
	m := row["m"].(map[string]any)
	if m["id"] != "big-0" || row["sz"].(float64) > 4*abridgeTo || row["cut"].(float64) < 100_000 {
		t.Fatalf("the big message's row = id %v, sz %v, cut %v; want its id, an abridged copy, its size", m["id"], row["sz"], row["cut"])
	}
	note := m["payload"].(map[string]any)["note"].(string)
	if !strings.HasSuffix(note, "more bytes)") {
		t.Errorf("the abridged note ends %q", note[max(len(note)-40, 0):])
	}
	n := row["n"].(float64)
	p.send(map[string]any{"t": "full", "n": n})
	full := p.waitFor(func(f map[string]any) bool { return f["t"] == "full" && f["n"] == n })
	var whole map[string]any
	if b, _ := json.Marshal(full["m"]); json.Unmarshal(b, &whole) != nil || len(whole["payload"].(map[string]any)["note"].(string)) != 100_000 {
		t.Fatalf("the full frame = %.200v, want the whole message", full)
	}

	// Forty more push the first one's full text out of the budget.
	for i := 1; i <= 40; i++ {
		id := fmt.Sprintf("big-%d", i)
		p.ext(inst, bigMessage(id, 100_000))
		p.delivery(inst, responseID(id))
	}
	p.send(map[string]any{"t": "full", "n": n})
	gone := p.waitFor(func(f map[string]any) bool { return f["t"] == "full" && f["n"] == n && f["gone"] != nil })
	if !strings.Contains(gone["gone"].(string), "2.0 MiB memory budget") {
		t.Errorf("gone = %q, want the budget named", gone["gone"])
	}
	mem := p.waitFor(func(f map[string]any) bool {
		return f["t"] == "b" && f["dropped"].(map[string]any)["full"].(float64) > 0
	})
	if used := mem["used"].(float64); used > budget {
		t.Errorf("the session holds %v bytes, more than its budget of %d", used, budget)
	}
}

// TestBudgetLosesWhatThePageNeverTook: a page that leaves while its
// extension's messages pile up loses the oldest beyond a quarter of the
// session's budget, and is told when it comes back: a row for the
// instance that lost some (reported to cpsim test as well), and the count
// in the b frame.
func TestBudgetLosesWhatThePageNeverTook(t *testing.T) {
	t.Parallel()
	const budget = 1 << 20
	srv, hs := newTestServer(t, func(c *Config) { c.SessionMemory = budget })
	p := dial(t, hs, "", 0, true)
	call, inst := p.call()
	p.send(map[string]any{"t": "a", "seq": p.seq})
	p.ws.CloseNow()
	// A scenario-less session steps on the page's events only; a second
	// page of the same session (a reload that has not said hello yet is
	// not possible) is what drives it here: the engine through the
	// server, as the page's events would.
	ss := srv.session(p.session)
	for i := range 400 {
		srv.locked(ss, func(b *batch) {
			if _, err := ss.apply(b, mustEvent(t, map[string]any{"type": map[bool]string{true: "hold", false: "unhold"}[i%2 == 0], "id": call})); err != nil {
				t.Fatal(err)
			}
		})
	}
	q := dial(t, hs, p.session, p.seq, false, func(q *page) { q.gaps = true })
	rows, _ := q.history(1)
	i := slices.IndexFunc(rows, func(f map[string]any) bool {
		return f["i"] == inst && strings.Contains(fmt.Sprint(f["diag"]), "lost: the page did not take them")
	})
	if i < 0 {
		t.Fatal("no row says what was lost")
	}
	if lost := rows[i]; !strings.Contains(fmt.Sprint(lost["diag"]), "256 KiB of messages for a page that is gone") {
		t.Errorf("the row says %v, want the limit named", lost["diag"])
	}
	mem := q.waitFor(func(f map[string]any) bool { return f["t"] == "b" })
	if d := mem["dropped"].(map[string]any); d["deliveries"].(float64) == 0 {
		t.Errorf("the b frame counts no lost delivery: %v", d)
	}
	if used := mem["used"].(float64); used > budget {
		t.Errorf("the session holds %v bytes, more than its budget of %d", used, budget)
	}
}

// TestHeldDeliveriesLeaveEarly runs in a bubble: answers held back by an
// injected delay leave before it ends when they pass their quarter of the
// budget, with a note, rather than hold memory for as long as the delay.
func TestHeldDeliveriesLeaveEarly(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Held back past an eighth (256 KiB): 400 answers of about 1.2 KiB.
		_, pp := newPipeServer(t, func(c *Config) { c.SessionMemory = 2 << 20 })
		p := pp.dial(t, "", 0, true)
		p.acking = true
		_, inst := p.call()
		p.mustEvent(map[string]any{"type": "delay", "command": "detail", "ms": 3_600_000})
		var frames []map[string]any
		for i := range 400 {
			frames = append(frames, map[string]any{"t": "m", "i": inst, "m": json.RawMessage(bigMessage(fmt.Sprint("held-", i), 1000))})
		}
		p.send(frames...)
		note := p.waitFor(func(f map[string]any) bool {
			return f["t"] == "l" && strings.Contains(fmt.Sprint(f["diag"]), "left before their injected delay ended")
		})
		if strings.Contains(fmt.Sprint(note["diag"]), "severity:warning") {
			t.Errorf("the note is a warning: %v", note["diag"])
		}
		p.delivery(inst, responseID("held-0")) // long before the hour
	})
}

// TestServerBudgetIsShared: sessions that together hold more than the
// server's budget each keep their share.
func TestServerBudgetIsShared(t *testing.T) {
	t.Parallel()
	const server = 4 << 20
	srv, hs := newTestServer(t, func(c *Config) {
		c.SessionMemory = 4 << 20
		c.ServerMemory = server
	})
	for range 3 {
		p := dial(t, hs, "", 0, true)
		p.acking = true
		_, inst := p.call()
		for i := range 40 {
			id := fmt.Sprint("big-", i)
			p.ext(inst, bigMessage(id, 100_000))
			p.delivery(inst, responseID(id))
		}
	}
	srv.rebalance()
	if used := srv.memUsed.Load(); used > server {
		t.Errorf("the sessions hold %d bytes together, more than the server's budget of %d", used, server)
	}
}

func (s *Server) session(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func mustEvent(t *testing.T, ev map[string]any) state.Event {
	t.Helper()
	e, err := decodeEvent(mustJSON(t, ev))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestScenarioWaitsForAPageThatIsBehind runs in a bubble: a chat scripted
// with no waits, whose state messages a connected page has not taken, is
// held before its next step until the page catches up, rather than pile
// up past the session's budget and lose them; a page that takes them lets
// it go on at once.
func TestScenarioWaitsForAPageThatIsBehind(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var src strings.Builder
		src.WriteString("name: chat\nsteps:\n  - incoming: {as: c, channel: chat}\n  - accept: c\n  - expect: {type: init, within: 1h}\n")
		for i := range 200 {
			fmt.Fprintf(&src, "  - say: {in: c, from: customer, text: %q}\n", fmt.Sprint(i, " ", strings.Repeat("x", 2000)))
		}
		sc := parseScenario(t, "chat", src.String())
		srv, pp := newPipeServer(t, func(c *Config) {
			c.Scenarios = []*scenario.Scenario{sc}
			c.SessionMemory = 4 << 20
		})
		p := pp.dial(t, "", 0, true)
		p.event(map[string]any{"type": "scenario_play", "name": "chat"})
		ss := srv.session(p.session)
		var chat string
		p.view(func(v state.View) bool {
			for _, it := range v.Interactions {
				if len(it.Instances) > 0 {
					chat = it.ID
					return true
				}
			}
			return false
		})
		inst := p.instanceOf(chat)
		p.ext(inst, `{"id":"init","type":"init","payload":true}`)
		p.delivery(inst, responseID("init"))
		// status says whether the scenario still plays, and what was lost.
		status := func() (playing bool, lost int64, page *conn) {
			ss.mu.Lock()
			defer ss.mu.Unlock()
			return ss.play != nil, ss.dropped.Deliveries, ss.conn
		}
		// The page reads, as a browser's network does, but its extensions
		// take nothing: it acknowledges nothing until told to.
		var acking atomic.Bool
		passed := make(chan struct{})
		go func() {
			var seq uint64
			for {
				_, data, err := p.ws.Read(p.ctx)
				if err != nil {
					return
				}
				var frames []map[string]any
				_ = json.Unmarshal(data, &frames)
				for _, f := range frames {
					if f["t"] == "d" {
						seq = uint64(f["seq"].(float64))
					}
					if f["t"] == "s" && f["state"] == "passed" {
						close(passed)
					}
				}
				if acking.Load() {
					_ = p.ws.Write(p.ctx, websocket.MessageText, fmt.Appendf(nil, `[{"t":"a","seq":%d}]`, seq))
				}
			}
		}()
		synctest.Wait()
		page := ss.conn
		if playing, lost, c := status(); !playing || lost != 0 || c == nil {
			t.Fatalf("ahead of a page that took nothing: playing %v, lost %d, page kept %v", playing, lost, c != nil)
		}
		// A page that takes what it gets lets it run to its end.
		acking.Store(true)
		p.write([]map[string]any{{"t": "a", "seq": p.seq}})
		<-passed
		if _, lost, c := status(); lost != 0 || c != page {
			t.Errorf("at the end: lost %d, page kept %v", lost, c == page)
		}
	})
}
