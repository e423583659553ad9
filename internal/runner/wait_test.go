package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWaitForSlowServer: a server that answers after 12 seconds is waited
// for, with a line when the wait starts, every 5 seconds, and when it
// answers; one that never answers within the wait stops it, named with
// why; one that answers at once prints nothing. Time is synctest's.
func TestWaitForSlowServer(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	tests := []struct {
		name    string
		upAfter map[string]time.Duration // when each URL starts to answer; absent: never
		urls    []string
		wait    time.Duration
		out     string
		err     string
	}{
		{"up at once", map[string]time.Duration{"http://a/": 0}, []string{"http://a/", "http://a/"}, 30 * time.Second, "", ""},
		{"up after 12s", map[string]time.Duration{"http://a/": 12 * time.Second}, []string{"http://a/"}, 30 * time.Second,
			"waiting for http://a/ to answer (up to 30s): connect: connection refused\n" +
				"still waiting for http://a/ (5s so far): connect: connection refused\n" +
				"still waiting for http://a/ (10s so far): connect: connection refused\n" +
				"http://a/ answers (after 12s)\n", ""},
		{"the wait is for all the URLs", map[string]time.Duration{"http://a/": 3 * time.Second, "http://b/": 4 * time.Second}, []string{"http://a/", "http://b/"}, 30 * time.Second,
			"waiting for http://a/ to answer (up to 30s): connect: connection refused\n" +
				"http://a/ answers (after 3s)\n" +
				"waiting for http://b/ to answer (up to 27s): connect: connection refused\n" +
				"http://b/ answers (after 1s)\n", ""},
		{"never up", map[string]time.Duration{}, []string{"http://a/"}, 7 * time.Second,
			"waiting for http://a/ to answer (up to 7s): connect: connection refused\n" +
				"still waiting for http://a/ (5s so far): connect: connection refused\n",
			"http://a/ did not answer within 7s (connect: connection refused): start the extension's server before cpsim test, or give it longer with -wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var out bytes.Buffer
				w := waiter{
					probe: func(ctx context.Context, u string) error {
						if up, ok := tt.upAfter[u]; ok && time.Since(start) >= up {
							return nil
						}
						return &urlError{u, refused}
					},
					poll: 200 * time.Millisecond, every: 5 * time.Second, out: &out,
				}
				err := w.wait(context.Background(), tt.urls, tt.wait)
				if diff := cmp.Diff(tt.out, out.String()); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
				if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && got != tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
			})
		})
	}
}

// urlError is what http.Client.Do returns.
type urlError struct {
	url string
	err error
}

func (e *urlError) Error() string { return "Get " + e.url + ": " + e.err.Error() }
func (e *urlError) Unwrap() error { return e.err }

// TestWaitForHungServer: a server that takes the connection and never
// answers still gets its progress lines, each probe ending after 5
// seconds.
func TestWaitForHungServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		w := waiter{
			probe: func(ctx context.Context, u string) error { <-ctx.Done(); return ctx.Err() },
			poll:  200 * time.Millisecond, every: 5 * time.Second, out: &out,
		}
		err := w.wait(context.Background(), []string{"http://a/"}, 12*time.Second)
		want := "waiting for http://a/ to answer (up to 12s): no answer within 5s\n" +
			"still waiting for http://a/ (10s so far): no answer within 5s\n"
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
		if err == nil || err.Error() != "http://a/ did not answer within 12s (no answer within 5s): start the extension's server before cpsim test, or give it longer with -wait" {
			t.Errorf("error %v", err)
		}
	})
}

// TestWaitForRealServer: over real sockets, a server that starts listening
// only once the wait has begun is waited for, and a redirect to a sign-in
// page this machine cannot reach counts as an answer.
func TestWaitForRealServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there until the wait has begun
	u := "http://" + addr + "/ext.html"

	out := &notifyingBuffer{seen: make(chan struct{}), want: "waiting for " + u}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- WaitForURLs(ctx, []string{u}, generous(t), out) }()
	select {
	case <-out.seen:
	case err := <-done:
		t.Fatalf("the wait ended before it began: %v\n%s", err, out)
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := &http.Server{Handler: http.RedirectHandler("https://sso.invalid/login", http.StatusFound)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		<-served
	}()
	if err := <-done; err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out.String(), u+" answers (after ") {
		t.Errorf("output:\n%s", out)
	}
}

// notifyingBuffer closes seen once what is written to it contains want.
type notifyingBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	want string
	seen chan struct{}
}

func (n *notifyingBuffer) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	had := strings.Contains(n.b.String(), n.want)
	n.b.Write(p)
	if !had && strings.Contains(n.b.String(), n.want) {
		close(n.seen)
	}
	return len(p), nil
}

func (n *notifyingBuffer) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.b.String()
}

// generous is a safety net for a wait that should end long before it: most
// of the time the test has left.
func generous(t *testing.T) time.Duration {
	if d, ok := t.Deadline(); ok {
		return time.Until(d) * 3 / 4
	}
	return 10 * time.Minute
}
