package scenario

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/cpsim/cpsim/internal/state"
)

// Skipped is a built-in scenario left out of the library, and why: the
// library is written for cpsim's built-in data, and a -config with other
// queues, profiles or extensions may not have what a scenario names. It is
// an error, for a user who asks for the scenario by name.
type Skipped struct {
	File   string // its file name in the library, such as agents-day.yaml
	Reason string // why, in a few words: "it needs queues your -config does not have"
	Err    error  // every mistake, at its position (a yamlx.Errors)
}

func (s Skipped) Error() string {
	return fmt.Sprintf("the built-in scenario %s is left out: %s (%v)", s.File, s.Reason, firstLine(s.Err))
}

func (s Skipped) Unwrap() error { return s.Err }

// Named reports whether name names s as cpsim test and -scenario take a
// built-in scenario: its file name, with or without .yaml.
func (s Skipped) Named(name string) bool {
	return name == s.File || name+".yaml" == s.File
}

// firstLine is an error's first line, and how many more there are: a
// skipped scenario is told of on one line.
func firstLine(err error) string {
	text := err.Error()
	first, rest, found := strings.Cut(text, "\n")
	if !found {
		return first
	}
	return fmt.Sprintf("%s, and %d more", first, strings.Count(rest, "\n")+1)
}

// ParseLibrary reads every .yaml file of fsys, in the order of their
// names: the library (package scenarios) over the data cpsim runs with. A
// file that does not read over base is left out and told of in skipped,
// never an error: the library must never stop cpsim. Files a user names
// are read with Parse, which refuses them instead.
func ParseLibrary(fsys fs.FS, base *state.Data) (library []*Scenario, skipped []Skipped) {
	// Glob fails only on a malformed pattern, and this one is not.
	names, _ := fs.Glob(fsys, "*.yaml")
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			skipped = append(skipped, Skipped{File: name, Reason: "it cannot be read", Err: err})
			continue
		}
		sc, p, err := parse(name, src, base)
		if err != nil {
			skipped = append(skipped, Skipped{File: name, Reason: skipReason(p), Err: err})
			continue
		}
		library = append(library, sc)
	}
	return library, skipped
}

// skipReason says why a built-in scenario does not read: what it names
// that the data lacks, or else that it does not fit the data at all.
func skipReason(p *parser) string {
	var lacks []string
	if p != nil {
		for _, what := range []string{"queues", "presence profiles", "extensions"} {
			if p.lacks[what] {
				lacks = append(lacks, what)
			}
		}
	}
	if len(lacks) == 0 {
		return "it does not fit the agent, queues and extensions cpsim runs with"
	}
	list := lacks[0]
	if n := len(lacks); n > 1 {
		list = strings.Join(lacks[:n-1], ", ") + " and " + lacks[n-1]
	}
	return "it needs " + list + " your -config does not have"
}

// ParseAll reads every .yaml file of fsys like ParseLibrary, and fails on
// the first file that does not read: for tests of the library itself.
func ParseAll(fsys fs.FS, base *state.Data) ([]*Scenario, error) {
	library, skipped := ParseLibrary(fsys, base)
	if len(skipped) > 0 {
		return nil, skipped[0].Err
	}
	return library, nil
}
