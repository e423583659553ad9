// Package config reads cpsim's data: the agent, the queues and the
// configured extensions, from the built-in set, a -config file or a
// scenario's own sections. It is the YAML side of state.Data, kept out of
// the engine so that internal/state holds only the types it runs on and
// never reads a file; the engine still checks what it is given.
package config

import (
	_ "embed"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

//go:embed default.yaml
var defaultYAML []byte

// Default returns the built-in data set, the one cpsim runs with when no
// -config file is given. Each call returns a fresh copy the caller may
// change.
func Default() (*state.Data, error) {
	n, err := yamlx.Parse("default.yaml", defaultYAML)
	if err != nil {
		return nil, err
	}
	var d state.Data
	if err := Decode("default.yaml", n, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Parse reads a config file. Sections it gives replace the built-in ones;
// agent fields it leaves out keep their built-in values. An error is a
// *yamlx.Error (or a yamlx.Errors) positioned in file.
func Parse(file string, src []byte) (*state.Data, error) {
	d, err := Default()
	if err != nil {
		return nil, err
	}
	n, err := yamlx.Parse(file, src)
	if err != nil {
		return nil, err
	}
	if err := Decode(file, n, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Decode decodes n over d and checks the result with state.Data.Check, so
// that data the engine would refuse is refused here, at its place in file.
// Scenario files use it for their starting data.
func Decode(file string, n *yaml.Node, d *state.Data) error {
	if err := yamlx.Decode(file, n, d); err != nil {
		return err
	}
	return d.Check(file)
}
