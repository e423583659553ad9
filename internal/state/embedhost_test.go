package state

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// embedded is a harness whose session is an embedded panel, with the
// host's init (as CPC.js sends it) answered.
func embedded(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.check(h.s.EmbedHost())
	o := h.recv(HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
	if len(o.Deliveries) != 1 || o.Deliveries[0].To != HostInstance || o.Deliveries[0].Type != "init" {
		t.Fatalf("the host's init was answered with %s", summary(t, o))
	}
	return h
}

// TestHostInit: CPC.js counts the panel ready on the first message of
// type init whose payload.value is empty, and the real panel holds it
// until the agent has logged in (CPC.js init and its message listener).
func TestHostInit(t *testing.T) {
	t.Parallel()
	const want = `{"id":"initRequest","type":"init","payload":{"value":[]}}`
	t.Run("logged in, with interactions in the panel", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.accepted(Phone)
		h.check(h.s.EmbedHost())
		o := h.recv(HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
		if len(o.Deliveries) != 1 || string(o.Deliveries[0].Data) != want || o.Deliveries[0].To != HostInstance {
			t.Fatalf("init answered %s, want %s", summary(t, o), want)
		}
		if len(o.Diagnostics) != 0 {
			t.Errorf("diagnostics: %v", o.Diagnostics)
		}
	})
	t.Run("logged out: held until login", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.apply(Logout{})
		h.check(h.s.EmbedHost())
		if o := h.recv(HostInstance, `{"id":"initRequest","type":"init","payload":false}`); len(o.Deliveries) != 0 {
			t.Fatalf("init answered while logged out: %s", summary(t, o))
		}
		o := h.apply(Login{})
		var got []string
		for _, d := range o.Deliveries {
			if d.To == HostInstance {
				got = append(got, string(d.Data))
			}
		}
		if diff := cmp.Diff([]string{want}, got); diff != "" {
			t.Errorf("at login the host got (-want +got):\n%s", diff)
		}
		// From then on it hears the agent's status.
		if ev := events(t, h.apply(SetWorkStatus{Status: "ready"}), HostInstance); !cmp.Equal(ev, []string{"work_status=ready"}) {
			t.Errorf("after init, the host heard %v", ev)
		}
	})
	t.Run("not embedded", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		o := h.s.Receive(HostInstance, []byte(`{"id":"initRequest","type":"init","payload":false}`))
		if len(o.Deliveries) != 0 || len(o.Diagnostics) != 1 || !strings.Contains(o.Diagnostics[0].Text, `no extension instance "host"`) {
			t.Errorf("a panel that is not embedded answered the host: %s %v", summary(t, o), o.Diagnostics)
		}
	})
	t.Run("a second EmbedHost changes nothing", func(t *testing.T) {
		t.Parallel()
		h := embedded(t)
		h.check(h.s.EmbedHost())
		if ev := events(t, h.apply(SetWorkStatus{Status: "not_ready"}), HostInstance); len(ev) != 1 {
			t.Errorf("the host heard %v", ev)
		}
	})
}

// TestHostHearsWhatAGlobalHears: every state and status, an interaction's
// status from offer to handled, and activeInteraction null.
func TestHostHearsWhatAGlobalHears(t *testing.T) {
	t.Parallel()
	h := embedded(t)
	g := h.global()
	id := h.incoming(Incoming{Channel: Phone})
	var host, global []string
	for _, ev := range []Event{Accept{ID: id}, CallState{ID: id, Op: "hold"}, CallState{ID: id, Op: "unhold"}, Hangup{ID: id}, Handle{ID: id},
		SetProfile{Profile: "Lunch"}, Status{Attribute: "phone_status", Value: "disconnected"}} {
		o := h.apply(ev)
		host = append(host, events(t, o, HostInstance)...)
		global = append(global, events(t, o, g)...)
	}
	if diff := cmp.Diff(global, host); diff != "" {
		t.Errorf("the host heard otherwise than a global extension (-global +host):\n%s", diff)
	}
	for _, want := range []string{"status=accepted", "status=handled", "activeInteraction=null", "profile={}", "phone_status=disconnected"} {
		if !strings.Contains(strings.Join(host, " "), want) {
			t.Errorf("the host never heard %s: %v", want, host)
		}
	}
}

