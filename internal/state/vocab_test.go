package state

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVocabularyRoundTrip: every event of the vocabulary, written as the
// page sends it, reads back as the same event of the same kind.
func TestVocabularyRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.Name] {
			t.Errorf("%s is listed twice", k.Name)
		}
		seen[k.Name] = true
		if k.Doc == "" || k.New == nil || k.Example == nil {
			t.Errorf("%s lacks its doc, New or Example", k.Name)
			continue
		}
		if got, ok := KindOf(k.Example); !ok || got.Name != k.Name {
			t.Errorf("KindOf(%s's example) = %s, %v", k.Name, got.Name, ok)
		}
		for _, f := range append(append([]string{k.Short}, k.Required...), keys(k.Allowed)...) {
			if _, ok := FieldOf(k.Example, f); f != "" && !ok {
				t.Errorf("%s names the field %s, which %T does not have", k.Name, f, k.Example)
			}
		}
		data, err := EncodeEvent(k.Example)
		if err != nil {
			t.Errorf("%s: %v", k.Name, err)
			continue
		}
		ev, err := DecodeEvent(data)
		if err != nil {
			t.Errorf("%s: %s: %v", k.Name, data, err)
			continue
		}
		if diff := cmp.Diff(k.Example, ev); diff != "" {
			t.Errorf("%s: %s reads back (-want +got):\n%s", k.Name, data, diff)
		}
	}
}

func keys(m map[string]func() []string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDecodeEventRequires: a field an event requires, left out, is named.
func TestDecodeEventRequires(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		for _, req := range k.Required {
			data, err := EncodeEvent(k.Example)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			f, _ := FieldOf(k.Example, req)
			delete(m, f.JSON)
			data, _ = json.Marshal(m)
			if _, err := DecodeEvent(data); err == nil || !strings.Contains(err.Error(), "needs "+f.JSON) {
				t.Errorf("%s: error %v, want one that it needs %s", data, err, f.JSON)
			}
		}
	}
}

// TestDocsListTheVocabulary: docs/relay.md lists every event the page may
// send, and docs/scenarios.md every step that performs one.
func TestDocsListTheVocabulary(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	relay, scenarios := read("relay.md"), read("scenarios.md")
	for _, k := range Kinds() {
		if !strings.Contains(relay, "`"+k.Name+"`") {
			t.Errorf("docs/relay.md does not list the event %s", k.Name)
		}
		if step := k.StepName(); step != "" && !strings.Contains(scenarios, "`"+step) {
			t.Errorf("docs/scenarios.md does not list the step %s", step)
		}
	}
}

// TestDecodeEventNamesTheField: DecodeEvent's error names the field that
// was wrong, by its wire name, for the control API's problems.
func TestDecodeEventNamesTheField(t *testing.T) {
	t.Parallel()
	for data, field := range map[string]string{
		`[]`:                                           "",
		`{"channel":"phone"}`:                          "type",
		`{"type":5}`:                                   "type",
		`{"type":"incomming"}`:                         "type",
		`{"type":"incoming","channel":5}`:              "channel",
		`{"type":"incoming","colour":"red"}`:           "colour",
		`{"type":"accept"}`:                            "id",
		`{"type":"record","id":"x"}`:                   "on",
		`{"type":"delay","command":"detail","ms":-5}`:  "ms",
		`{"type":"outbound","channel":"sms","to":[1]}`: "to",
	} {
		_, err := DecodeEvent([]byte(data))
		var ee *EventError
		if !errors.As(err, &ee) || ee.Field != field {
			t.Errorf("DecodeEvent(%s) = %v, want an EventError on %q", data, err, field)
		}
	}
}
