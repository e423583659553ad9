package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
)

// testAssets stands in for web/: the server only needs them to exist.
var testAssets = fstest.MapFS{
	"host.html":         {Data: []byte("<!doctype html><title>cpsim</title>")},
	"static/host.js":    {Data: []byte(`"use strict";`)},
	"static/host.css":   {Data: []byte("body{}")},
	"static/js/util.js": {Data: []byte("export {};")},
}

func testData(t testing.TB) *state.Data {
	t.Helper()
	d, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	d.Extensions = []state.ExtensionData{
		{Key: "crm", URL: "http://localhost:9/crm.html"},
		{Key: "bg", URL: "http://localhost:9/bg.html", Mode: "global"},
	}
	return d
}

// testConfig is the configuration of the tests' panels: the test data,
// with the engine's self-check on and reproducible ids.
func testConfig(t testing.TB) Config {
	t.Helper()
	return Config{
		Logger:    slog.New(slog.NewTextHandler(testLogOut, nil)),
		Data:      testData(t),
		Validator: statetest.Validator(t),
		Assets:    testAssets,
		Strict:    true,
		Seed:      1,
	}
}

// newTestServer starts a panel on an httptest server. Its pages have until
// the test's deadline to read what it writes: a test on loopback cannot
// tell a slow page from a busy machine (those that test the write timeout
// run in a synctest bubble, on pipes).
func newTestServer(t *testing.T, edit ...func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	cfg := testConfig(t)
	cfg.WriteTimeout = time.Until(safetyNet(t))
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		_ = srv.Shutdown(beforeDeadline(t))
		hs.Close()
	})
	return srv, hs
}

// page is a test's stand-in for the browser page: it speaks the relay
// protocol over a real websocket.
type page struct {
	t       testing.TB
	ws      *websocket.Conn
	ctx     context.Context
	session string
	seq     uint64 // last delivery seen
	n       int64
	q       uint64           // last numbered frame sent
	unacked []map[string]any // numbered frames the server has not acknowledged
	in      uint64           // the welcome's in
	fresh   bool             // the page said hello as a new page
	frames  []map[string]any // everything received, in order
	// acking acknowledges deliveries as it reads them, every 200, as the
	// browser page does (every 100 ms), for tests of long runs: without
	// it, the session's memory budget drops what the page never took.
	acking bool
	acked  uint64
	gaps   bool // deliveries may be missing: the session lost them (memory_test.go)
	named  bool // the hello names the session, as a page opened at /?session=NAME
	// seat is the hello's watcher: a watching page that comes back to its
	// seat (watch_test.go).
	seat string
	// pumped, when set, has the websocket's messages, which a goroutine
	// reads as they come (pump), so that the page answers the server's
	// pings while the test does something else; pumpErr is why the
	// reading ended, once pumped is closed.
	pumped  chan []byte
	pumpErr error
}

// named is dial's option for a page opened at /?session=NAME.
func named(p *page) { p.named = true }

func wsURL(hs *httptest.Server) string { return wsAt(hs.URL) }

