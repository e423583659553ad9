package scenario

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/scenarios"
)

// prelude names the interactions the vocabulary's examples act on.
var prelude = []Step{
	{Event: state.Incoming{Channel: state.Phone}, As: "call1"},
	{Event: state.Incoming{Channel: state.Chat}, As: "chat1"},
	{Event: state.Outbound{Channel: state.Phone, To: state.Recipients{"1"}}, As: "out1"},
	{Event: state.Consult{ID: "call1", To: "2042"}, As: "cons1"},
}

// stepData is what a step is, without where it was written.
type stepData struct {
	Kind  string
	Event state.Event
	As    string
}

func dataOf(steps []Step) []stepData {
	var out []stepData
	for _, st := range steps {
		out = append(out, stepData{st.Kind, st.Event, st.As})
	}
	return out
}

// TestFormatRoundTrip: every event of the vocabulary that a step performs,
// written by Format, reads back as the same event: a new event is tested
// as soon as state.Kinds has it.
func TestFormatRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range state.Kinds() {
		if k.StepName() == "" {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			st := Step{Kind: k.StepName(), Event: k.Example}
			if k.Creates {
				st.As = "new1"
			}
			steps := append(append([]Step(nil), prelude...), st)
			for i := range steps {
				kind, _ := state.KindOf(steps[i].Event)
				steps[i].Kind = kind.StepName()
			}
			src := Format(&Scenario{Name: "Round trip: " + k.Name, Steps: steps})
			got, err := Parse("round.yaml", src, base(t))
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			if diff := cmp.Diff(dataOf(steps), dataOf(got.Steps)); diff != "" {
				t.Errorf("Parse(Format(x)) (-x +got):\n%s\n%s", diff, src)
			}
			if again := Format(got); string(again) != string(src) {
				t.Errorf("Format(Parse(Format(x))) differs:\n%s\nfrom\n%s", again, src)
			}
		})
	}
}

// TestFormatLibrary: Format of a built-in scenario reads back to the same
// steps, and formats to the same text again.
func TestFormatLibrary(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(scenarios.Files(), "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			src, err := fs.ReadFile(scenarios.Files(), f)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Parse(f, src, base(t))
			if err != nil {
				t.Fatal(err)
			}
			once := Format(sc)
			again, err := Parse(f, once, base(t))
			if err != nil {
				t.Fatalf("%v\n%s", err, once)
			}
			if diff := cmp.Diff(dataOf(sc.Steps), dataOf(again.Steps)); diff != "" {
				t.Errorf("steps (-file +formatted):\n%s", diff)
			}
			if diff := cmp.Diff(strings.Split(string(once), "\n"), strings.Split(string(Format(again)), "\n")); diff != "" {
				t.Errorf("Format is not stable (-once +twice):\n%s", diff)
			}
		})
	}
}

// TestFormatStrings: a string is written plain when YAML reads it back the
// same, and quoted when not.
func TestFormatStrings(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"call1":         "call1",
		"Web Chat":      "Web Chat",
		"+358401234567": `"+358401234567"`,
		"2042":          `"2042"`,
		"true":          `"true"`,
		"on":            `"on"`,
		"":              `""`,
		"a: b":          `"a: b"`,
		"x # y":         `"x # y"`,
		"<p>Hi</p>":     `"<p>Hi</p>"`,
		"two\nlines":    `"two\nlines"`,
		"del\x7f":       `"del\u007f"`,
	} {
		if got := yamlString(in); got != want {
			t.Errorf("yamlString(%q) = %s, want %s", in, got, want)
		}
	}
}
