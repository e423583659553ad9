package yamlx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
)

type step struct {
	Name  string         `yaml:"name"`
	Wait  time.Duration  `yaml:"wait"`
	Count int            `yaml:"count"`
	Ratio float64        `yaml:"ratio"`
	On    *bool          `yaml:"on"`
	Tags  []string       `yaml:"tags"`
	CAD   map[string]any `yaml:"cad"`
	Raw   any            `yaml:"raw"`
	Skip  string         `yaml:"-"`
	Pos   Pos
}

func decodeString(t *testing.T, src string, v any) error {
	t.Helper()
	n, err := Parse("f.yaml", []byte(src))
	if err != nil {
		return err
	}
	return Decode("f.yaml", n, v)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	var got []step
	err := decodeString(t, `
- name: first
  wait: 1m30s
  count: -3
  ratio: 0.5
  on: false
  tags: [a, b]
  cad: {d1: "041", n: 7, f: 1.5, ok: true, none: null, list: [1, {x: y}], big: 18446744073709551615, bin: 0b101}
  raw: &r {type: state}
- name: second
  raw: *r
`, &got)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := []step{
		{Name: "first", Wait: 90 * time.Second, Count: -3, Ratio: 0.5, On: &no, Tags: []string{"a", "b"},
			CAD: map[string]any{"d1": "041", "n": int64(7), "f": 1.5, "ok": true, "none": nil, "list": []any{int64(1), map[string]any{"x": "y"}}, "big": uint64(18446744073709551615), "bin": int64(5)},
			Raw: map[string]any{"type": "state"}, Pos: Pos{Line: 2, Column: 3}},
		{Name: "second", Raw: map[string]any{"type": "state"}, Pos: Pos{Line: 10, Column: 3}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown key", "nmae: x\n", `f.yaml:1:1: unknown key "nmae" (did you mean "name"?)`},
		{"unknown key far from any", "zzzzzz: x\n", `f.yaml:1:1: unknown key "zzzzzz" (known keys: cad, count, name, on, ratio, raw, tags, wait)`},
		{"a hidden field", "Skip: x\n", `f.yaml:1:1: unknown key "Skip" (known keys: cad, count, name, on, ratio, raw, tags, wait)`},
		{"a key twice", "name: a\nname: b\n", `f.yaml:2:1: "name" is given twice`},
		{"not a number", "count: many\n", `f.yaml:1:8: "many" is not a whole number`},
		{"a fraction for a count", "count: 1.5\n", `f.yaml:1:8: "1.5" is not a whole number`},
		{"not a bool", "on: yes please\n", `f.yaml:1:5: "yes please" is not true or false`},
		{"not a duration", "wait: soon\n", `f.yaml:1:7: "soon" is not a duration (write it like 500ms, 2s or 1m30s)`},
		{"a negative duration", "wait: -1s\n", `f.yaml:1:7: the duration -1s is negative`},
		{"a mapping for a string", "name: {a: b}\n", `f.yaml:1:7: expected a string, found a mapping`},
		{"a scalar for a list", "tags: a\n", `f.yaml:1:7: expected a list, found "a"`},
		{"a scalar for a struct", "just text\n", `f.yaml:1:1: expected a mapping of cad, count, name, on, ratio, raw, tags, wait, found "just text"`},
		{"a key twice in free data", "cad: {a: 1, a: 2}\n", `f.yaml:1:13: "a" is given twice`},
		{"infinity in free data", "cad: {n: .inf}\n", `f.yaml:1:10: ".inf" is not a number JSON can carry`},
		{"a complex key", "cad: {[a]: 1}\n", `f.yaml:1:7: a key must be a plain word`},
		{"two documents", "name: a\n---\nname: b\n", `f.yaml:2:1: a second YAML document starts here; put everything in one document`},
		{"empty", "", "f.yaml: the file is empty"},
		{"only a comment", "# nothing\n", "f.yaml: the file is empty"},
		{"too deep", "raw: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", "f.yaml:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s step
			err := decodeString(t, tt.src, &s)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is not an *Error", err)
			}
		})
	}
}

