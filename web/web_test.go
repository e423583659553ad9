package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestFileServerListsNoDirectory: files are served, and a directory only
// through its index.html; one without it is 404, never a listing.
func TestFileServerListsNoDirectory(t *testing.T) {
	t.Parallel()
	h := FileServer(Files())
	tests := []struct {
		path string
		code int
	}{
		{"/host.html", http.StatusOK},
		{"/static/host.js", http.StatusOK},
		{"/", http.StatusNotFound},
		{"/static", http.StatusNotFound},
		{"/static/", http.StatusNotFound},
		{"/static/js/", http.StatusNotFound},
		{"/static/js/../", http.StatusNotFound},
		{"/demo/card/", http.StatusNotFound},
		{"/demo/", http.StatusOK}, // the demos' index.html
		{"/missing.js", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if w.Code != tt.code {
				t.Errorf("GET %s: %d, want %d; body:\n%s", tt.path, w.Code, tt.code, w.Body)
			}
		})
	}
}

// TestFileServerStaysInItsRoot: served through an os.Root (cpsim -dev), a
// symlink that leads out of the directory is 404, whether to a file or to
// a directory, while one inside it is followed.
func TestFileServerStaysInItsRoot(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, filepath.Join(outside, "secret.txt"), "secret")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "static", "host.js"), "// the page")
	for link, target := range map[string]string{
		"static/secret.txt": filepath.Join(outside, "secret.txt"),
		"static/out":        outside,
		"static/up":         "../..",
		"static/alias.js":   "host.js",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	h := FileServer(root.FS())
	tests := []struct {
		path string
		code int
		body string
	}{
		{"/static/host.js", http.StatusOK, "// the page"},
		{"/static/alias.js", http.StatusOK, "// the page"},
		{"/static/secret.txt", http.StatusNotFound, ""},
		{"/static/out/secret.txt", http.StatusNotFound, ""},
		{"/static/out/", http.StatusNotFound, ""},
		{"/static/up/", http.StatusNotFound, ""},
		{"/../secret.txt", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if w.Code != tt.code || (tt.body != "" && w.Body.String() != tt.body) {
			t.Errorf("GET %s: %d %q, want %d %q", tt.path, w.Code, w.Body, tt.code, tt.body)
		}
	}
}

func write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
