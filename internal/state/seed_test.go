package state

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The seed's example messages, with their elisions filled in, answered as
// its prose says. Where an example cannot be taken literally, the test says
// which decision of docs/spec-notes.md applies.

// seedData configures the extension exactly as the seed's detail example
// shows it.
func seedData(d *Data) {
	yes := true
	d.Extensions = []ExtensionData{{
		Key:      "Communication Panel_3rdParty",
		Icon:     "sap-icon://address-book",
		Text:     "3rd. Party Extension",
		URL:      "http://localhost:5001/frame.html",
		Visible:  &yes,
		Enabled:  &yes,
		Expanded: &yes,
	}, {Key: "bg", URL: "https://ext.example.com/bg.html", Mode: "global"}}
}

// seedCall accepts a call with the seed's caller data {"d1": "041"} and
// returns it with its (not yet initialized) instance.
func seedCall(t *testing.T, h *harness) (string, string) {
	t.Helper()
	call := h.incoming(Incoming{Channel: Phone, CAD: map[string]any{"d1": "041"}})
	o := h.apply(Accept{ID: call})
	return call, o.Changes[0].Instance.ID
}

var interactionID = regexp.MustCompile(`^[a-zA-Z0-9]{32}$`)

func TestSeedInit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	o := h.recv(inst, `{"id": "id-init", "type": "init", "payload": true}`)
	ms := messages(t, o)
	if ms[0].ID != "id-init" || ms[0].Type != "response" {
		t.Fatalf("first message = %+v, want the init response", ms[0])
	}
	v := ms[0].Payload["value"].(map[string]any)
	if !interactionID.MatchString(v["id"].(string)) || !cmp.Equal(v["attached_data"], map[string]any{"d1": "041"}) {
		t.Errorf("init value = %v, want the interaction with attached_data {\"d1\": \"041\"}", v)
	}
	// "If the payload is set to true, all the cached messages ... are sent":
	// the seed's state example, status accepted with the interaction.
	if ms[1].Type != "state" || ms[1].Payload["attribute"] != "status" || ms[1].Payload["value"] != "accepted" {
		t.Errorf("second message = %+v, want the cached accepted state", ms[1])
	}
	if it := ms[1].Payload["interaction"].(map[string]any); !cmp.Equal(it["attached_data"], map[string]any{"d1": "041"}) {
		t.Errorf("state interaction = %v", it)
	}
}

func TestSeedInitFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	h.apply(FailNextInit{})
	o := h.recv(inst, `{"id": "id-init", "type": "init", "payload": true}`)
	want := `{"id":"id-init","type":"response","payload":{"value":"error","reason":"initiation failure"}}`
	if got := string(o.Deliveries[0].Data); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSeedExit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	h.recv(inst, `{"id":"i","type":"init"}`)
	o := h.recv(inst, `{"id": "id-x", "type": "exit"}`)
	want := `{"id":"id-x","type":"response","payload":{"value":"ok"}}`
	if got := string(o.Deliveries[0].Data); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSeedStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	h.apply(Logout{})
	o := h.apply(Login{})
	g := o.Changes[0].Instance.ID
	o = h.recv(g, `{"id":"i","type":"init","payload":true}`)
	ms := messages(t, o)
	// The seed's status example carries an interaction; cpsim's status
	// messages are about the agent and carry none (spec-notes: status).
	want := map[string]any{"attribute": "login_status", "value": "logged_in"}
	if ms[1].Type != "status" || !cmp.Equal(ms[1].Payload, want) {
		t.Errorf("status = %+v, want %v", ms[1], want)
	}
}