// TestDecodeEveryMistake: one Decode reports every mistake, in the order of
// the file, and still decodes what is right.
func TestDecodeEveryMistake(t *testing.T) {
	t.Parallel()
	var got []step
	err := decodeString(t, `
- name: first
  nmae: typo
  count: many
- name: second
  wait: 2
  tags: a
- name: third
  name: again
  cad: {a: 1, a: 2, b: .inf}
`, &got)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("%T is not an Errors: %v", err, err)
	}
	want := []string{
		`f.yaml:3:3: unknown key "nmae" (did you mean "name"?)`,
		`f.yaml:4:10: "many" is not a whole number`,
		`f.yaml:6:9: "2" has no unit (write 2s or 2ms)`,
		`f.yaml:7:9: expected a list, found "a"`,
		`f.yaml:9:3: "name" is given twice`,
		`f.yaml:10:15: "a" is given twice`,
		`f.yaml:10:24: ".inf" is not a number JSON can carry`,
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("mistakes (-want +got):\n%s", diff)
	}
	var first *Error
	if !errors.As(err, &first) || first.Line != 3 || first.Column != 3 {
		t.Errorf("errors.As finds %+v, want the first mistake, at 3:3", first)
	}
	if len(got) != 3 || got[0].Name != "first" || got[1].Name != "second" || got[2].CAD["a"] != int64(1) {
		t.Errorf("what is right is not decoded: %+v", got)
	}
}

func TestErrorsAdd(t *testing.T) {
	t.Parallel()
	var es Errors
	if es.Err() != nil {
		t.Error("an empty Errors is not a nil error")
	}
	es.Add(nil)
	es.Add(&Error{File: "a.yaml", Line: 3, Column: 1, Msg: "three"})
	es.Add(Errors{{File: "a.yaml", Line: 1, Column: 2, Msg: "one"}, {File: "a.yaml", Msg: "whole"}})
	es.Add(fmt.Errorf("wrapped: %w", &Error{File: "a.yaml", Line: 2, Column: 1, Msg: "two"}))
	es.Add(errors.New("plain"))
	es.Sort()
	want := "a.yaml: whole\nplain\na.yaml:1:2: one\na.yaml:2:1: two\na.yaml:3:1: three"
	if got := es.Err().Error(); got != want {
		t.Errorf("Errors:\n%s\nwant\n%s", got, want)
	}
}

// TestSyntaxErrorLines: a syntax error is reported at the line a person
// fixes, not at the line of the construct yaml.v3 was reading.
func TestSyntaxErrorLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"a step one column less than its siblings",
			"name: x\nsteps:\n  - login\n - logout\n  - login\n",
			"f.yaml:4:1: did not find expected key"},
		{"a step under a step",
			"name: x\nsteps:\n  - incoming: {as: c, channel: phone}\n    - accept: c\n",
			"f.yaml:4:1: did not find expected key"},
		{"a key one column more than its siblings",
			"name: x\nsteps:\n  - incoming:\n      as: c\n       channel: phone\n  - accept\n",
			"f.yaml:5:1: mapping values are not allowed in this context"},
		{"a key one column less than its siblings",
			"name: x\nsteps:\n  - incoming:\n      as: c\n     channel: phone\n  - accept\n",
			"f.yaml:5:1: did not find expected key"},
		{"a step key without its dash",
			"name: x\nsteps:\n  - incoming: {as: c, channel: phone}\n  - accept: c\n   hold: c\n",
			"f.yaml:5:1: did not find expected '-' indicator"},
		{"a key in a list",
			"name: x\nsteps:\n  - login\n  logout: 1\n",
			"f.yaml:4:1: did not find expected '-' indicator"},
		{"a top-level key indented",
			"name: x\n description: y\nsteps:\n  - login\n",
			"f.yaml:2:1: mapping values are not allowed in this context"},
		{"a word where a key goes",
			"name: x\nsteps:\n  - login\nlogout\n",
			"f.yaml:4:1: could not find expected ':'"},
		{"a tab before a step",
			"name: x\nsteps:\n\t- login\n",
			"f.yaml:3:1: found character that cannot start any token"},
		{"a tab before a key",
			"name: x\nsteps:\n  - incoming:\n      as: c\n\tchannel: phone\n",
			"f.yaml:5:1: found a tab character that violates indentation"},
		{"a brace left open",
			"name: x\nsteps:\n  - incoming: {as: c1, cad: {a: 1}\n  - accept\n  - hold\n",
			"f.yaml:3:1: did not find expected ',' or '}'"},
		{"a brace left open after one closed over two lines",
			"name: x\nsteps:\n  - incoming: {as: c1,\n      channel: phone}\n  - accept: {in: c1\n  - hold\n",
			"f.yaml:5:1: did not find expected ',' or '}'"},
		{"a bracket left open on the first line",
			"name: [x\nsteps:\n  - login\n",
			"f.yaml:1:1: did not find expected ',' or ']'"},
		{"a quote left open",
			"name: x\ndescription: \"y\nsteps:\n  - login\n",
			"f.yaml:2:1: found unexpected end of stream"},
		{"a colon in a value",
			"name: x: y\nsteps:\n  - login\n",
			"f.yaml:1:1: mapping values are not allowed in this context"},
		{"an unknown alias", "name: *a\n", "f.yaml:1:1: unknown anchor 'a' referenced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("f.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestAliasBudget: aliases may add MaxAliasNodes nodes to a file, counted
// before anything decodes it; past that, or an alias within its own
// anchor, the file is refused at the alias.
func TestAliasBudget(t *testing.T) {
	t.Parallel()
	list := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("x, ", n), ", ") + "]" }
	aliased := func(size, times int) string { // an anchor of size nodes, aliased times
		return "a: &a " + list(size-1) + "\nb: [" + strings.TrimSuffix(strings.Repeat("*a, ", times), ", ") + "]\n"
	}
	tests := []struct {
		name, src, want string // want "" means accepted
	}{
		{"billion laughs", yamlxtest.Laughs(9, ""),
			"f.yaml:6:8: aliases expand this file by more than 100000 nodes here (*e alone stands for 66430): an alias is a copy of all its anchor holds, aliases within it included (write the repeated part out, or nest aliases less)"},
		{"billion laughs in a flow mapping", "{" + strings.ReplaceAll(strings.TrimSuffix(yamlxtest.Laughs(9, ""), "\n"), "\n", ", ") + "}",
			"f.yaml:1:"},
		{"five levels of laughs", yamlxtest.Laughs(5, ""), ""},
		{"aliases add exactly the limit", aliased(10_000, 10), ""},
		{"aliases add one anchor past the limit", aliased(10_000, 11), "f.yaml:2:45: aliases expand this file by more than 100000 nodes here (*a alone stands for 10000)"},
		{"an alias within its anchor", "a: &x [*x]\n", "f.yaml:1:8: the alias *x is within what &x holds, so it would expand forever"},
		{"an alias deep within its anchor", "a: &x {b: [1, {c: *x}]}\n", "f.yaml:1:19: the alias *x is within what &x holds"},
		{"an anchor named again", "a: &x [1]\nb: [*x, &x [2], *x]\n", ""},
		{"an anchor named again within its alias", "a: &x [1]\nb: &x [*x]\n", "f.yaml:2:8: the alias *x is within what &x holds"},
		{"a large file with no alias", list(MaxAliasNodes + 10), ""},
		{"a scalar aliased many times", "a: &s x\nb: [" + strings.TrimSuffix(strings.Repeat("*s, ", 50_000), ", ") + "]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("f.yaml", []byte(tt.src))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatal("accepted")
			case !strings.HasPrefix(err.Error(), tt.want):
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Errorf("%T is not an *Error", err)
			}
		})
	}
}

