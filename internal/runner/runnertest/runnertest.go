// Package runnertest has the helpers that the tests of cpsim test share,
// in internal/runner and cmd/cpsim.
package runnertest

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// InOrder checks that out, the output of cpsim test, holds every part of
// want, in that order.
func InOrder(t testing.TB, out string, want []string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output:\n%s\nwant %q (in this order: %q)", out, w, want)
		}
		rest = rest[i+len(w):]
	}
}

// ClosedURL is an extension URL on localhost, another site than the
// panel's 127.0.0.1, where nothing listens: a port just freed.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprintf("http://localhost:%d/panel.html", ln.Addr().(*net.TCPAddr).Port)
}
