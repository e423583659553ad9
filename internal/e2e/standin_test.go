package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
	"github.com/cpsim/cpsim/web"
)

// A stand-in for cpsim's server, for the page's side of the relay
// protocol's frames that bound a session's memory (docs/relay.md: lm, b,
// full, and the l frame's cut and sz): it serves the real panel page and
// lets a test play the server's part on the websocket frame by frame, so
// that the page's behaviour is tested exactly, whatever the server does.
// The tests of memory_page_test.go run the same behaviour against the
// real server.

// standin is the stand-in server: the panel page at url, and the page's
// websockets, one per connection, in conns.
type standin struct {
	url   string
	conns chan *pageConn
}

// pageConn is one websocket of the page, as the stand-in sees it: the
// frames the page sent, in order, and a way to send it frames.
type pageConn struct {
	t      testing.TB
	ws     *websocket.Conn
	ctx    context.Context
	frames chan map[string]any // closed when the page's side closes
}

// startStandin serves web/host.html and its assets, and hands each
// websocket at /ws to the test.
func startStandin(t testing.TB) *standin {
	t.Helper()
	files := web.Files()
	page, err := fs.ReadFile(files, "host.html")
	if err != nil {
		t.Fatal(err)
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		t.Fatal(err)
	}
	s := &standin{conns: make(chan *pageConn, 8)}
	ctx := beforeDeadline(t, context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		ws.SetReadLimit(16 << 20)
		c := &pageConn{t: t, ws: ws, ctx: ctx, frames: make(chan map[string]any, 4096)}
		go c.read()
		select {
		case s.conns <- c:
		case <-ctx.Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// conn waits for the page's next websocket.
func (s *standin) conn(t testing.TB) *pageConn {
	t.Helper()
	ctx := beforeDeadline(t, context.Background())
	select {
	case c := <-s.conns:
		return c
	case <-ctx.Done():
		t.Fatal("the page did not connect to the stand-in")
		return nil
	}
}

// read hands on the page's frames until the socket closes.
func (c *pageConn) read() {
	defer close(c.frames)
	for {
		_, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		var frs []map[string]any
		if err := json.Unmarshal(data, &frs); err != nil {
			c.t.Errorf("the page sent a message that is not an array of frames: %v: %.200s", err, data)
			return
		}
		for _, f := range frs {
			c.frames <- f
		}
	}
}

// next returns the page's next frame of type typ, skipping acknowledgments
// (a frames) and failing on any other frame between.
func (c *pageConn) next(typ string) map[string]any {
	c.t.Helper()
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("the page's websocket closed while the stand-in waited for a %s frame", typ)
			}
			if f["t"] == "a" {
				continue
			}
			if f["t"] != typ {
				c.t.Fatalf("the page sent %v, want a %s frame", f, typ)
			}
			return f
		case <-c.ctx.Done():
			c.t.Fatalf("no %s frame from the page", typ)
			return nil
		}
	}
}

// send sends frames to the page as one websocket message; each frame is
// JSON already or a value to marshal.
func (c *pageConn) send(frames ...any) {
	c.t.Helper()
	parts := make([]string, len(frames))
	for i, f := range frames {
		switch f := f.(type) {
		case string:
			parts[i] = f
		case json.RawMessage:
			parts[i] = string(f)
		default:
			b, err := json.Marshal(f)
			if err != nil {
				c.t.Fatal(err)
			}
			parts[i] = string(b)
		}
	}
	if err := c.ws.Write(c.ctx, websocket.MessageText, []byte("["+strings.Join(parts, ",")+"]")); err != nil {
		c.t.Fatalf("send to the page: %v", err)
	}
}

// welcome answers the page's hello: a new session s1 when it asks for a
// fresh one, and resumes it otherwise. It returns the hello.
func (c *pageConn) welcome() map[string]any {
	c.t.Helper()
	h := c.next("hello")
	c.send(map[string]any{"t": "welcome", "session": "s1", "resumed": h["session"] == "s1", "seq": 0, "in": 0})
	return h
}

// engineView is a real view of cpsim's engine (the built-in data) after
// events, as a v frame. Its ids and times are the same on every call
// with the same events.
func engineView(t testing.TB, events func(s *state.Session) error) json.RawMessage {
	t.Helper()
	d, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s, err := state.New(state.Options{Data: d, Validator: statetest.Validator(t), IDs: state.SeededIDs(1), Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	if events != nil {
		if err := events(s); err != nil {
			t.Fatal(err)
		}
	}
	v, err := json.Marshal(s.View())
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(`{"t":"v","v":` + string(v) + `}`)
}

// row is an l frame of the stand-in's log: an action from instance x1.
func row(n int, extra string) string {
	return fmt.Sprintf(`{"t":"l","n":%d,"at":"2026-12-01T10:00:00Z","dir":"in","i":"x1","k":"card","m":{"type":"action","id":"r%d","payload":{"command":"detail","value":"user"}},"sz":70%s}`, n, n, extra)
}