func wsAt(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/ws" }

// dial connects a page and says hello.
func dial(t testing.TB, hs *httptest.Server, session string, seq uint64, fresh bool, opts ...func(*page)) *page {
	return dialWith(t, hs.URL, nil, session, seq, fresh, opts...)
}

// dialWith connects a page opened at base (its origin) with an HTTP client.
// The page's reads and writes end only at the test's safety net.
func dialWith(t testing.TB, base string, client *http.Client, session string, seq uint64, fresh bool, opts ...func(*page)) *page {
	t.Helper()
	ctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(ctx, wsAt(base), &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(16 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	p := &page{t: t, ws: ws, ctx: ctx, seq: seq, fresh: fresh}
	for _, o := range opts {
		o(p)
	}
	hello := map[string]any{"t": "hello", "session": session, "seq": seq, "fresh": fresh}
	if p.named {
		hello["named"] = true
	}
	if p.seat != "" {
		hello["watcher"] = p.seat
	}
	p.send(hello)
	w := p.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" })
	p.session = w["session"].(string)
	p.in = uint64(w["in"].(float64))
	p.q = p.in
	return p
}

// send numbers m and e frames, as the page does, and writes them.
func (p *page) send(frames ...map[string]any) {
	p.t.Helper()
	p.number(frames)
	p.write(frames)
}

// number numbers m and e frames, as the page does before it sends them.
func (p *page) number(frames []map[string]any) {
	for _, f := range frames {
		if f["t"] == "m" || f["t"] == "e" {
			p.q++
			f["q"] = float64(p.q)
			p.unacked = append(p.unacked, f)
		}
	}
}

func (p *page) write(frames []map[string]any) {
	p.t.Helper()
	data, err := json.Marshal(frames)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.ws.Write(p.ctx, websocket.MessageText, data); err != nil {
		p.t.Fatal(err)
	}
}

// next reads the next websocket message: from pumped when the page is
// pumped, else from the websocket.
func (p *page) next() ([]byte, error) {
	if p.pumped == nil {
		_, data, err := p.ws.Read(p.ctx)
		return data, err
	}
	data, ok := <-p.pumped
	if !ok {
		return nil, p.pumpErr
	}
	return data, nil
}

// read reads one websocket message of frames.
func (p *page) read() []map[string]any {
	p.t.Helper()
	data, err := p.next()
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	var frames []map[string]any
	if err := json.Unmarshal(data, &frames); err != nil {
		p.t.Fatalf("the server sent %q: %v", data, err)
	}
	for _, f := range frames {
		if f["t"] == "welcome" && p.fresh {
			p.seq = uint64(f["seq"].(float64)) // a new page starts from here
		}
		if f["t"] == "k" {
			q := f["q"].(float64)
			p.unacked = slices.DeleteFunc(p.unacked, func(u map[string]any) bool { return u["q"].(float64) <= q })
		}
		if f["t"] == "d" {
			seq := uint64(f["seq"].(float64))
			if seq != p.seq+1 && seq > p.seq && !p.gaps {
				p.t.Errorf("delivery seq %d after %d: a delivery is missing", seq, p.seq)
			}
			if seq > p.seq {
				p.seq = seq
			}
		}
	}
	p.frames = append(p.frames, frames...)
	if p.acking && p.seq >= p.acked+200 {
		p.acked = p.seq
		p.write([]map[string]any{{"t": "a", "seq": p.seq}})
	}
	return frames
}

// waitFor reads until a frame matches, and returns it.
func (p *page) waitFor(match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	for _, f := range p.frames {
		if match(f) {
			return f
		}
	}
	for {
		for _, f := range p.read() {
			if match(f) {
				return f
			}
		}
	}
}

// event sends a panel event and returns its result frame.
func (p *page) event(ev map[string]any) map[string]any {
	p.t.Helper()
	p.n++
	n := float64(p.n)
	p.send(map[string]any{"t": "e", "n": p.n, "e": ev})
	return p.waitFor(func(f map[string]any) bool { return f["t"] == "r" && f["n"] == n })
}

// mustEvent sends an event that must succeed.
func (p *page) mustEvent(ev map[string]any) map[string]any {
	p.t.Helper()
	r := p.event(ev)
	if e, ok := r["error"]; ok {
		p.t.Fatalf("event %v: %v", ev, e)
	}
	return r
}

// ext posts a message from an extension instance.
func (p *page) ext(inst, msg string) {
	p.t.Helper()
	p.send(map[string]any{"t": "m", "i": inst, "m": json.RawMessage(msg)})
}

// delivery waits for a delivery to inst matching a predicate on its message.
func (p *page) delivery(inst string, match func(m map[string]any) bool) map[string]any {
	p.t.Helper()
	f := p.waitFor(func(f map[string]any) bool {
		return f["t"] == "d" && f["i"] == inst && match(f["m"].(map[string]any))
	})
	return f["m"].(map[string]any)
}

// rowMessage is a log row's message: its own m, or its delivery's.
func (p *page) rowMessage(row map[string]any) map[string]any {
	if m, ok := row["m"].(map[string]any); ok {
		return m
	}
	for _, f := range p.frames {
		if f["t"] == "d" && row["seq"] != nil && f["seq"] == row["seq"] {
			return f["m"].(map[string]any)
		}
	}
	return nil
}

func responseID(id string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["type"] == "response" && m["id"] == id }
}

// view waits for a view that satisfies match.
func (p *page) view(match func(v state.View) bool) state.View {
	p.t.Helper()
	var got state.View
	p.waitFor(func(f map[string]any) bool {
		if f["t"] != "v" {
			return false
		}
		data, _ := json.Marshal(f["v"])
		var v state.View
		if err := json.Unmarshal(data, &v); err != nil {
			p.t.Fatal(err)
		}
		got = v
		return match(v)
	})
	return got
}

// instanceOf waits for the crm instance of an interaction.
func (p *page) instanceOf(interaction string) string {
	p.t.Helper()
	inst := ""
	p.view(func(v state.View) bool {
		for _, in := range v.Instances {
			if in.Interaction == interaction && in.Key == "crm" {
				inst = in.ID
				return true
			}
		}
		return false
	})
	return inst
}

// call creates and accepts a phone call, and returns it with its crm
// instance, initialized.
func (p *page) call() (string, string) {
	p.t.Helper()
	id := p.mustEvent(map[string]any{"type": "incoming", "channel": "phone", "cad": map[string]any{"d1": "041"}})["created"].(string)
	p.mustEvent(map[string]any{"type": "accept", "id": id})
	inst := p.instanceOf(id)
	p.ext(inst, `{"id":"init","type":"init","payload":true}`)
	p.delivery(inst, responseID("init"))
	return id, inst
}

func (p *page) closeStatus() (websocket.StatusCode, string) {
	p.t.Helper()
	for {
		_, err := p.next()
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			p.t.Fatalf("the connection ended without a close frame: %v", err)
		}
	}
}

func TestPageRoutes(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	tests := []struct {
		path, header, want string
		code               int
	}{
		{"/", "Content-Security-Policy", "frame-src http: https:;", 200},
		{"/", "Content-Security-Policy", "frame-ancestors 'none'", 200},
		{"/", "Referrer-Policy", "origin", 200},
		{"/static/host.js", "Cache-Control", "no-cache", 200},
		{"/static/missing.js", "", "", 404},
		{"/static/js/util.js", "Cache-Control", "no-cache", 200},
		{"/static/", "", "", 404}, // no directory listings
		{"/static/js/", "", "", 404},
		{"/static/js", "", "", 404},
		{"/healthz", "Content-Type", "text/plain", 200},
		{"/nope", "", "", 404},
	}
	for _, tt := range tests {
		resp, err := http.Get(hs.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.code)
		}
		if tt.header != "" && !strings.Contains(resp.Header.Get(tt.header), tt.want) {
			t.Errorf("GET %s: %s = %q, want it to contain %q", tt.path, tt.header, resp.Header.Get(tt.header), tt.want)
		}
	}
}

