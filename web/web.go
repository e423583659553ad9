// Package web holds the files cpsim serves: the panel page (host.html) with
// its assets under static/, and the demo extensions under demo/. They are
// embedded so that the binary is self-contained; cpsim's -dev flag serves
// them from disk instead, so that a change shows on reload.
//
// The files live here, beside this package, because go:embed cannot reach
// up into parent directories.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
)

//go:embed host.html static demo
var files embed.FS

// Files returns the embedded files.
func Files() fs.FS { return files }

// Demos returns the embedded demo extensions.
func Demos() (fs.FS, error) { return fs.Sub(files, "demo") }

// FileServer serves fsys's files as http.FileServerFS does, but lists no
// directory: a directory without an index.html is 404, as is any name
// fsys cannot open (such as one an os.Root refuses because it leads out
// of its directory), so that a response tells nothing of what lies
// around the files. cpsim serves the panel's static/ and the demos with
// it, embedded or from -dev's directory.
func FileServer(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("/" + r.URL.Path)[1:]
		if name == "" {
			name = "."
		}
		info, err := fs.Stat(fsys, name)
		if err == nil && info.IsDir() {
			_, err = fs.Stat(fsys, path.Join(name, "index.html"))
		}
		if err != nil {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
