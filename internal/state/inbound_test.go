package state

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBadInput checks that whatever an extension posts, it is reported,
// answered with an error when an id can be read, and never panics.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		wantReason string // "" means no response can be sent
		wantDiag   string // part of an error diagnostic
	}{
		{name: "not JSON", data: `{"id": "a", type: init}`, wantDiag: "malformed JSON at byte 13"},
		{name: "empty", data: ``, wantDiag: "empty message"},
		{name: "truncated", data: `{"id":"a","type":"in`, wantDiag: "the message ends early"},
		{name: "two values", data: `{"id":"a","type":"init"} {}`, wantDiag: "unexpected data after the JSON value"},
		{name: "an array", data: `[{"id":"a","type":"init"}]`, wantDiag: "not an array"},
		{name: "a string", data: `"init"`, wantDiag: "not a string"},
		{name: "null", data: `null`, wantDiag: "not null"},
		{name: "no id", data: `{"type":"init","payload":true}`, wantDiag: "has no string or number id"},
		{name: "an object id", data: `{"id":{"n":1},"type":"init"}`, wantDiag: "has no string or number id"},
		{name: "no type", data: `{"id":"a","payload":true}`, wantReason: "the message has no type: send init, exit or action", wantDiag: "missing or not a string"},
		{name: "a numeric type", data: `{"id":"a","type":3}`, wantReason: "the message has no type", wantDiag: "missing or not a string"},
		{name: "an unknown type", data: `{"id":"a","type":"hello"}`, wantReason: `unknown message type "hello": send init, exit or action`, wantDiag: "unknown message type"},
		{name: "a misspelt type", data: `{"id":"a","type":"actoin"}`, wantReason: `unknown message type "actoin": did you mean "action"?`, wantDiag: "did you mean"},
		{name: "a panel type", data: `{"id":"a","type":"state","payload":{}}`, wantReason: `"state" messages are sent by the panel, not by extensions`, wantDiag: "panel-to-extension"},
		{name: "a response from the extension", data: `{"id":"a","type":"response","payload":{"value":"ok"}}`, wantReason: `"response" messages are sent by the panel`, wantDiag: "panel-to-extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			o := h.recv("bg-1", tt.data)
			if tt.wantReason == "" {
				if len(o.Deliveries) != 0 {
					t.Errorf("answered a message with no readable id: %s", summary(t, o))
				}
			} else if r := errorReason(responseTo(t, o, "a")); !strings.Contains(r, tt.wantReason) {
				t.Errorf("reason = %q, want %q", r, tt.wantReason)
			}
			found := false
			for _, d := range o.Diagnostics {
				if d.Severity == SeverityError && d.Direction == "in" && strings.Contains(d.Text, tt.wantDiag) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error diagnostic containing %q among %v", tt.wantDiag, o.Diagnostics)
			}
		})
	}
}

func TestMessageFromAnUnknownInstance(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.recv("ghost-9", `{"id":"a","type":"init"}`)
	if len(o.Deliveries) != 0 || len(o.Diagnostics) != 1 || !strings.Contains(o.Diagnostics[0].Text, `no extension instance "ghost-9"`) {
		t.Errorf("got %v %v", o.Deliveries, o.Diagnostics)
	}
}

// FuzzReceive feeds the inbound path arbitrary bytes: it must not panic,
// must answer with an error whenever an id can be read and the message is
// not a well-formed request, and must produce only valid JSON.
func FuzzReceive(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","type":"init","payload":true}`,
		`{"id":"b","type":"exit"}`,
		`{"id":"c","type":"action","payload":{"command":"detail","value":"user"}}`,
		`{"id":"d","type":"action","payload":{"command":"outbound","value":{"channel":"email","to":["x@y.z"],"direct":true}}}`,
		`{"id":"e","type":"action","payload":{"command":"interaction","value":"hangup","interactionId":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}`,
		`{"id":"f","type":"action","payload":{"command":"callState","value":"hold"}}`,
		`{"id":7,"type":"action","payload":{"command":"message","value":{"content":"hi"}}}`,
		`{"id":"g","type":"state","payload":{"attribute":"cad","value":{}}}`,
		`{"id":"h","type":"action","payload":{"command":"transfer","value":{"to":"1","cad":{"a":[1,{"b":null}]}}}}`,
		`[]`, `null`, `"x"`, `{`, `{"id":1e400,"type":"init"}`, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	v := sharedValidator()
	d := testData(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := New(Options{Data: d, Validator: v, IDs: SeededIDs(1), CheckOutbound: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(Incoming{Channel: Phone}); err != nil {
			t.Fatal(err)
		}
		g := s.Instances()[0].ID
		s.Receive(g, []byte(`{"id":"init","type":"init"}`))
		o := s.Receive(g, data)

		for _, del := range o.Deliveries {
			if !json.Valid(del.Data) {
				t.Fatalf("delivered invalid JSON: %q", del.Data)
			}
		}
		for _, diag := range o.Diagnostics {
			if diag.Direction == "out" && diag.Severity == SeverityError {
				t.Fatalf("cpsim produced an invalid message: %s", diag)
			}
			if !utf8.ValidString(diag.Text) {
				t.Fatalf("diagnostic is not UTF-8: %q", diag.Text)
			}
		}
		// Whenever an id can be read, there is an answer.
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		switch m["id"].(type) {
		case string, float64:
		default:
			return
		}
		if len(o.Deliveries) == 0 {
			t.Fatalf("no answer to a message with an id: %s", data)
		}
	})
}