func TestHostNamesAreChecked(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t, func(c *Config) { c.Hosts = []string{"127.0.0.1", "localhost"} })
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost": 200, "LOCALHOST:1": 200, "rebound.example:8080": 421} {
		req, _ := http.NewRequest("GET", hs.URL+"/healthz", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
		port := hs.URL[strings.LastIndex(hs.URL, ":"):]
		if want == http.StatusMisdirectedRequest && !strings.Contains(string(body), "open it as http://127.0.0.1"+port+" or http://localhost"+port+", or start cpsim with -allowed-host") {
			t.Errorf("Host %s: the refusal does not say what to do: %q", host, body)
		}
	}
}

// TestWebsocketRefusesForeignOrigins: only the panel page opens the
// relay. A browser sends the page's origin with every websocket; a
// request from another site, or with no Origin at all (a local process, a
// script: no browser omits it), is refused with 403.
func TestWebsocketRefusesForeignOrigins(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	ctx := beforeDeadline(t)
	for _, origin := range []string{"http://localhost:8081", "https://evil.example", "null", ""} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		_, resp, err := websocket.Dial(ctx, wsURL(hs), &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			t.Errorf("Origin %s: accepted", origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %s: %v, want 403", origin, err)
		}
	}
}

func TestRelayRoundTrip(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	if p.waitFor(func(f map[string]any) bool { return f["t"] == "p" }) == nil {
		t.Fatal("no problems frame")
	}
	call, inst := p.call()

	// The cached states arrive after the init response, logged with it.
	st := p.delivery(inst, func(m map[string]any) bool { return m["type"] == "state" })
	if st["payload"].(map[string]any)["value"] != "accepted" {
		t.Errorf("first cached state = %v", st)
	}
	p.ext(inst, `{"id":"d1","type":"action","payload":{"command":"detail","value":"interaction"}}`)
	m := p.delivery(inst, responseID("d1"))
	if m["payload"].(map[string]any)["value"].(map[string]any)["id"] != call {
		t.Errorf("detail interaction = %v", m)
	}
	row := p.waitFor(func(f map[string]any) bool {
		return f["t"] == "l" && f["dir"] == "out" && p.rowMessage(f)["id"] == "d1"
	})
	if _, repeated := row["m"]; repeated {
		t.Error("a live row repeats the message its delivery carries")
	}
	if row["re"] == nil || row["i"] != inst || row["k"] != "crm" {
		t.Errorf("the response's log row is not paired with its request: %v", row)
	}
	in := p.waitFor(func(f map[string]any) bool { return f["t"] == "l" && f["dir"] == "in" && f["n"] == row["re"] })
	if in["m"].(map[string]any)["id"] != "d1" {
		t.Errorf("re points at %v", in)
	}

	// A refusal reaches the page as the event's result.
	if r := p.event(map[string]any{"type": "accept", "id": call}); !strings.Contains(fmt.Sprint(r["error"]), "already accepted") {
		t.Errorf("accepting twice: %v", r)
	}
}

