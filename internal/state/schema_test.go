package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// TestSchemaIsTheSeeds guards the embedded schema against edits: it is the
// seed document's schema chapter byte for byte (from the line after
// "Complete schema of the interface..." to the end of the file).
func TestSchemaIsTheSeeds(t *testing.T) {
	t.Parallel()
	const want = "4ef5bdcee1081687ed0ce9856b19df440d24fe26322851fd22739d4b4d2fa0fb"
	sum := sha256.Sum256(seedSchema)
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("message.schema.json has SHA-256 %s, want the seed's %s", got, want)
	}
}

const validInteraction = `{"id":"3B0E6C12382D470EA3EB33B90685E984","channel_type":"phone","date_created":"2026-11-24T09:00:00.000Z",
	"status":"accepted","originator":"+358401234567","destination":"+358201230100",
	"from_queue":{"id":"3B0E6C12382D470EA3EB33B90685E985","name":"Sales"},"attached_data":{"d1":"041"},"title":"+358401234567"}`

// TestRootSchemaIsAmbiguous shows why cpsim dispatches: validated whole
// against the seed's root schema, correct messages fail.
func TestRootSchemaIsAmbiguous(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(seedURL, bytes.NewReader(seedSchema)); err != nil {
		t.Fatal(err)
	}
	root := c.MustCompile(seedURL)
	v := sharedValidator()
	for _, tt := range []struct{ name, msg, want string }{
		{"an interaction response", `{"id":"a","type":"response","payload":{"value":` + validInteraction + `}}`, "interaction"},
		{"a rejected state (status and channel_status share the word)", `{"id":"a","type":"state","payload":{"attribute":"status","value":"rejected"}}`, ""},
		{"a transcript response (its messages also match the queue definition)",
			`{"id":"a","type":"response","payload":{"value":[{"id":"3B0E6C12382D470EA3EB33B90685E984","message":"Hi","timestamp":"2026-11-24T09:00:00.000Z","originator":"customer"}]}}`, "transcript"},
	} {
		x, err := decodeJSON([]byte(tt.msg))
		if err != nil {
			t.Fatal(err)
		}
		if root.Validate(x) == nil {
			t.Errorf("%s: the root schema accepts it; the dispatch would not be needed", tt.name)
		}
		if ps := v.Outbound(x.(map[string]any), tt.want); len(ps) != 0 {
			t.Errorf("%s: dispatched validation reports %v", tt.name, ps)
		}
	}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	v := sharedValidator()
	tests := []struct {
		name, def, value string
		want             []Problem
	}{
		{"a value of no allowed type", "request", `{"command":"detail","value":5}`,
			[]Problem{{Path: "/payload/value", Text: "expected boolean or object or string, but got number"}}},
		{"a word in none of the enums", "request", `{"command":"detail","value":"usr"}`,
			[]Problem{{Path: "/payload/value", Text: `value must be one of "user", "interaction", "queue", "queues", "transcript", "extension", "activeExtension", "activeInteraction", "accept", "reject", "pick", "handle", "hangup", "startRecording", "stopRecording", "hold", "unhold", "mute", "unmute"`}}},
		{"the alternative of the right type is explained", "request", `{"command":"outbound","value":{"channel":"whatsapp","to":["a"]}}`,
			[]Problem{
				{Path: "/payload/value/channel", Text: `value must be one of "phone", "sms", "email"`},
				{Path: "/payload/value/to", Text: "expected string, but got array"},
			}},
		{"a missing required field", "request", `{"value":"user"}`,
			[]Problem{{Path: "/payload", Text: "missing properties: 'command'"}}},
		{"a valid request", "request", `{"command":"detail","value":"user"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := decodeJSON([]byte(tt.value))
			if err != nil {
				t.Fatal(err)
			}
			got := v.value(tt.def, x, "/payload")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutboundChecks(t *testing.T) {
	t.Parallel()
	v := sharedValidator()
	tests := []struct {
		msg  string
		want string // part of the first problem; "" for none
	}{
		{`{"id":"cp-1","type":"state","payload":{"attribute":"status","value":"accepted","interaction":` + validInteraction + `}}`, ""},
		{`{"id":"cp-1","type":"state","payload":{"attribute":"status","value":"connected"}}`, `value must be one of "queued"`},
		{`{"id":"cp-1","type":"state","payload":{"attribute":"mood","value":"x"}}`, "value must be one of"},
		{`{"id":"cp-1","type":"state","payload":{"attribute":"cad"}}`, "missing property 'value'"},
		{`{"id":"cp-1","type":"status","payload":{"attribute":"profile","value":{"type":"presence","name":"A","id":"3B0E6C12382D470EA3EB33B90685E984","availability":"FREE"}}}`, ""},
		{`{"id":"cp-1","type":"status","payload":{"attribute":"phone_status","value":"on"}}`, `value must be one of "connected", "disconnected"`},
		// The seed lists the agent's attributes among the state ones too:
		// their values are checked as the status ones (a raw state
		// message with one used to panic, freezing the session).
		{`{"id":"cp-1","type":"state","payload":{"attribute":"work_status","value":"ready"}}`, ""},
		{`{"id":"cp-1","type":"state","payload":{"attribute":"phone_status","value":"on"}}`, `value must be one of "connected", "disconnected"`},
		{`{"id":"cp-1","type":"state","payload":{"attribute":"login_status","value":"away"}}`, `value must be one of "logged_in"`},
		{`{"id":"cp-1","type":"exit"}`, ""},
		{`{"id":"cp-1","type":"exit","payload":true}`, "carries no payload"},
		{`{"id":"cp-1","type":"init"}`, "the panel does not send \"init\" messages"},
		{`{"id":5,"type":"state","payload":{"attribute":"status","value":"queued"}}`, "expected string, but got number"},
		{`{"id":5,"type":"response","payload":{"value":"ok"}}`, ""},
		{`{"id":"a","type":"response","payload":{"value":[` + validInteraction + `]}}`, ""},
		{`{"id":"a","type":"response","payload":{"value":"fine"}}`, ""}, // checked below with want "ok"
	}
	for _, tt := range tests {
		x, err := decodeJSON([]byte(tt.msg))
		if err != nil {
			t.Fatal(err)
		}
		ps := v.Outbound(x.(map[string]any), "")
		switch {
		case tt.want == "" && len(ps) > 0 && !strings.Contains(tt.msg, "fine"):
			t.Errorf("%s: %v", tt.msg, ps)
		case tt.want != "" && (len(ps) == 0 || !strings.Contains(ps[0].Text, tt.want)):
			t.Errorf("%s: %v, want %q", tt.msg, ps, tt.want)
		}
	}
	x, _ := decodeJSON([]byte(`{"id":"a","type":"response","payload":{"value":"fine"}}`))
	if ps := v.Outbound(x.(map[string]any), "ok"); len(ps) == 0 {
		t.Errorf("a response value of %q passed as ok", "fine")
	}
}

// FuzzOutbound: whatever message a developer or a scenario posts raw
// (the page's event editor, the step post), checking it reports problems
// and never panics.
func FuzzOutbound(f *testing.F) {
	for _, s := range []string{
		`{"id":"cp-1","type":"state","payload":{"attribute":"work_status","value":"ready"}}`,
		`{"id":"cp-1","type":"status","payload":{"attribute":"status","value":"queued"}}`,
		`{"id":"cp-1","type":"state","payload":{"attribute":"activeInteraction","value":null}}`,
		`{"id":"cp-1","type":"response","payload":{"value":{"x":1}}}`,
		`{"type":"exit","payload":{}}`,
		`{"id":[],"type":7}`,
	} {
		f.Add([]byte(s))
	}
	v := sharedValidator()
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := decodeJSON(data)
		if err != nil {
			return
		}
		if m, ok := x.(map[string]any); ok {
			v.Outbound(m, "")
		}
	})
}

// FuzzPlainRequest proves the fast path sound: whatever it accepts, the
// seed's requestMessage definition accepts too.
func FuzzPlainRequest(f *testing.F) {
	for _, s := range []string{
		`{"command":"detail","value":"user"}`,
		`{"command":"visible","value":true,"interactionId":"x"}`,
		`{"command":"outbound","value":{"channel":"sms","to":"1","direct":true,"cc":["a"],"cad":{}}}`,
		`{"command":"outbound","value":{"channel":"whatsapp","to":["1"]}}`,
		`{"command":"callState","value":"hold"}`,
		`{"command":"detail","value":"interactions"}`,
		`{"command":"message","value":{"content":5}}`,
		`{"command":"x","value":null}`,
		`{"value":"user"}`,
		`{"command":"detail","value":"user","extra":1}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	v := sharedValidator()
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := decodeJSON(data)
		if err != nil || !plainRequest(x) {
			return
		}
		if ps := v.value("request", x, ""); len(ps) > 0 {
			t.Fatalf("the fast path accepts %s, which the schema rejects: %v", data, ps)
		}
	})
}
