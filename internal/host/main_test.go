package host

import (
	"os"
	"testing"
)

// TestMain shows the server's logs when HOSTLOG is set, to debug a test.
func TestMain(m *testing.M) {
	if os.Getenv("HOSTLOG") != "" {
		testLogOut = os.Stderr
	}
	os.Exit(m.Run())
}