func TestDiagnosticsReachTheInspector(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	_, inst := p.call()
	p.ext(inst, `{"id":"x","type":"action","payload":{"command":"details","value":"user"}}`)
	row := p.waitFor(func(f map[string]any) bool { return f["t"] == "l" && f["dir"] == "in" && f["diag"] != nil })
	// The worst first: the refusal, then the schema's enum, a note beside
	// it.
	ds := row["diag"].([]any)
	if d := ds[0].(map[string]any); len(ds) != 2 || d["severity"] != "error" || d["kind"] != "refused" {
		t.Errorf("diagnostics = %v", ds)
	}
	if d := ds[len(ds)-1].(map[string]any); d["severity"] != "info" || d["kind"] != "schema" || d["path"] != "/payload/command" {
		t.Errorf("diagnostic = %v", d)
	}
	p.send(map[string]any{"t": "m", "i": inst, "bad": "not serializable: cyclic object"})
	row = p.waitFor(func(f map[string]any) bool { return f["t"] == "l" && f["raw"] == "not serializable: cyclic object" })
	if d := row["diag"].([]any)[0].(map[string]any); d["severity"] != "error" {
		t.Errorf("bad message row = %v", row)
	}
}

func TestPagesAreSessionsOfTheirOwn(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	a := dial(t, hs, "", 0, true)
	b := dial(t, hs, "", 0, true)
	if a.session == b.session {
		t.Fatal("two pages share a session")
	}
	a.mustEvent(map[string]any{"type": "incoming", "channel": "chat"})
	a.view(func(v state.View) bool { return len(v.Interactions) == 1 })
	b.mustEvent(map[string]any{"type": "work_status", "status": "not_ready"})
	v := b.view(func(v state.View) bool { return v.User.WorkStatus == "not_ready" })
	if len(v.Interactions) != 0 {
		t.Errorf("page b sees page a's chat: %+v", v.Interactions)
	}
}

func TestResumeAfterADroppedConnection(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	call, inst := p.call()
	posted := p.seq
	p.send(map[string]any{"t": "a", "seq": posted})

	// Deliveries the page receives but never posts: the connection drops.
	p.mustEvent(map[string]any{"type": "hold", "id": call})
	p.mustEvent(map[string]any{"type": "unhold", "id": call})
	p.waitFor(func(f map[string]any) bool {
		return f["t"] == "d" && f["m"].(map[string]any)["payload"].(map[string]any)["value"] == "connected"
	})
	p.ws.CloseNow()

	q := dial(t, hs, p.session, posted, false)
	if q.session != p.session {
		t.Fatalf("resumed into session %s, want %s", q.session, p.session)
	}
	var got []string
	q.waitFor(func(f map[string]any) bool {
		if f["t"] == "d" && f["i"] == inst {
			got = append(got, f["m"].(map[string]any)["payload"].(map[string]any)["value"].(string))
		}
		return len(got) == 2
	})
	if strings.Join(got, " ") != "onhold connected" {
		t.Errorf("resent %v, want the hold then the unhold, once each", got)
	}
}

