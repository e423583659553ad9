package scenario

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseExpect: a pattern on its own, as the control API takes it,
// matches by an expect step's rules and is checked as a step's is.
func TestParseExpect(t *testing.T) {
	t.Parallel()
	detail := `{"id":"a1","type":"action","payload":{"command":"detail","value":"user","limit":10}}`
	tests := []struct {
		pattern string
		msg     string
		match   bool
	}{
		{`{"type":"action"}`, detail, true},
		{`{"type":"init"}`, detail, false},
		{`{"payload":{"command":"detail"}}`, detail, true},
		{`{"payload":{"command":"detail","value":"interactions"}}`, detail, false},
		{`{"payload":{"limit":10}}`, detail, true}, // numbers by value
		{`{"id":"a1"}`, detail, true},
		{"type: action\npayload: {command: detail}", detail, true}, // YAML too
		{`{"type":"init","payload":true}`, `{"id":"i","type":"init","payload":true}`, true},
	}
	for _, tt := range tests {
		x, err := ParseExpect("message", []byte(tt.pattern))
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(tt.msg), &v); err != nil {
			t.Fatal(err)
		}
		if got := x.Match(v); got != tt.match {
			t.Errorf("%s matches %s: %v, want %v", tt.pattern, tt.msg, got, tt.match)
		}
	}
	x, _ := ParseExpect("message", []byte(`{"type":"action","payload":{"command":"transfer"}}`))
	var v any
	_ = json.Unmarshal([]byte(detail), &v)
	if got := x.Closest([]Message{{Instance: "crm-2", Value: v}}, 3); len(got) != 1 || !strings.HasSuffix(got[0], " from crm-2") {
		t.Errorf("Closest = %q", got)
	}
	if got, want := x.String(), `{"payload":{"command":"transfer"},"type":"action"}`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}

	for pattern, want := range map[string]string{
		`{"type":"actoin"}`:                 `message:1:9: type "actoin" is not allowed`,
		`{"type":"action","from":"crm"}`:    `message:1:18: unknown key "from"`,
		`{"payload":{"command":"detial"}}`:  `command "detial" is not allowed`,
		`{"payload":{"interactionId":12}}`:  "interactionId is a string",
		`{}`:                                "matches every message",
		`[1]`:                               "message needs a mapping",
		`{"type":`:                          "message:1",
		``:                                  "empty",
		`{"type":"exit","payload":{"a":1}}`: "an exit message has no payload",
	} {
		_, err := ParseExpect("message", []byte(pattern))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseExpect(%s) = %v, want %q", pattern, err, want)
		}
	}
}
