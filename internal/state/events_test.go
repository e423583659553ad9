package state

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEvents is the transition table of the panel's events: from a prepared
// state, an event either moves the model, which the global instance hears
// as exactly these messages, or is refused with a reason.
func TestEvents(t *testing.T) {
	tests := []struct {
		name    string
		prep    func(h *harness) string // returns the interaction the event names
		event   func(id string) Event
		want    []string // what the global instance hears
		wantErr string
	}{
		// the agent
		{name: "login when logged in", event: func(string) Event { return Login{} }, wantErr: "already logged in"},
		{name: "logout", event: func(string) Event { return Logout{} }, want: []string{"login_status=logged_out", "exit"}},
		{name: "logout puts an offered interaction back in its queue",
			prep:  func(h *harness) string { return h.incoming(Incoming{Channel: Phone}) },
			event: func(string) Event { return Logout{} },
			want:  []string{"status=queued", "channel_status=knocking", "login_status=logged_out", "exit"}},
		{name: "logout with an interaction in hand",
			prep:    func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event:   func(string) Event { return Logout{} },
			wantErr: "the agent has 1 interaction(s) in the panel: handle them before logging out"},
		{name: "logout with a draft open",
			prep:    func(h *harness) string { id, _ := draftOf(h.t, h, SMS); return id },
			event:   func(string) Event { return Logout{} },
			wantErr: "the agent has 1 draft(s) in the panel: send or discard them before logging out"},
		{name: "logout with a draft and a call",
			prep: func(h *harness) string {
				id, _ := h.accepted(Phone)
				draftOf(h.t, h, Email)
				return id
			},
			event:   func(string) Event { return Logout{} },
			wantErr: "the agent has 1 interaction(s) and 1 draft(s) in the panel: handle the interactions, and send or discard the drafts, before logging out"},
		{name: "logout twice", prep: func(h *harness) string { h.apply(Logout{}); return "" },
			event: func(string) Event { return Logout{} }, wantErr: "already logged out"},
		{name: "not ready", event: func(string) Event { return SetWorkStatus{Status: "not_ready"} }, want: []string{"work_status=not_ready"}},
		{name: "wrap-up", event: func(string) Event { return SetWorkStatus{Status: "wrap_up"} }, want: []string{"work_status=wrap_up"}},
		{name: "ready when ready changes nothing", event: func(string) Event { return SetWorkStatus{Status: "ready"} }, want: nil},
		{name: "an unknown work status", event: func(string) Event { return SetWorkStatus{Status: "busy"} }, wantErr: `unknown work status "busy"`},
		{name: "ready in an absence profile",
			prep:    func(h *harness) string { h.apply(SetProfile{Profile: "Lunch"}); return "" },
			event:   func(string) Event { return SetWorkStatus{Status: "ready"} },
			wantErr: `the presence profile "Lunch" is an absence`},
		{name: "work status while logged out",
			prep:    func(h *harness) string { h.apply(Logout{}); return "" },
			event:   func(string) Event { return SetWorkStatus{Status: "ready"} },
			wantErr: "the agent is logged out: log in first"},
		{name: "an absence profile makes a ready agent not ready",
			event: func(string) Event { return SetProfile{Profile: "Lunch"} },
			want:  []string{"profile={}", "work_status=not_ready"}},
		{name: "a presence profile", event: func(string) Event { return SetProfile{Profile: "Meeting"} }, want: []string{"profile={}"}},
		{name: "the active profile again changes nothing", event: func(string) Event { return SetProfile{Profile: "Available"} }},
		{name: "a misspelt profile", event: func(string) Event { return SetProfile{Profile: "Lnch"} }, wantErr: `did you mean "Lunch"?`},
		{name: "softphone disconnected", event: func(string) Event { return SetPhoneStatus{Status: "disconnected"} }, want: []string{"phone_status=disconnected"}},
		{name: "an unknown phone status", event: func(string) Event { return SetPhoneStatus{Status: "off"} }, wantErr: `unknown phone status "off"`},

		// routing
		{name: "a call to a ready agent is queued, then offered",
			event: func(string) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued", "status=incoming", "channel_status=ringing"}},
		{name: "a call to an agent not ready stays queued",
			prep:  func(h *harness) string { h.apply(SetWorkStatus{Status: "not_ready"}); return "" },
			event: func(string) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued"}},
		{name: "going ready offers what is queued",
			prep: func(h *harness) string {
				h.apply(SetWorkStatus{Status: "not_ready"})
				return h.incoming(Incoming{Channel: Chat})
			},
			event: func(string) Event { return SetWorkStatus{Status: "ready"} },
			want:  []string{"work_status=ready", "status=incoming", "channel_status=ringing"}},
		{name: "a queue the agent does not serve keeps its calls",
			prep:  func(h *harness) string { h.apply(SetServe{Queue: "Sales", Serve: false}); return "" },
			event: func(string) Event { return Incoming{Channel: Phone, Queue: "Sales"} },
			want:  []string{"status=queued"}},
		{name: "serving a queue again offers its calls",
			prep: func(h *harness) string {
				h.apply(SetServe{Queue: "Sales", Serve: false})
				return h.incoming(Incoming{Channel: Phone, Queue: "Sales"})
			},
			event: func(string) Event { return SetServe{Queue: "Sales", Serve: true} },
			want:  []string{"status=incoming", "channel_status=ringing"}},
		{name: "serve an unknown queue", event: func(string) Event { return SetServe{Queue: "Sale"} }, wantErr: `did you mean "Sales"?`},
		{name: "a chat to a phone queue", event: func(string) Event { return Incoming{Channel: Chat, Queue: "Sales"} }, wantErr: `queue "Sales" takes phone, not chat`},
		{name: "an unknown channel", event: func(string) Event { return Incoming{Channel: "fax"} }, wantErr: `unknown channel "fax"`},

		// an interaction's life
		{name: "accept", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Phone}) },
			event: func(id string) Event { return Accept{ID: id} },
			want:  []string{"status=accepted", "channel_status=connected", "activeInteraction={}"}},
		{name: "accept a queued call",
			prep: func(h *harness) string {
				h.apply(SetWorkStatus{Status: "not_ready"})
				return h.incoming(Incoming{Channel: Phone})
			},
			event: func(id string) Event { return Accept{ID: id} }, wantErr: "is queued, not offered to the agent: pick it instead"},
		{name: "pick a queued call",
			prep: func(h *harness) string {
				h.apply(SetWorkStatus{Status: "not_ready"})
				return h.incoming(Incoming{Channel: Phone})
			},
			event: func(id string) Event { return Pick{ID: id} },
			want:  []string{"status=accepted", "channel_status=connected", "activeInteraction={}"}},
		{name: "reject", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Email}) },
			event: func(id string) Event { return Reject{ID: id} },
			want:  []string{"status=rejected", "channel_status=rejected"}},
		{name: "hang up", prep: func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return Hangup{ID: id} },
			want:  []string{"status=ended", "channel_status=disconnected"}},
		{name: "hang up twice",
			prep:    func(h *harness) string { id, _ := h.accepted(Phone); h.apply(Hangup{ID: id}); return id },
			event:   func(id string) Event { return Hangup{ID: id} },
			wantErr: "is not in progress (status ended, channel_status disconnected): there is nothing to hang up"},
		{name: "handling the last interaction leaves none active",
			prep:  func(h *harness) string { id, _ := h.accepted(Phone); h.apply(Hangup{ID: id}); return id },
			event: func(id string) Event { return Handle{ID: id} },
			want:  []string{"status=handled", "activeInteraction=null"}},
		{name: "handling an interaction that is not active leaves the active one",
			prep: func(h *harness) string {
				id, _ := h.accepted(Phone)
				h.apply(Hangup{ID: id})
				h.accepted(Chat)
				return id
			},
			event: func(id string) Event { return Handle{ID: id} },
			want:  []string{"status=handled"}},
		{name: "handle an offered call", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Phone}) },
			event: func(id string) Event { return Handle{ID: id} }, wantErr: "the agent has not taken it"},
		{name: "handling the active interaction activates the one before",
			prep: func(h *harness) string {
				h.accepted(Chat)
				id, _ := h.accepted(Email)
				return id
			},
			event: func(id string) Event { return Handle{ID: id} },
			want:  []string{"status=handled", "channel_status=disconnected", "activeInteraction={}"}},
		{name: "an unknown interaction", event: func(string) Event { return Accept{ID: "0123456789ABCDEF0123456789ABCDEF"} },
			wantErr: "no interaction in the panel has that id"},
		{name: "a handled interaction",
			prep: func(h *harness) string {
				id, _ := h.accepted(Chat)
				h.apply(Handle{ID: id})
				return id
			},
			event: func(id string) Event { return Accept{ID: id} }, wantErr: "was handled and is no longer in the panel"},
		{name: "a rejected interaction",
			prep: func(h *harness) string {
				id := h.incoming(Incoming{Channel: Chat})
				h.apply(Reject{ID: id})
				return id
			},
			event: func(id string) Event { return Pick{ID: id} }, wantErr: "was rejected and is no longer in the panel"},
		{name: "no interaction named", event: func(string) Event { return Hangup{} }, wantErr: "no interaction named"},

		// outgoing calls
		{name: "an outgoing call answers",
			prep:  outgoingCall,
			event: func(id string) Event { return Outcome{ID: id, Result: "connected"} },
			want:  []string{"channel_status=connected"}},
		{name: "an outgoing call is busy",
			prep:  outgoingCall,
			event: func(id string) Event { return Outcome{ID: id, Result: "busy"} },
			want:  []string{"status=ended", "channel_status=busy"}},
		{name: "an outgoing call is not answered",
			prep:  outgoingCall,
			event: func(id string) Event { return Outcome{ID: id, Result: "no_answer"} },
			want:  []string{"status=ended", "channel_status=no_answer"}},
		{name: "an outcome that is not one",
			prep:  outgoingCall,
			event: func(id string) Event { return Outcome{ID: id, Result: "exploded"} }, wantErr: `unknown outcome "exploded"`},
		{name: "an outcome for a call that is connected",
			prep:  func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return Outcome{ID: id, Result: "busy"} }, wantErr: "is not an outgoing call that is ringing"},
		{name: "hang up an outgoing call before it answers",
			prep:  outgoingCall,
			event: func(id string) Event { return Hangup{ID: id} },
			want:  []string{"status=ended", "channel_status=disconnected"}},
		{name: "an outbound call while logged out",
			prep: func(h *harness) string { h.apply(Logout{}); return "" },
			event: func(string) Event {
				return Outbound{Channel: Phone, To: Recipients{"1"}}
			},
			wantErr: "the agent is logged out"},

		// caller data and conversations
		{name: "caller data", prep: func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return SetCAD{ID: id, Set: map[string]any{"case": "C-1", "d1": nil}} },
			want:  []string{`cad={}`}},
		{name: "caller data that changes nothing", prep: func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return SetCAD{ID: id, Set: map[string]any{"d1": "041", "gone": nil}} }},
		{name: "the customer writes", prep: func(h *harness) string { id, _ := h.accepted(WhatsApp); return id },
			event: func(id string) Event { return Say{ID: id, Text: "Where is my parcel?"} },
			want:  []string{"message={}"}},
		{name: "the customer writes before the chat is accepted", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Chat}) },
			event: func(id string) Event { return Say{ID: id, Text: "Hello?"} },
			want:  []string{"message={}"}},
		{name: "the agent writes to an offered chat", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Chat}) },
			event: func(id string) Event { return Say{ID: id, From: "agent", Text: "Hi"} }, wantErr: "the agent cannot write to it"},
		{name: "the customer writes to a call", prep: func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return Say{ID: id, Text: "Hi"} }, wantErr: "message is for chat, sms and whatsapp interactions"},
		{name: "typing changes no notified attribute", prep: func(h *harness) string { id, _ := h.accepted(Chat); return id },
			event: func(id string) Event { return Typing{ID: id, On: true} }},
		{name: "typing on a call", prep: func(h *harness) string { id, _ := h.accepted(Phone); return id },
			event: func(id string) Event { return Typing{ID: id, On: true} }, wantErr: "typing is for chat, sms and whatsapp"},

		// selection
		{name: "select an interaction",
			prep: func(h *harness) string {
				id, _ := h.accepted(Chat)
				h.accepted(Phone)
				return id
			},
			event: func(id string) Event { return SelectInteraction{ID: id} },
			want:  []string{"activeInteraction={}"}},
		{name: "select the active interaction changes nothing",
			prep:  func(h *harness) string { id, _ := h.accepted(Chat); return id },
			event: func(id string) Event { return SelectInteraction{ID: id} }},
		{name: "deselect",
			prep:  func(h *harness) string { id, _ := h.accepted(Chat); return id },
			event: func(string) Event { return Deselect{} },
			want:  []string{"activeInteraction=null"}},
		{name: "deselect with none active changes nothing", event: func(string) Event { return Deselect{} }},
		{name: "select after a deselect",
			prep:  func(h *harness) string { id, _ := h.accepted(Chat); h.apply(Deselect{}); return id },
			event: func(id string) Event { return SelectInteraction{ID: id} },
			want:  []string{"activeInteraction={}"}},
		{name: "select an offered interaction", prep: func(h *harness) string { return h.incoming(Incoming{Channel: Chat}) },
			event: func(id string) Event { return SelectInteraction{ID: id} }, wantErr: "only an interaction the agent has taken can be selected"},
		{name: "open an extension",
			prep:  func(h *harness) string { _, inst := h.accepted(Chat); return inst },
			event: func(inst string) Event { return SelectExtension{Instance: inst} },
			want:  []string{"activeExtension={}"}},
		{name: "open a hidden extension",
			prep: func(h *harness) string {
				_, inst := h.accepted(Chat)
				h.action(inst, `{"command":"visible","value":false}`)
				return inst
			},
			event: func(inst string) Event { return SelectExtension{Instance: inst} }, wantErr: "button is hidden: the extension set visible to false"},
		{name: "open a disabled extension",
			prep: func(h *harness) string {
				_, inst := h.accepted(Chat)
				h.action(inst, `{"command":"enabled","value":false}`)
				return inst
			},
			event: func(inst string) Event { return SelectExtension{Instance: inst} }, wantErr: "button is disabled"},
		{name: "open the global extension", event: func(string) Event { return SelectExtension{Instance: "bg-1"} }, wantErr: "hidden global extension"},

		// low-level messages
		{name: "a raw state message", prep: func(h *harness) string { id, _ := h.accepted(Chat); return id },
			event: func(id string) Event { return State{ID: id, Attribute: "channel_status", Value: "onvideo"} },
			want:  []string{"channel_status=onvideo"}},
		{name: "a raw status message", event: func(string) Event { return Status{Attribute: "work_status", Value: "wrap_up"} },
			want: []string{"work_status=wrap_up"}},
		{name: "a state message needs an attribute", event: func(string) Event { return State{Value: 1} }, wantErr: "needs an attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			g := h.global()
			id := ""
			if tt.prep != nil {
				id = tt.prep(h)
			}
			before := modelOf(t, h)
			o, err := h.s.Apply(tt.event(id))
			h.check(o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if diff := cmp.Diff(before, modelOf(t, h)); diff != "" {
					t.Errorf("a refused event changed the model:\n%s", diff)
				}
				if len(o.Deliveries) > 0 {
					t.Errorf("a refused event delivered %s", summary(t, o))
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if diff := cmp.Diff(tt.want, events(t, o, g)); diff != "" {
				t.Errorf("the global instance heard (-want +got):\n%s", diff)
			}
		})
	}
}