func TestReloadLosesNoMessage(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	call, inst := p.call()
	p.send(map[string]any{"t": "a", "seq": p.seq})
	posted := p.seq
	p.mustEvent(map[string]any{"type": "hold", "id": call}) // sent, never posted
	p.ws.CloseNow()

	q := dial(t, hs, p.session, posted, true) // the page reloaded
	v := q.view(func(v state.View) bool { return len(v.Instances) > 0 })
	for _, in := range v.Instances {
		if in.Phase != state.PhaseLoaded {
			t.Errorf("after a reload %s is %s, want loaded", in.ID, in.Phase)
		}
	}
	q.mustEvent(map[string]any{"type": "unhold", "id": call}) // while the new page loads
	q.ext(inst, `{"id":"init2","type":"init","payload":true}`)
	q.delivery(inst, responseID("init2"))
	var got []string
	q.waitFor(func(f map[string]any) bool {
		if f["t"] == "d" && f["i"] == inst && f["m"].(map[string]any)["type"] == "state" {
			got = append(got, f["m"].(map[string]any)["payload"].(map[string]any)["value"].(string))
		}
		return len(got) == 2
	})
	if strings.Join(got, " ") != "onhold connected" {
		t.Errorf("the new page's init delivered %v, want the hold it missed, then the unhold", got)
	}
	history := q.mustLog(1)
	if len(history) == 0 {
		t.Error("no log history after the reload")
	}
}

// mustLog asks for the log from n on and returns the rows of the message
// that answers, skipping other messages (a view) that come first.
func (p *page) mustLog(n uint64) []map[string]any {
	p.t.Helper()
	p.send(map[string]any{"t": "log", "from": n})
	for {
		var rows []map[string]any
		for _, f := range p.read() {
			if f["t"] == "l" {
				rows = append(rows, f)
			}
		}
		if len(rows) > 0 {
			return rows
		}
	}
}

// TestDuplicatedTabGetsItsOwnSession runs in a bubble: the server gives a
// live page a second to answer its ping, on the bubble's clock, which
// does not move while the page is answering.
func TestDuplicatedTabGetsItsOwnSession(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		a := pp.dial(t, "", 0, true)
		go func() { // keep reading so that a's page answers pings
			for {
				if _, _, err := a.ws.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		b := pp.dial(t, a.session, 0, true)
		if b.session == a.session {
			t.Errorf("a duplicated tab took over a live page's session")
		}
	})
}

// TestDelayedResponse runs in a bubble: the injected delay passes on the
// bubble's clock, and only once nothing else is left to happen. The
// response's log row says how late it came, on the server's clock, so that
// the page can mark one later than the 5 s CPC.js waits (docs/relay.md, l
// frames) whatever the page's own clock says: here exactly the delay.
func TestDelayedResponse(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		p := pp.dial(t, "", 0, true)
		call, inst := p.call()
		p.mustEvent(map[string]any{"type": "delay", "command": "detail", "ms": 6000})
		p.frames = nil // only what follows counts
		start := time.Now()
		p.ext(inst, `{"id":"slow","type":"action","payload":{"command":"detail","value":"user"}}`)
		p.mustEvent(map[string]any{"type": "hold", "id": call})
		var order []string
		p.waitFor(func(f map[string]any) bool {
			if f["t"] == "d" && f["i"] == inst {
				m := f["m"].(map[string]any)
				order = append(order, fmt.Sprint(m["type"], ":", m["id"]))
				return m["id"] == "slow"
			}
			return false
		})
		if time.Since(start) < 6*time.Second {
			t.Errorf("the delayed response came after %v", time.Since(start))
		}
		if len(order) < 2 || !strings.HasPrefix(order[0], "state") {
			t.Errorf("deliveries %v: the state caused meanwhile must overtake the late response", order)
		}
		p.ext(inst, `{"id":"prompt","type":"action","payload":{"command":"callState","value":"unhold"}}`)
		for id, ms := range map[string]float64{"slow": 6000, "prompt": 0} {
			row := p.waitFor(func(f map[string]any) bool {
				return f["t"] == "l" && f["dir"] == "out" && f["i"] == inst && p.rowMessage(f)["id"] == id
			})
			if row["re"] == nil || row["ms"] != ms {
				t.Errorf("the response to %s shows re %v, ms %v; want its request and %v ms", id, row["re"], row["ms"], ms)
			}
		}
	})
}

