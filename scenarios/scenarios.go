// Package scenarios holds cpsim's library of scenarios: real-world call and
// chat lifecycles, each runnable as it is. They are embedded in the binary,
// listed in the page and by `cpsim scenarios`, and played by name.
package scenarios

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// Files returns the library's YAML files.
func Files() fs.FS { return files }
