package host

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/cpsim/cpsim/internal/scenario"
)

// TestSweptSessionStopsItsScenario: a page pauses its scenario and goes
// away for longer than the idle timeout; the next page to connect sweeps
// the session. Its run must end then, and Shutdown must not return while
// it plays on: a run nobody can reach any more would otherwise hold its
// goroutine for good.
func TestSweptSessionStopsItsScenario(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc := parseScenario(t, "slow", `name: slow
steps:
  - wait: 1h
  - wait: 1h
`)
		srv, pp := newPipeServer(t, func(c *Config) { c.IdleTimeout = time.Minute })
		done := make(chan error, 1)
		srv.PlayInNextSession(sc, 1, Watch{Done: func(err error) { done <- err }})
		p := pp.dial(t, "", 0, true)
		p.scenarioState("playing")
		p.mustEvent(map[string]any{"type": "scenario_pause"}) // in the first wait: it holds before the second
		p.ws.Close(websocket.StatusNormalClosure, "")
		time.Sleep(2 * time.Hour) // past the first wait and the idle timeout
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the paused run ended before its session was swept: %v", err)
		default:
		}

		pp.dial(t, "", 0, true) // sweeps the session left behind
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
	var later atomic.Int64 // how far the server's clock is ahead
	cfg := testConfig(t)
	cfg.WriteTimeout = time.Until(safetyNet(t))
	cfg.IdleTimeout = time.Minute
	cfg.Clock = func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
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
	waitUntil(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		ss := srv.sessions[left.session]
		ss.mu.Lock()
		defer ss.mu.Unlock()
		return ss.conn == nil
	})
	later.Store(int64(2 * time.Minute))

	stays := dial(t, hs, "", 0, true) // sweeps the session left behind
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