// expandedPast counts the nodes aliases add to n by following every alias
// (no memory of what was counted: the plain definition), stopping once the
// count passes limit.
func expandedPast(n *yaml.Node, limit int) bool {
	var own, all int
	var walk func(n *yaml.Node, viaAlias bool) bool
	walk = func(n *yaml.Node, viaAlias bool) bool {
		if n.Kind == yaml.AliasNode {
			return n.Alias != nil && walk(n.Alias, true)
		}
		all++
		if !viaAlias {
			own++
		}
		if all-own > limit {
			return true
		}
		for _, c := range n.Content {
			if walk(c, viaAlias) {
				return true
			}
		}
		return false
	}
	return walk(n, false)
}

// FuzzDecode: any bytes, no panic; an error is always positioned in the
// file; what Parse accepts expands by at most MaxAliasNodes.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"- name: a\n  wait: 2s\n  cad: {x: [1, 2]}\n",
		"a: &x [*x]\n",
		"- {raw: !!binary aGk=}\n",
		"- raw: ~\n  on: true\n",
		"%YAML 1.2\n---\n- name: x\n",
		"- count: 0x10\n",
		// Mistakes that are all reported, and syntax errors placed anew.
		"- nmae: a\n  count: x\n- wait: 2\n  tags: a\n",
		"- name: a\n - name: b\n",
		"- name: a\n\t  wait: 2s\n",
		"- {name: a, cad: {x: [1\n- name: b\n",
		"- name: \"a\n",
		// Alias bombs, refused at the alias that crosses the budget.
		yamlxtest.Laughs(9, ""),
		yamlxtest.Laughs(6, ""),
		"- cad: {a: &a [x, x, x, x, x, x, x, x, x, x], b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]}\n",
		"- raw: &x {a: [*x]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var out []step
		n, err := Parse("f.yaml", src)
		if err == nil {
			if expandedPast(n, MaxAliasNodes) {
				t.Fatalf("accepted a file whose aliases add more than %d nodes", MaxAliasNodes)
			}
			err = Decode("f.yaml", n, &out)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") && !strings.HasPrefix(err.Error(), "yamlx:") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}
