package yamlx

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

func TestClosest(t *testing.T) {
	t.Parallel()
	words := []string{"incoming", "accept", "reject", "hangup", "handle"}
	for in, want := range map[string]string{
		"incomming": "incoming", "Accept": "accept", "hang_up": "hangup", "handel": "handle", "teleport": "",
	} {
		if got := Closest(in, words); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecode: any bytes, no panic; an error is always positioned in the
// file.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"- name: a\n  wait: 2s\n  cad: {x: [1, 2]}\n",
		"a: &x [*x]\n",
		"- {raw: !!binary aGk=}\n",
		"- raw: ~\n  on: true\n",
		"%YAML 1.2\n---\n- name: x\n",
		"- count: 0x10\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var out []step
		n, err := Parse("f.yaml", src)
		if err == nil {
			err = Decode("f.yaml", n, &out)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") && !strings.HasPrefix(err.Error(), "yamlx:") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}