func TestSeedDetailExtension(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	h.recv(inst, `{"id":"i","type":"init"}`)
	o := h.recv(inst, `{"id": "id-x", "type": "action", "payload": {"command": "detail", "value": "extension"}}`)
	want := `{"id":"id-x","type":"response","payload":{"value":{"key":"Communication Panel_3rdParty","icon":"sap-icon://address-book","text":"3rd. Party Extension","url":"http://localhost:5001/frame.html","visible":true,"external":true,"enabled":true,"expanded":true}}}`
	if got := string(o.Deliveries[0].Data); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSeedActions(t *testing.T) {
	tests := []struct {
		name string
		prep func(h *harness, call string) string // returns the interactionId to fill in
		msg  string
		want func(t *testing.T, p map[string]any, o Output)
	}{
		{
			name: "outbound email",
			msg: `{"id": "id-x", "type": "action", "payload": {"command": "outbound", "value": {
				"channel": "email", "direct": true, "to": ["test1@test.com", "test2@test.com"],
				"from": "emailQueue1@cctr.com", "subject": "This is a test", "content": "<b>Hello World </b>"}}}`,
			want: func(t *testing.T, p map[string]any, o Output) {
				it := p["value"].(map[string]any)
				if !interactionID.MatchString(it["id"].(string)) || it["channel_type"] != "email" {
					t.Errorf("value = %v, want the created email interaction", it)
				}
				// The prose allows "to" as a list; the schema says string.
				wantNote(t, o, "/payload/value/to", "expected string, but got array (the prose's email example")
			},
		},
		{
			name: "transfer with CAD",
			prep: func(h *harness, call string) string { return call },
			// The seed's example has a trailing comma after "value-2", which
			// is not JSON; filled in without it.
			msg: `{"id": "id-x", "type": "action", "payload": {"command": "transfer", "interactionId": "{{id}}",
				"value": {"to": "test1@test.com", "cad": {"key-1": "value-1", "key-2": "value-2"}}}}`,
			want: func(t *testing.T, p map[string]any, o Output) {
				it := p["value"].(map[string]any)
				want := map[string]any{"d1": "041", "key-1": "value-1", "key-2": "value-2"}
				if !cmp.Equal(it["attached_data"], want) || it["destination"] != "test1@test.com" {
					t.Errorf("value = %v, want the transferred leg with the CAD", it)
				}
			},
		},
		{
			name: "expanded",
			msg:  `{"id": "id-x", "type": "action", "payload": {"command": "expanded", "value": true}}`,
			want: wantOK,
		},
		{
			name: "message",
			prep: func(h *harness, call string) string {
				chat := h.incoming(Incoming{Channel: Chat})
				h.apply(Accept{ID: chat})
				return chat
			},
			msg:  `{"id": "id-x", "type": "action", "payload": {"command": "message", "interactionId": "{{id}}", "value": {"content": "<b>Hello World!</b>"}}}`,
			want: wantOK,
		},
		{
			name: "interaction reject",
			// A chat: the agent is on a call, and routing offers no second one.
			prep: func(h *harness, call string) string { return h.incoming(Incoming{Channel: Chat}) },
			msg:  `{"id": "id-x", "type": "action", "payload": {"command": "interaction", "interactionId": "{{id}}", "value": "reject"}}`,
			want: wantOK,
		},
		{
			name: "callState startRecording",
			prep: func(h *harness, call string) string { return call },
			msg:  `{"id": "id-x", "type": "action", "payload": {"command": "callState", "interactionId": "{{id}}", "value": "startRecording"}}`,
			want: wantOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, seedData)
			call, inst := seedCall(t, h)
			h.recv(inst, `{"id":"i","type":"init"}`)
			msg := tt.msg
			if tt.prep != nil {
				msg = strings.ReplaceAll(msg, "{{id}}", tt.prep(h, call))
			}
			o := h.recv(inst, msg)
			p := responseTo(t, o, "id-x")
			if r := errorReason(p); r != "" {
				t.Fatalf("refused: %s", r)
			}
			tt.want(t, p, o)
		})
	}
}

func wantOK(t *testing.T, p map[string]any, o Output) {
	t.Helper()
	if !cmp.Equal(p, map[string]any{"value": "ok"}) {
		t.Errorf("payload = %v, want {\"value\": \"ok\"}", p)
	}
}

// TestSeedCodingChapter sends what the "Coding The Extension" chapter
// sends: init, then "details" (sic).
func TestSeedCodingChapter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	o := h.recv(inst, `{"type": "init", "payload": false, "id": "my-init"}`)
	if v, ok := responseTo(t, o, "my-init")["value"].(map[string]any); !ok || v["channel_type"] != "phone" {
		t.Errorf("my-init answered %v", v)
	}
	o = h.recv(inst, `{"type": "action", "payload": {"command": "details", "value": "extension"}, "id": "my-details"}`)
	if r := errorReason(responseTo(t, o, "my-details")); r != `unknown command "details": the command is "detail"` {
		t.Errorf("my-details: %q", r)
	}
}

// TestSeedSimpleExample follows the first example extension: it reads
// payload.value.channel from the init response, which interactions do not
// have (they have channel_type), and then sends "details".
func TestSeedSimpleExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	o := h.recv(inst, `{"type": "init", "payload": false, "id": "fn-1"}`)
	v := responseTo(t, o, "fn-1")["value"].(map[string]any)
	if _, has := v["channel"]; has {
		t.Errorf("interaction has a channel field; production does not, so the example must show undefined")
	}
	if v["channel_type"] != "phone" {
		t.Errorf("channel_type = %v", v["channel_type"])
	}
	o = h.recv(inst, `{"type": "action", "payload": {"command": "details", "value": "user"}, "id": "fn-2"}`)
	if r := errorReason(responseTo(t, o, "fn-2")); !strings.Contains(r, `the command is "detail"`) {
		t.Errorf("fn-2: %q", r)
	}
}

// TestSeedLibrary follows the cpc library of the second example: its
// callbacks test msg.result, but responses carry value, never result.
func TestSeedLibrary(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seedData)
	_, inst := seedCall(t, h)
	h.apply(FailNextInit{})
	o := h.recv(inst, `{"type": "init", "payload": true, "id": "cpc-0"}`)
	var m struct {
		Payload map[string]json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(o.Deliveries[0].Data, &m); err != nil {
		t.Fatal(err)
	}
	if _, has := m.Payload["result"]; has {
		t.Errorf("response payload has result: %s", o.Deliveries[0].Data)
	}
	if string(m.Payload["value"]) != `"error"` {
		t.Errorf("response payload = %s, want value error", o.Deliveries[0].Data)
	}
	// The library's exit sends payload null, which the schema does not
	// allow: executed, with a warning.
	h.recv(inst, `{"type": "init", "payload": true, "id": "cpc-1"}`)
	o = h.recv(inst, `{"type": "exit", "payload": null, "id": "cpc-2"}`)
	if p := responseTo(t, o, "cpc-2"); p["value"] != "ok" {
		t.Errorf("exit answered %v", p)
	}
	wantNote(t, o, "/payload", "null is not allowed; leave payload out (the seed's own example library")
}
