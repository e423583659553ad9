package host

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/cpsim/cpsim/internal/scenario"
)

// TestSweptSessionStopsItsScenario: a page pauses its scenario and goes
// away; a grace period later the server's timer ends the session, with no
// other page connecting. Its run must end then, and Shutdown must not
// return while it plays on: a run nobody can reach any more would
// otherwise hold its goroutine for good.
func TestSweptSessionStopsItsScenario(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "slow", `name: slow
steps:
  - wait: 1h
  - wait: 1h
`)
		srv, pp := newPipeServer(t, func(c *Config) { c.SessionGrace = time.Minute })
		done := make(chan error, 1)
		srv.PlayInNextSession(sc, 1, Watch{Done: func(err error) { done <- err }})
		p := pp.dial(t, "", 0, true)
		p.scenarioState("playing")
		p.mustEvent(map[string]any{"type": "scenario_pause"}) // in the first wait: it holds before the second
		p.ws.Close(websocket.StatusNormalClosure, "")
		synctest.Wait() // the page has left
		time.Sleep(time.Minute - time.Second)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the paused run ended within its session's grace: %v", err)
		default:
		}
		if !srv.holds(p.session) {
			t.Fatal("the session ended within its grace")
		}

		time.Sleep(time.Second) // the grace ends: the server's timer ends the session
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the swept session's run ended with %v, want it stopped", err)
			}
			done <- err
		default:
			t.Error("the swept session's run still plays")
		}
		if srv.holds(p.session) {
			t.Error("the server still holds the session a grace after its page left")
		}

		if err := srv.Shutdown(beforeDeadline(t)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		default:
			t.Error("Shutdown returned while the swept session's run played on")
		}
	})
}

// holds reports whether the server holds a session.
func (s *Server) holds(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	return ok
}

// TestNoGoroutineOutlivesShutdown runs the server with everything that
// starts goroutines under way (a run playing, a run in a session swept
// away, an extension check that hangs, a page that never says hello, pages
// whose websockets close) and, once Shutdown has returned and the HTTP
// server is closed, finds none of its goroutines left. It runs on its own,
// not in parallel, so that the goroutines of other tests do not count;
// goleak retries while goroutines wind down, so how fast the machine is
// does not matter.
func TestNoGoroutineOutlivesShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	sc := parseScenario(t, "slow", `name: slow
steps:
  - wait: 1h
  - wait: 1h
`)
	cfg := testConfig(t)
	cfg.WriteTimeout = time.Until(safetyNet(t))
	cfg.SessionGrace = time.Nanosecond // the page that leaves is swept at once
	cfg.Scenarios = []*scenario.Scenario{sc}
	cfg.Check = func(ctx context.Context, _ string) []Problem {
		<-ctx.Done() // an extension's server that never answers
		return nil
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	srv.CheckExtensions()

	left := dial(t, hs, "", 0, true)
	left.mustEvent(map[string]any{"type": "scenario_play", "name": "slow"})
	left.mustEvent(map[string]any{"type": "scenario_pause"})
	left.ws.Close(websocket.StatusNormalClosure, "")
	waitUntil(t, func() bool { return !srv.holds(left.session) })

	stays := dial(t, hs, "", 0, true)
	stays.mustEvent(map[string]any{"type": "scenario_play", "name": "slow"})
	read := make(chan struct{}) // the page reads on, as a browser does, and answers the close
	go func() {
		defer close(read)
		for {
			if _, _, err := stays.ws.Read(stays.ctx); err != nil {
				return
			}
		}
	}()
	silent, _, err := websocket.Dial(beforeDeadline(t), wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}}})
	if err != nil {
		t.Fatal(err)
	}

	if err := srv.Shutdown(beforeDeadline(t)); err != nil {
		t.Fatal(err)
	}
	hs.Close()
	<-read
	silent.CloseNow()
}
