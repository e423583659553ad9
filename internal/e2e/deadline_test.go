package e2e

import (
	"context"
	"testing"
	"time"
)

// No test here may depend on the machine's speed: CI and developers share
// two loaded cores, where Chromium is slow to start a tab, to lay out a
// page and to load a frame. A test waits for what it needs in the page,
// never for a while; the only deadline is a safety net that ends a little
// before the test binary's own (go test -timeout), so that a test that
// hangs fails with its own message rather than with the binary's panic.

// noDeadline is how long the safety net lasts when the test binary has no
// deadline (go test -timeout 0), and for benchmarks, which have none.
const noDeadline = time.Hour

// safetyNet is when the waits of a test give up.
func safetyNet(t testing.TB) time.Time {
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := dt.Deadline(); ok {
			// Leave the binary time to report: a tenth of what is left, at most 30 s.
			return d.Add(-min(time.Until(d)/10, 30*time.Second))
		}
	}
	return time.Now().Add(noDeadline)
}

// beforeDeadline returns parent, ending at the test's safety net.
func beforeDeadline(t testing.TB, parent context.Context) context.Context {
	t.Helper()
	ctx, cancel := context.WithDeadline(parent, safetyNet(t))
	t.Cleanup(cancel)
	return ctx
}

// poll calls try until it reports done, and fails the test with what it
// last said when ctx ends first.
func poll(t testing.TB, ctx context.Context, try func() (done bool, why string)) {
	t.Helper()
	for {
		done, why := try()
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal(why)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
