package host

import (
	"context"
	"testing"
	"time"
)

// No test here may depend on the machine's speed: CI and developers share
// two loaded cores. A test waits for the condition it needs, never for a
// while; the only deadline is a safety net that ends a little before the
// test binary's own (go test -timeout), so that a test that hangs fails
// with its own message rather than with the binary's panic.

// noDeadline is how long the safety net lasts when the test binary has no
// deadline (go test -timeout 0).
const noDeadline = time.Hour

// inBubble is how long the safety net lasts in a synctest bubble, on the
// bubble's clock, which moves only when every goroutine of the bubble is
// blocked: it runs out only when the bubble is deadlocked, at once in
// real time, and so fails the test instead of letting it hang. It is long
// enough for any wait a test of a scenario plays.
const inBubble = 24 * time.Hour

// beforeDeadline returns a context that ends a little before the test
// binary's deadline, or after noDeadline when it has none (benchmarks have
// none either), or after inBubble in a synctest bubble.
func beforeDeadline(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithDeadline(context.Background(), safetyNet(t))
	t.Cleanup(cancel)
	return ctx
}

// safetyNet is when beforeDeadline ends.
func safetyNet(t testing.TB) time.Time {
	d, ok, bubble := binaryDeadline(t)
	switch {
	case bubble:
		return time.Now().Add(inBubble)
	case !ok:
		return time.Now().Add(noDeadline)
	}
	// Leave the binary time to report: a tenth of what is left, at most 30 s.
	return d.Add(-min(time.Until(d)/10, 30*time.Second))
}

// binaryDeadline is the test binary's deadline, if t has one. In a synctest
// bubble, where the real deadline means nothing, t.Deadline panics: bubble
// says so.
func binaryDeadline(t testing.TB) (d time.Time, ok, bubble bool) {
	dt, can := t.(interface{ Deadline() (time.Time, bool) })
	if !can {
		return time.Time{}, false, false
	}
	defer func() {
		if recover() != nil {
			d, ok, bubble = time.Time{}, false, true
		}
	}()
	d, ok = dt.Deadline()
	return d, ok, false
}

// waitUntil polls cond until it holds. It fails the test only when the
// safety net of beforeDeadline runs out.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	ctx := beforeDeadline(t)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("the condition never held before the test's deadline")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