func TestBadFramesCloseOnlyTheirConnection(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	other := dial(t, hs, "", 0, true)
	tests := []struct {
		name string
		data string
		code websocket.StatusCode
		why  string
	}{
		{"not JSON", "{nope", websocket.StatusInvalidFramePayloadData, "malformed frame"},
		{"an unknown frame", `[{"t":"launch"}]`, websocket.StatusPolicyViolation, `unknown frame type "launch"`},
		{"a second hello", `[{"t":"hello"}]`, websocket.StatusPolicyViolation, "hello is the first frame only"},
		{"an m frame without a message", `[{"t":"m","q":1,"i":"crm-1"}]`, websocket.StatusPolicyViolation, "needs i and m"},
		{"oversized", `[{"t":"m","i":"x","m":"` + strings.Repeat("a", readLimit) + `"}]`, websocket.StatusMessageTooBig, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dial(t, hs, "", 0, true)
			if err := p.ws.Write(p.ctx, websocket.MessageText, []byte(tt.data)); err != nil && tt.code != websocket.StatusMessageTooBig {
				t.Fatal(err)
			}
			code, why := p.closeStatus()
			if code != tt.code || !strings.Contains(why, tt.why) {
				t.Errorf("closed with %v %q, want %v %q", code, why, tt.code, tt.why)
			}
		})
	}
	// The first page was never disturbed.
	other.mustEvent(map[string]any{"type": "incoming", "channel": "email"})
}

func TestFirstFrameMustBeHello(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	ctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(ctx, wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`[{"t":"a","seq":1}]`)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ws: ws, ctx: ctx}
	if code, why := p.closeStatus(); code != websocket.StatusPolicyViolation || why != "the first frame must be hello" {
		t.Errorf("closed with %v %q", code, why)
	}
}

// TestSlowPageIsDisconnectedAndResumes runs in a bubble: the write timeout
// that drops the page that stopped reading passes on the bubble's clock,
// which moves only once nothing else can happen, so the page that comes
// back and reads is never taken for a slow one, however busy the machine.
func TestSlowPageIsDisconnectedAndResumes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, pp := newPipeServer(t, func(c *Config) {
			c.QueueLen = 4
			c.WriteTimeout = 300 * time.Millisecond
			// Room for every answer the page has not taken when it comes
			// back: a smaller budget loses the oldest (TestBudgetLosesWhatThePageNeverTook).
			c.SessionMemory = 64 << 20
		})
		p := pp.dial(t, "", 0, true)
		_, inst := p.call()
		posted := p.seq
		ask := func(j int) map[string]any {
			return map[string]any{"t": "m", "i": inst, "q": float64(p.q + 1 + uint64(j)),
				"m": json.RawMessage(fmt.Sprintf(`{"id":"q%d","type":"action","payload":{"command":"detail","value":"user"}}`, j))}
		}
		// The page stops reading; the extension keeps asking, as a browser
		// does: its sends never block.
		const asks = 6000 // about 11 MB of answers: more than the pipe buffers hold
		go func() {
			for i := 0; i < asks; i += 50 {
				var msgs []map[string]any
				for j := i; j < i+50; j++ {
					msgs = append(msgs, ask(j))
				}
				if p.ws.Write(context.Background(), websocket.MessageText, mustJSON(t, msgs)) != nil {
					return // the server has dropped the page; the rest is resent below
				}
			}
		}()
		// The server lets the page go (no close frame gets through a full pipe).
		waitUntil(t, func() bool {
			srv.mu.Lock()
			ss := srv.sessions[p.session]
			srv.mu.Unlock()
			ss.mu.Lock()
			defer ss.mu.Unlock()
			return ss.conn == nil
		})
		p.ws.CloseNow()

		q := pp.dial(t, p.session, posted, false)
		var again [][]byte // what the server did not process, resent
		for i := max(int(q.in-p.q), 0); i < asks; i += 200 {
			var msgs []map[string]any
			for j := i; j < min(i+200, asks); j++ {
				msgs = append(msgs, ask(j))
			}
			again = append(again, mustJSON(t, msgs))
		}
		// The page resends as it reads, as a browser does.
		go func() {
			for _, msg := range again {
				if q.ws.Write(q.ctx, websocket.MessageText, msg) != nil {
					return // the read below fails too
				}
			}
		}()
		seen := map[string]bool{}
		q.waitFor(func(f map[string]any) bool {
			if f["t"] == "d" && f["i"] == inst {
				seen[f["m"].(map[string]any)["id"].(string)] = true
			}
			return len(seen) == asks
		})
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShutdownSendsExitAndClosesPages(t *testing.T) {
	t.Parallel()
	srv, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	_, inst := p.call()
	ctx := beforeDeadline(t)
	go func() { _ = srv.Shutdown(ctx) }()
	p.delivery(inst, func(m map[string]any) bool { return m["type"] == "exit" })
	if code, why := p.closeStatus(); code != websocket.StatusGoingAway || why != "cpsim is shutting down" {
		t.Errorf("closed with %v %q", code, why)
	}
}

