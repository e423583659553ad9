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
)

//go:embed host.html static demo
var files embed.FS

// Files returns the embedded files.
func Files() fs.FS { return files }

// Demos returns the embedded demo extensions.
func Demos() (fs.FS, error) { return fs.Sub(files, "demo") }
