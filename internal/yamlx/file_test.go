package yamlx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileIsBounded: a YAML file past MaxFileBytes is refused, by
// ReadFile without reading it whole and by Parse; one at the limit is read.
func TestReadFileIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sized := func(name string, n int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(n); err != nil { // sparse: no disk, no time
			t.Fatal(err)
		}
		return p
	}
	at := sized("at.yaml", MaxFileBytes)
	if src, err := ReadFile(at); err != nil || len(src) != MaxFileBytes {
		t.Errorf("a file of %d bytes: %d bytes, %v", MaxFileBytes, len(src), err)
	}
	past := sized("past.yaml", MaxFileBytes+1)
	_, err := ReadFile(past)
	want := past + ": the file is more than 16 MiB: cpsim reads YAML files of up to 16 MiB"
	if err == nil || err.Error() != want {
		t.Errorf("a file past the limit: %v, want %q", err, want)
	}
	var ye *Error
	if !errors.As(err, &ye) {
		t.Errorf("%v is not a *yamlx.Error", err)
	}
	if _, err := Parse("big.yaml", []byte(strings.Repeat("#", MaxFileBytes+1))); err == nil || !strings.Contains(err.Error(), "big.yaml: the file is more than 16 MiB") {
		t.Errorf("Parse of a source past the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