func TestProblemsReachConnectedPages(t *testing.T) {
	t.Parallel()
	srv, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	srv.Report([]Problem{{Level: "error", Text: "cannot reach http://localhost:9/crm.html", URL: "http://localhost:9/crm.html"}})
	f := p.waitFor(func(f map[string]any) bool { return f["t"] == "p" && len(f["p"].([]any)) == 1 })
	if f["p"].([]any)[0].(map[string]any)["level"] != "error" {
		t.Errorf("problems = %v", f)
	}
}

func TestEventsFromThePage(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	tests := []struct {
		ev   string
		want string // part of the error; "" for success
	}{
		{`{"type":"incoming","channel":"sms","from":"+35840","content":"Hi","cad":{"a":1}}`, ""},
		{`{"type":"incoming","channel":"fax"}`, `unknown channel "fax"`},
		{`{"type":"incoming"}`, "needs channel"},
		{`{"type":"work_status","status":"not_ready"}`, ""},
		{`{"type":"profile","profile":"Meeting"}`, ""},
		{`{"type":"phone_status","status":"disconnected"}`, ""},
		{`{"type":"serve","queue":"Sales","serve":false}`, ""},
		{`{"type":"serve","queue":"Sales"}`, "needs serve"},
		{`{"type":"record","id":"x"}`, "needs on"},
		{`{"type":"say","id":"x","text":"hi","from":"bot"}`, "from: customer or agent"},
		{`{"type":"delay","command":"detail","ms":-1}`, "ms: 0 or more"},
		{`{"type":"delay","command":"detail","ms":250}`, ""},
		{`{"type":"fail","command":"transfer","reason":"no"}`, ""},
		{`{"type":"fail_next_init"}`, ""},
		{`{"type":"clear_faults"}`, ""},
		{`{"type":"outbound","channel":"email","to":["a@b.c","d@e.f"],"subject":"S"}`, ""},
		{`{"type":"outbound","channel":"email","to":7}`, "to must be a string or a list"},
		{`{"type":"status","attribute":"work_status","value":"ready"}`, ""},
		{`{"type":"send","instance":"bg-1","message":{"id":"x","type":"exit"}}`, ""},
		{`{"type":"teleport"}`, `unknown event type "teleport"`},
		{`{"type":"login","extra":1}`, `unknown field "extra"`},
		{`{}`, "the event has no type"},
		{`[]`, "malformed event"},
	}
	for _, tt := range tests {
		p.n++
		n := float64(p.n)
		p.send(map[string]any{"t": "e", "n": p.n, "e": json.RawMessage(tt.ev)})
		res := p.waitFor(func(f map[string]any) bool { return f["t"] == "r" && f["n"] == n })
		got, _ := res["error"].(string)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: error %q, want %q", tt.ev, got, tt.want)
		}
	}
}

var testLogOut io.Writer = io.Discard

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSameSiteWarningFollowsThePagesOrigin: the panel answers to 127.0.0.1
// and localhost; an extension on localhost is cross-site to the first and
// same-site to the second, and each page is told what applies to it.
func TestSameSiteWarningFollowsThePagesOrigin(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t) // crm and bg are on http://localhost:9
	sameSite := func(p *page) []string {
		var urls []string
		f := p.waitFor(func(f map[string]any) bool { return f["t"] == "p" })
		for _, x := range f["p"].([]any) {
			if pr := x.(map[string]any); pr["kind"] == "same-site" {
				urls = append(urls, pr["url"].(string))
			}
		}
		return urls
	}
	if got := sameSite(dial(t, hs, "", 0, true)); len(got) != 0 {
		t.Errorf("a page at %s is warned about %v", hs.URL, got)
	}
	local := strings.Replace(hs.URL, "127.0.0.1", "localhost", 1)
	if got := sameSite(dialWith(t, local, nil, "", 0, true)); len(got) != 2 {
		t.Errorf("a page at %s is warned about %v, want both extensions on localhost", local, got)
	}
}

