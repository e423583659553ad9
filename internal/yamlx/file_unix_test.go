//go:build unix

package yamlx

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFileRefusesWhatIsNotAFile: a named pipe with no writer, a
// device and a directory are refused at once, by name, instead of waiting
// for ever or reading without end (a new user's trial: cpsim validate on
// a pipe hung, deaf to SIGTERM).
func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{pipe, pipe + ": not a regular file (a named pipe): give cpsim a YAML file"},
		{"/dev/zero", "/dev/zero: not a regular file (a device): give cpsim a YAML file"},
		{dir, dir + ": not a regular file (a directory): give cpsim a YAML file"},
	} {
		if _, err := ReadFile(tc.path); err == nil || err.Error() != tc.want {
			t.Errorf("ReadFile(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
}
