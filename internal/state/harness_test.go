package state

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cpsim/cpsim/internal/yamlx"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// sharedValidator is compiled once for all tests; it is read-only.
var sharedValidator = sync.OnceValue(func() *Validator {
	v, err := NewValidator()
	if err != nil {
		panic(err)
	}
	return v
})

// testData is the built-in data set plus an interaction-specific extension
// for every queue (crm) and a global one (bg).
func testData(t testing.TB) *Data {
	t.Helper()
	d := defaultData(t)
	d.Extensions = []ExtensionData{
		{Key: "crm", Text: "CRM", URL: "https://ext.example.com/crm.html"},
		{Key: "bg", URL: "https://ext.example.com/bg.html", Mode: "global"},
	}
	return d
}

// defaultData reads the built-in data set the way internal/config does.
// The engine's tests cannot import internal/config (it imports the
// engine), so they read its file.
func defaultData(t testing.TB) *Data {
	t.Helper()
	const file = "../config/default.yaml"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := yamlx.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	var d Data
	if err := yamlx.Decode(file, n, &d); err != nil {
		t.Fatal(err)
	}
	if err := d.Check(file); err != nil {
		t.Fatal(err)
	}
	return &d
}

// harness drives a session the way the host does and fails the test when
// cpsim produces a message that breaks the schema.
type harness struct {
	t testing.TB
	s *Session
}

func newHarness(t testing.TB, edit ...func(*Data)) *harness {
	t.Helper()
	d := testData(t)
	for _, e := range edit {
		e(d)
	}
	s, err := New(Options{Data: d, Validator: sharedValidator(), IDs: SeededIDs(1),
		Clock: SteppingClock(t0, time.Second), CheckOutbound: true})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, s: s}
}

// check fails the test on any diagnostic about cpsim's own output.
func (h *harness) check(o Output) Output {
	h.t.Helper()
	for _, d := range o.Diagnostics {
		if d.Direction == "out" && d.Severity == SeverityError {
			h.t.Errorf("cpsim produced an invalid message: %s", d)
		}
	}
	return o
}

// recv posts a message from an instance.
func (h *harness) recv(inst, msg string) Output {
	h.t.Helper()
	return h.check(h.s.Receive(inst, []byte(msg)))
}

// apply performs an event that must succeed.
func (h *harness) apply(ev Event) Output {
	h.t.Helper()
	o, err := h.s.Apply(ev)
	if err != nil {
		h.t.Fatalf("%T: %v", ev, err)
	}
	return h.check(o)
}

// refused performs an event that must fail, and returns its error text.
func (h *harness) refused(ev Event) string {
	h.t.Helper()
	o, err := h.s.Apply(ev)
	if err == nil {
		h.t.Fatalf("%T was accepted, want a refusal", ev)
	}
	if len(o.Deliveries) > 0 {
		h.t.Errorf("%T was refused but delivered %d messages", ev, len(o.Deliveries))
	}
	return err.Error()
}

// incoming creates an interaction and returns its id.
func (h *harness) incoming(ev Incoming) string {
	h.t.Helper()
	return h.apply(ev).Created
}

// accepted creates an interaction on channel, accepts it and inits its crm
// instance; it returns the interaction and the instance ids.
func (h *harness) accepted(channel string) (string, string) {
	h.t.Helper()
	id := h.incoming(Incoming{Channel: channel, Content: "Hello", Subject: "Question", CAD: map[string]any{"d1": "041"}})
	o := h.apply(Accept{ID: id})
	inst := ""
	for _, c := range o.Changes {
		if c.Kind == Started && c.Instance.Key == "crm" {
			inst = c.Instance.ID
		}
	}
	if inst == "" {
		h.t.Fatalf("accepting %s started no crm instance", id)
	}
	h.recv(inst, `{"id":"init","type":"init","payload":false}`)
	return id, inst
}

// global returns the live global instance, initialized.
func (h *harness) global() string {
	h.t.Helper()
	for _, in := range h.s.Instances() {
		if in.Mode == ModeGlobal {
			if in.Phase != PhaseReady {
				h.recv(in.ID, `{"id":"ginit","type":"init","payload":false}`)
			}
			return in.ID
		}
	}
	h.t.Fatal("no global instance")
	return ""
}

// action posts an action from inst and returns its response payload.
func (h *harness) action(inst, payload string) (map[string]any, Output) {
	h.t.Helper()
	o := h.recv(inst, `{"id":"act","type":"action","payload":`+payload+`}`)
	return responseTo(h.t, o, "act"), o
}

// msg is a delivered message, decoded.
type msg struct {
	To      string
	ID      string
	Type    string
	Payload map[string]any
}

func decode(t testing.TB, d Delivery) msg {
	t.Helper()
	var m struct {
		ID      any            `json:"id"`
		Type    string         `json:"type"`
		Payload map[string]any `json:"payload"`
	}
	if err := json.Unmarshal(d.Data, &m); err != nil {
		t.Fatalf("delivery to %s is not JSON: %v: %s", d.To, err, d.Data)
	}
	id, _ := m.ID.(string)
	return msg{To: d.To, ID: id, Type: m.Type, Payload: m.Payload}
}

func messages(t testing.TB, o Output) []msg {
	t.Helper()
	var out []msg
	for _, d := range o.Deliveries {
		out = append(out, decode(t, d))
	}
	return out
}

// responseTo finds the response with the given id, or fails.
func responseTo(t testing.TB, o Output, id string) map[string]any {
	t.Helper()
	for _, m := range messages(t, o) {
		if m.Type == "response" && m.ID == id {
			return m.Payload
		}
	}
	t.Fatalf("no response to %q among %s", id, summary(t, o))
	return nil
}

// summary renders deliveries compactly: "to:type:attribute=value".
func summary(t testing.TB, o Output) string {
	t.Helper()
	var parts []string
	for _, m := range messages(t, o) {
		parts = append(parts, describeMsg(m))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func describeMsg(m msg) string {
	switch m.Type {
	case "state", "status":
		v := m.Payload["value"]
		if _, isObj := v.(map[string]any); isObj {
			v = "{}"
		}
		return m.To + ":" + m.Type + ":" + m.Payload["attribute"].(string) + "=" + toString(v)
	case "response":
		if r, ok := m.Payload["reason"].(string); ok {
			return m.To + ":response:error(" + r + ")"
		}
		if s, ok := m.Payload["value"].(string); ok {
			return m.To + ":response:" + s
		}
		return m.To + ":response:{}"
	}
	return m.To + ":" + m.Type
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// events lists the state and status messages delivered to one instance, as
// "attribute=value".
func events(t testing.TB, o Output, inst string) []string {
	t.Helper()
	var out []string
	for _, m := range messages(t, o) {
		if m.To != inst {
			continue
		}
		switch m.Type {
		case "state", "status":
			d := describeMsg(m)
			out = append(out, d[strings.Index(d, ":"+m.Type+":")+len(m.Type)+2:])
		case "exit":
			out = append(out, "exit")
		}
	}
	return out
}

// errorReason returns the reason of an error response, or "" when the
// response is not an error.
func errorReason(p map[string]any) string {
	if p["value"] != "error" {
		return ""
	}
	r, _ := p["reason"].(string)
	return r
}