// modelOf is the session as the page sees it, without the times of day that
// move with the clock.
func modelOf(t *testing.T, h *harness) string {
	t.Helper()
	v := h.s.View()
	v.User.DailyWorkTime, v.User.DailyPauseTime = "", ""
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func outgoingCall(h *harness) string {
	o := h.apply(Outbound{Channel: Phone, To: Recipients{"+358409999999"}})
	return o.Created
}

func TestTypingShowsInTheDetails(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chat, inst := h.accepted(Chat)
	h.apply(Typing{ID: chat, On: true})
	p, _ := h.action(inst, `{"command":"detail","value":"interaction"}`)
	parts := p["value"].(map[string]any)["participants"].([]any)
	if parts[0].(map[string]any)["status"] != "typing" {
		t.Errorf("participants = %v, want the customer typing", parts)
	}
	h.apply(Say{ID: chat, Text: "Done typing"})
	p, _ = h.action(inst, `{"command":"detail","value":"interaction"}`)
	parts = p["value"].(map[string]any)["participants"].([]any)
	if parts[0].(map[string]any)["status"] != "not_typing" {
		t.Errorf("after the message, participants = %v", parts)
	}
}

func TestCADReachesTheExtension(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call, inst := h.accepted(Phone)
	o := h.apply(SetCAD{ID: call, Set: map[string]any{"case": "C-1", "d1": nil, "nested": map[string]any{"tier": "gold"}}})
	ms := messages(t, o)
	var got any
	for _, m := range ms {
		if m.To == inst && m.Payload["attribute"] == "cad" {
			got = m.Payload["value"]
		}
	}
	want := map[string]any{"case": "C-1", "nested": map[string]any{"tier": "gold"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cad value (-want +got):\n%s", diff)
	}
}

func TestConsultJoinLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call, inst := h.accepted(Phone)
	o := h.apply(Consult{ID: call, To: "2042"})
	consult := o.Created
	if got := changes(o); !cmp.Equal(got, []string{"started crm"}) {
		t.Errorf("the consultation started %v", got)
	}
	if v := h.s.View(); v.Active != consult || v.Interactions[0].Consult != consult || !v.Interactions[0].Held {
		t.Errorf("after consult: active %s, original %+v", v.Active, v.Interactions[0])
	}
	h.apply(Outcome{ID: consult, Result: "connected"})
	o = h.apply(Join{ID: consult})
	if got := events(t, o, inst); !cmp.Equal(got, []string{"status=ended", "channel_status=disconnected"}) {
		t.Errorf("original call's instance heard %v", got)
	}
	h.apply(Handle{ID: consult})
	h.apply(Handle{ID: call})
	if n := len(h.s.View().Interactions); n != 0 {
		t.Errorf("%d interactions left after handling both", n)
	}
}

func TestSendDeliversAsIs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	raw := `{"id":"odd","type":"state","payload":{"attribute":"mood","value":"grumpy"}}`
	o := h.apply(Send{Instance: "bg-1", Data: []byte(raw)})
	if len(o.Deliveries) != 1 || string(o.Deliveries[0].Data) != raw {
		t.Fatalf("deliveries = %s, want the raw message once, although bg-1 has not sent init", summary(t, o))
	}
	wantWarning(t, o, "/payload/attribute", "value must be one of")

	o = h.apply(Send{Instance: "bg-1", Data: []byte(`[1]`)})
	if len(o.Deliveries) != 1 || len(o.Diagnostics) != 1 {
		t.Errorf("an array is sent with a warning: %v %v", o.Deliveries, o.Diagnostics)
	}
	if err := h.refused(Send{Instance: "bg-1", Data: []byte(`{`)}); !strings.Contains(err, "malformed JSON") {
		t.Errorf("sending broken JSON: %q", err)
	}
	if err := h.refused(Send{Instance: "nope-1", Data: []byte(`{}`)}); !strings.Contains(err, `no extension instance "nope-1"`) {
		t.Errorf("sending to no instance: %q", err)
	}
}