// TestHostActsOnTheActiveInteraction: the host acts with the panel's
// reach. Its message, dtmf, callState and interaction without an
// interactionId act on the active interaction (CPC.js's dtmf and message
// send none), where a global extension is refused or acts on what waits.
// It may not set an extension's flags, nor ask for itself as an extension.
func TestHostActsOnTheActiveInteraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		channel string
		payload string
		want    string // "ok", or "error: <part of the reason>"
		check   func(t *testing.T, h *harness, it string)
	}{
		{"dtmf", Phone, `{"cpcFn":"dtmf","command":"dtmf","value":{"content":"5"}}`, "ok", nil},
		{"message", Chat, `{"cpcFn":"message","command":"message","value":{"content":"On its way"}}`, "ok",
			func(t *testing.T, h *harness, it string) {
				tr := h.s.View().Interactions[0].Transcript
				if tr == nil || tr.Messages[len(tr.Messages)-1].Message != "On its way" {
					t.Errorf("the message is not in the transcript: %+v", tr)
				}
			}},
		{"callState", Phone, `{"cpcFn":"callState","command":"callState","value":"hold"}`, "ok",
			func(t *testing.T, h *harness, it string) {
				if !h.s.View().Interactions[0].Held {
					t.Error("the call is not on hold")
				}
			}},
		{"interaction hangup", Phone, `{"cpcFn":"interaction","command":"interaction","value":"hangup"}`, "ok", nil},
		{"visible", Phone, `{"command":"visible","value":false}`, "error: the embedding host has none", nil},
		{"detail extension", Phone, `{"command":"detail","value":"extension"}`, "error: the embedding host is not an extension", nil},
		{"detail interaction", Phone, `{"cpcFn":"getDetails","command":"detail","value":"interaction"}`, "ok", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := embedded(t)
			it, _ := h.accepted(tc.channel)
			p, _ := h.action(HostInstance, tc.payload)
			got := "ok"
			if r := errorReason(p); r != "" {
				got = "error: " + r
			}
			if !strings.HasPrefix(got, strings.TrimSuffix(tc.want, "…")) && !(strings.HasPrefix(tc.want, "error: ") && strings.Contains(got, strings.TrimPrefix(tc.want, "error: "))) {
				t.Fatalf("answered %q, want %q", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, h, it)
			}
		})
	}
	// The same message from a global extension is refused.
	h := embedded(t)
	h.accepted(Chat)
	p, _ := h.action(h.global(), `{"command":"message","value":{"content":"x"}}`)
	if !strings.Contains(errorReason(p), "a global extension must name the interaction") {
		t.Errorf("a global extension's message without interactionId: %v", p)
	}
}

// TestHostCPCCalls: every call of CPC.js's shapes, from the host, is
// answered with what an extension gets, and its cpcFn draws no diagnostic.
func TestHostCPCCalls(t *testing.T) {
	t.Parallel()
	for _, tt := range cpcCalls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := embedded(t)
			f := setUp(t, h, tt.on)
			payload := strings.ReplaceAll(tt.payload, "{{it}}", f.it)
			o := h.recv(HostInstance, `{"id":"cpc-action-1","type":"action","payload":`+payload+`}`)
			if r := errorReason(responseTo(t, o, "cpc-action-1")); r != "" {
				t.Errorf("refused: %s", r)
			}
			for _, d := range o.Diagnostics {
				if strings.Contains(d.Text, "cpcFn") {
					t.Errorf("cpcFn drew %s", d)
				}
			}
		})
	}
}

