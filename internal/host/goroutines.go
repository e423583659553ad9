package host

import (
	"sync"
	"time"
)

// goroutines counts the goroutines a Server starts on its own behalf: a
// scenario's run, an extension check, a timer's callback, the close of a
// page's websocket. Shutdown waits for every one, so that nothing the
// server started outlives it. Once Shutdown has begun to wait it starts no
// more: a WaitGroup must not be added to while it is waited on from zero.
type goroutines struct {
	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

// Go runs f in a goroutine of its own and reports true, or reports false,
// and runs nothing, once wait has begun.
func (g *goroutines) Go(f func()) bool {
	if !g.enter() {
		return false
	}
	go func() {
		defer g.wg.Done()
		f()
	}()
	return true
}

// enter counts a goroutine the runtime started for the server (a timer's
// callback), which calls exit when done; false once wait has begun, when
// the callback must do nothing.
func (g *goroutines) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *goroutines) exit() { g.wg.Done() }

// wait starts no more goroutines and waits for those running.
func (g *goroutines) wait() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.wg.Wait()
}

// afterFunc is time.AfterFunc for the server: the callback runs counted
// among its goroutines, and not at all once Shutdown has begun to wait.
func (s *Server) afterFunc(d time.Duration, f func()) *time.Timer {
	return time.AfterFunc(d, func() {
		if !s.goroutines.enter() {
			return
		}
		defer s.goroutines.exit()
		f()
	})
}
