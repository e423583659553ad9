package release

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBinaryJS runs the unit tests of npm/cpsim/lib/binary.js (node:test):
// which binary it picks on each platform, and what it says when there is
// none.
func TestBinaryJS(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH: the npm package's tests need Node.js 18 or later (apt-get install -y nodejs npm)")
	}
	cmd := exec.CommandContext(beforeDeadline(t), "node", "--test", filepath.Join(root, "npm", "cpsim", "test", "binary.test.js"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
}