// TestEveryMessageToTheHostHasAPayloadObject: CPC.js's listener reads
// payload.type of each message before anything else: responses (errors
// too), state, status, init and the panel's exit all carry an object.
func TestEveryMessageToTheHostHasAPayloadObject(t *testing.T) {
	t.Parallel()
	h := embedded(t)
	var all []Delivery
	keep := func(o Output) {
		for _, d := range o.Deliveries {
			if d.To == HostInstance {
				all = append(all, d)
			}
		}
	}
	it := h.incoming(Incoming{Channel: Phone})
	keep(h.apply(Accept{ID: it}))
	keep(h.apply(SetWorkStatus{Status: "not_ready"}))
	keep(h.recv(HostInstance, `{"id":"a1","type":"action","payload":{"command":"detail","value":"user"}}`))
	keep(h.recv(HostInstance, `{"id":"a2","type":"action","payload":{"command":"nonsense"}}`))
	keep(h.recv(HostInstance, `{"id":"a3","type":"state","payload":{}}`))
	keep(h.recv(HostInstance, `{"id":"a4","type":"exit"}`))
	keep(h.recv(HostInstance, `{"id":"initRequest","type":"init","payload":false}`))
	keep(h.apply(Hangup{ID: it}))
	keep(h.apply(Handle{ID: it}))
	keep(h.s.Shutdown())
	types := map[string]bool{}
	for _, d := range all {
		types[d.Type] = true
		if !hostPayloadObject(d.Data) {
			t.Errorf("%s has no payload object", d.Data)
		}
	}
	for _, typ := range []string{"init", "response", "state", "status", "exit"} {
		if !types[typ] {
			t.Errorf("no %s message reached the host: %v", typ, types)
		}
	}
}

// TestHostAfterReload: the embedded page reloads; the host inits again
// (CPC.js does when the panel's iframe loads) and gets what it missed when
// it sends init with payload true.
func TestHostAfterReload(t *testing.T) {
	t.Parallel()
	h := embedded(t)
	o := h.apply(SetWorkStatus{Status: "not_ready"})
	var undelivered []Delivery
	for _, d := range o.Deliveries {
		if d.To == HostInstance {
			undelivered = append(undelivered, d)
		}
	}
	h.check(h.s.Reload(undelivered))
	o = h.recv(HostInstance, `{"id":"initRequest","type":"init","payload":true}`)
	got := []string{}
	for _, m := range messages(t, o) {
		got = append(got, describeMsg(m))
	}
	want := []string{"host:init", "host:status:work_status=not_ready"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the reload (-want +got):\n%s", diff)
	}
}

// hostPayloadObject reports whether a message the panel posts carries a
// payload object, as CPC.js needs of every one.
func hostPayloadObject(data []byte) bool {
	var m struct {
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	var p map[string]any
	return json.Unmarshal(m.Payload, &p) == nil && p != nil
}

// TestCarryHost: a scenario that restarts an embedded session gives the
// new engine the host, ready when it was (CPC.js does not init again),
// and the old engine's exit to the host is left out.
func TestCarryHost(t *testing.T) {
	t.Parallel()
	old := embedded(t)
	fresh := newHarness(t)
	fresh.check(fresh.s.CarryHost(old.s))
	if !fresh.s.Embedded() || !fresh.s.HostReady() {
		t.Fatalf("embedded %v, ready %v", fresh.s.Embedded(), fresh.s.HostReady())
	}
	if ev := events(t, fresh.apply(SetWorkStatus{Status: "not_ready"}), HostInstance); !cmp.Equal(ev, []string{"work_status=not_ready"}) {
		t.Errorf("the carried host heard %v", ev)
	}
	o := WithoutHostExit(old.s.Shutdown())
	for _, d := range o.Deliveries {
		if d.To == HostInstance {
			t.Errorf("the host got %s", d.Data)
		}
	}
	if len(o.Deliveries) == 0 {
		t.Error("the extensions got no exit")
	}
	plain := newHarness(t)
	fresh = newHarness(t)
	fresh.check(fresh.s.CarryHost(plain.s))
	if fresh.s.Embedded() {
		t.Error("a session that was not embedded became so")
	}
}