// TestLogHistoryKeepsTheLatestRows: a session keeps the latest rows of its
// log within its memory budget, and a page that reloads gets them back in
// pages of about logPage bytes, each asked for once the page has the one
// before: the page is never sent the whole log in one message. The b frame
// says what was dropped, and the oldest row kept.
func TestLogHistoryKeepsTheLatestRows(t *testing.T) {
	t.Parallel()
	const budget = 4 << 20
	_, hs := newTestServer(t, func(c *Config) { c.SessionMemory = budget })
	p := dial(t, hs, "", 0, true)
	p.acking = true
	_, inst := p.call()
	var msgs []map[string]any
	for i := range 6000 { // 12,000 rows: each request and its response
		msgs = append(msgs, map[string]any{"t": "m", "i": inst, "m": json.RawMessage(fmt.Sprintf(`{"id":"h%d","type":"action","payload":{"command":"detail","value":"queue"}}`, i))})
	}
	p.number(msgs)
	// The page sends 100 at a time and waits for their answers, as an
	// extension awaiting its responses does.
	for i := 0; i < len(msgs); i += 100 {
		p.write(msgs[i : i+100])
		last := fmt.Sprintf("h%d", i+99)
		p.waitFor(func(f map[string]any) bool { return f["t"] == "d" && f["m"].(map[string]any)["id"] == last })
	}
	p.send(map[string]any{"t": "a", "seq": p.seq})
	p.waitFor(func(f map[string]any) bool {
		return f["t"] == "b" && f["dropped"].(map[string]any)["rows"].(float64) > 0
	})

	// A reload: the history comes in pages.
	r := dial(t, hs, p.session, 0, true)
	rows, pages := r.history(1)
	if pages < 2 {
		t.Errorf("the history came in %d page(s), want several of about %d bytes", pages, logPage)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i]["n"].(float64) != rows[i-1]["n"].(float64)+1 {
			t.Fatalf("history jumps from %v to %v", rows[i-1]["n"], rows[i]["n"])
		}
	}
	if m, ok := rows[len(rows)-1]["m"].(map[string]any); !ok || m["id"] != "h5999" {
		t.Errorf("the last row of the history is %v, want the last response, with its message", rows[len(rows)-1])
	}
	last := r.waitFor(func(f map[string]any) bool { return f["t"] == "b" })
	if first := rows[0]["n"].(float64); first <= 1 || first != last["first"].(float64) {
		t.Errorf("the history starts at row %v, and the b frame says %v; want the same, past the rows dropped", first, last["first"])
	}
	if got := last["rows"].(float64); got != float64(len(rows)) {
		t.Errorf("the b frame counts %v rows, the history has %d", got, len(rows))
	}
	if used := last["used"].(float64); used > budget {
		t.Errorf("the session uses %v bytes, over its budget of %d", used, budget)
	}
}

// history asks for the log from n on, as the page does after a reload,
// and follows its pages (lm frames) to the end. It returns the rows and
// how many websocket messages carried them.
func (p *page) history(n uint64) (rows []map[string]any, pages int) {
	p.t.Helper()
	p.send(map[string]any{"t": "log", "from": n})
	for {
		next := uint64(0)
		got := false
		for _, f := range p.read() {
			switch f["t"] {
			case "l":
				rows = append(rows, f)
				got = true
			case "lm":
				next = uint64(f["next"].(float64))
			}
		}
		if got {
			pages++
		}
		if next != 0 {
			p.send(map[string]any{"t": "log", "from": next})
		} else if got {
			return rows, pages
		}
	}
}

// TestABugDisconnectsOnlyItsPage: a panic while a session steps (a bug in
// cpsim, such as the validator's once on a raw state message with the
// agent's work_status) is logged with its stack; the session's page is
// disconnected with a reason; the session's lock is let go, so that the
// page can come back and other pages never freeze.
func TestABugDisconnectsOnlyItsPage(t *testing.T) {
	t.Parallel()
	var logged lockedBuffer
	srv, hs := newTestServer(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	p := dial(t, hs, "", 0, true)
	other := dial(t, hs, "", 0, true)
	srv.mu.Lock()
	ss := srv.sessions[p.session]
	srv.mu.Unlock()
	srv.locked(ss, func(*batch) { panic("boom") })
	if code, why := p.closeStatus(); code != websocket.StatusInternalError || why != "cpsim hit a bug (its log says where): reload the page" {
		t.Errorf("the page was closed with %v %q", code, why)
	}
	if out := logged.String(); !strings.Contains(out, "cpsim hit a bug in a session") || !strings.Contains(out, "panic=boom") || !strings.Contains(out, "relay.go") {
		t.Errorf("the log says:\n%s", out)
	}
	// The page comes back to its session, and the other page goes on.
	back := dial(t, hs, p.session, 0, false)
	back.mustEvent(map[string]any{"type": "incoming", "channel": "chat"})
	other.mustEvent(map[string]any{"type": "incoming", "channel": "email"})
}

// lockedBuffer is a bytes.Buffer the server's goroutines may log to while
// a test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
