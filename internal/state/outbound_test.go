package state

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOutboundAnswersAtOnce: an outbound is answered in the output of the
// request itself, with the interaction it created, as CPC.js's callOut,
// sendSMS, sendEmail and startWhatsAppChat expect (their waiter gives up
// after 5 s). A call dials with or without direct; an SMS, WhatsApp or
// email without direct opens as a draft.
func TestOutboundAnswersAtOnce(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  string   // status / channel_status of the created interaction
		heard []string // what the global instance hears
		draft bool
	}{
		{name: "a call without direct dials", value: `{"channel":"phone","to":"+358409999999"}`, want: "outgoing/calling",
			heard: []string{"status=outgoing", "activeInteraction={}"}},
		{name: "a call with direct dials", value: `{"channel":"phone","to":"+358409999999","direct":true}`, want: "outgoing/calling",
			heard: []string{"status=outgoing", "activeInteraction={}"}},
		{name: "an sms without direct is a draft", value: `{"channel":"sms","to":"+358409999999","content":"Hi"}`, want: "outgoing/outbound_preview",
			heard: []string{"status=outgoing", "activeInteraction={}"}, draft: true},
		{name: "a whatsapp without direct is a draft", value: `{"channel":"whatsapp","to":"+358409999999","content":"Hi","direct":false}`, want: "outgoing/outbound_preview",
			heard: []string{"status=outgoing", "activeInteraction={}"}, draft: true},
		{name: "an email without direct is a draft", value: `{"channel":"email","to":["a@example.com"],"subject":"Order","content":"Shipped"}`, want: "outgoing/outbound_preview",
			heard: []string{"status=outgoing", "activeInteraction={}"}, draft: true},
		{name: "an sms with direct is sent, its content the first message", value: `{"channel":"sms","to":"+358409999999","content":"Hi","direct":true}`, want: "outgoing/connected",
			heard: []string{"status=outgoing", "message={}", "activeInteraction={}"}},
		{name: "an email with direct is sent", value: `{"channel":"email","to":"a@example.com","subject":"Order","content":"Shipped","direct":true}`, want: "outgoing/connected",
			heard: []string{"status=outgoing", "activeInteraction={}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			g := h.global()
			o := h.recv(g, `{"id":"o1","type":"action","payload":{"command":"outbound","value":`+tt.value+`}}`)
			p := responseTo(t, o, "o1")
			if r := errorReason(p); r != "" {
				t.Fatalf("refused: %s", r)
			}
			it := p["value"].(map[string]any)
			if got := it["status"].(string) + "/" + it["channel_status"].(string); got != tt.want || it["id"] != o.Created {
				t.Errorf("response value %v: %s, want %s, the interaction created (%s)", it["id"], got, tt.want, o.Created)
			}
			if got := changes(o); !cmp.Equal(got, []string{"started crm"}) {
				t.Errorf("started %v, want its queue's crm", got)
			}
			if diff := cmp.Diff(tt.heard, events(t, o, g)); diff != "" {
				t.Errorf("the global instance heard (-want +got):\n%s", diff)
			}
			v := h.s.View()
			if v.Active != o.Created || (v.Interactions[0].Draft != nil) != tt.draft {
				t.Errorf("view: active %s, draft %+v; want the new interaction active, draft %v", v.Active, v.Interactions[0].Draft, tt.draft)
			}
		})
	}
}

// draftOf has the global instance ask for an outbound without direct on
// channel, and inits the draft's crm instance; it returns the draft and
// that instance.
func draftOf(t testing.TB, h *harness, channel string) (string, string) {
	t.Helper()
	value := map[string]string{
		SMS:      `{"channel":"sms","to":"+358409999999","content":"Your parcel is on its way"}`,
		WhatsApp: `{"channel":"whatsapp","to":"+358409999999"}`,
		Email:    `{"channel":"email","to":["a@example.com"],"cc":["c@example.com"],"subject":"Order SO-1","content":"Shipped"}`,
	}[channel]
	o := h.recv(h.global(), `{"id":"o1","type":"action","payload":{"command":"outbound","value":`+value+`}}`)
	inst := ""
	for _, c := range o.Changes {
		if c.Kind == Started {
			inst = c.Instance.ID
		}
	}
	h.recv(inst, `{"id":"init","type":"init","payload":false}`)
	return o.Created, inst
}

// TestDrafts: the agent sends a draft, with edits or without, or discards
// it; the draft's own extension hears each as ordinary state messages.
// What cannot be done to a draft is refused with a reason.
func TestDrafts(t *testing.T) {
	tests := []struct {
		name    string
		channel string
		event   func(id string) Event
		heard   []string // what the draft's crm instance hears
		check   func(t *testing.T, h *harness, id string)
		wantErr string
	}{
		{name: "send an sms: connected, then its content as the first message", channel: SMS,
			event: func(id string) Event { return SendDraft{ID: id} },
			heard: []string{"channel_status=connected", "message={}"},
			check: func(t *testing.T, h *harness, id string) {
				it, _ := h.s.Interaction(id)
				if len(it.Transcript.Messages) != 1 || it.Transcript.Messages[0].Message != "Your parcel is on its way" || it.Transcript.Messages[0].Originator != "maria.lindqvist" {
					t.Errorf("transcript %+v", it.Transcript.Messages)
				}
			}},
		{name: "send an sms edited", channel: SMS,
			event: func(id string) Event {
				return SendDraft{ID: id, To: Recipients{"+358401111111"}, Content: "Edited"}
			},
			heard: []string{"channel_status=connected", "message={}"},
			check: func(t *testing.T, h *harness, id string) {
				it, _ := h.s.Interaction(id)
				if it.Destination != "+358401111111" || it.Transcript.Messages[0].Message != "Edited" {
					t.Errorf("destination %s, transcript %+v", it.Destination, it.Transcript.Messages)
				}
			}},
		{name: "send the oldest draft when none is named", channel: SMS,
			event: func(string) Event { return SendDraft{} },
			heard: []string{"channel_status=connected", "message={}"}},
		{name: "send a whatsapp without a message", channel: WhatsApp,
			event:   func(id string) Event { return SendDraft{ID: id} },
			wantErr: "the whatsapp draft has no message: write one before sending it"},
		{name: "send a whatsapp with the message written in the panel", channel: WhatsApp,
			event: func(id string) Event { return SendDraft{ID: id, Content: "Hello from the panel"} },
			heard: []string{"channel_status=connected", "message={}"}},
		{name: "send an email edited", channel: Email,
			event: func(id string) Event {
				return SendDraft{ID: id, To: Recipients{"b@example.com", "d@example.com"}, Subject: "Order SO-1 shipped"}
			},
			heard: []string{"channel_status=connected"},
			check: func(t *testing.T, h *harness, id string) {
				it, _ := h.s.Interaction(id)
				want := []Address{{Address: "b@example.com"}, {Address: "d@example.com"}}
				if it.Title != "Order SO-1 shipped" || it.Content != "Shipped" || !cmp.Equal(it.ToAddress, want) || len(it.CcAddress) != 1 {
					t.Errorf("email: title %q, content %q, to %v, cc %v", it.Title, it.Content, it.ToAddress, it.CcAddress)
				}
				if v := h.s.View(); v.Interactions[0].Draft != nil {
					t.Errorf("still a draft after sending: %+v", v.Interactions[0].Draft)
				}
			}},
		{name: "a subject on an sms", channel: SMS,
			event:   func(id string) Event { return SendDraft{ID: id, Subject: "Hi"} },
			wantErr: "has no subject: only an email has one"},
		{name: "an sms to two numbers", channel: SMS,
			event:   func(id string) Event { return SendDraft{ID: id, To: Recipients{"1", "2"}} },
			wantErr: "goes to one number, not 2"},
		{name: "discard: handled, outbound_rejected, and exit", channel: Email,
			event: func(id string) Event { return DiscardDraft{ID: id} },
			heard: []string{"status=handled", "channel_status=outbound_rejected", "exit"},
			check: func(t *testing.T, h *harness, id string) {
				if _, ok := h.s.Interaction(id); ok {
					t.Error("a discarded draft is still in the panel")
				}
				if err := h.refused(SendDraft{ID: id}); !strings.Contains(err, "was discarded and is no longer in the panel") {
					t.Errorf("sending a discarded draft: %s", err)
				}
			}},
		{name: "discard the oldest draft when none is named", channel: SMS,
			event: func(string) Event { return DiscardDraft{} },
			heard: []string{"status=handled", "channel_status=outbound_rejected", "exit"}},
		{name: "handle a draft", channel: Email, event: func(id string) Event { return Handle{ID: id} },
			wantErr: "is a draft the agent has not sent: send or discard it"},
		{name: "hang up a draft", channel: SMS, event: func(id string) Event { return Hangup{ID: id} },
			wantErr: "is a draft the agent has not sent: send or discard it"},
		{name: "the customer writes into a draft", channel: SMS, event: func(id string) Event { return Say{ID: id, Text: "Hi?"} },
			wantErr: "is a draft the agent has not sent: send or discard it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			id, inst := draftOf(t, h, tt.channel)
			o, ok := applyUnlessRefused(t, h, tt.event(id), tt.wantErr)
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.heard, events(t, o, inst)); diff != "" {
				t.Errorf("the draft's extension heard (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, h, id)
			}
		})
	}
}

// TestDraftRefusals: what the agent cannot send or discard.
func TestDraftRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call, inst := h.accepted(Phone)
	for _, tt := range []struct {
		ev   Event
		want string
	}{
		{SendDraft{}, "no draft is open: an extension opens one with an outbound sms, whatsapp or email without direct"},
		{DiscardDraft{}, "no draft is open"},
		{SendDraft{ID: call}, "is not a draft (status accepted, channel_status connected)"},
	} {
		if err := h.refused(tt.ev); !strings.Contains(err, tt.want) {
			t.Errorf("%#v: %q, want %q", tt.ev, err, tt.want)
		}
	}
	// An extension cannot hand a draft it asked for over to the agent's
	// handle: only the agent sends or discards.
	o := h.recv(inst, `{"id":"o1","type":"action","payload":{"command":"outbound","value":{"channel":"sms","to":"+358409999999","content":"Hi"}}}`)
	draft := o.Created
	p, _ := h.action(inst, `{"command":"interaction","value":"handle","interactionId":"`+draft+`"}`)
	if r := errorReason(p); !strings.Contains(r, "is a draft the agent has not sent") {
		t.Errorf("handle of a draft by an extension: %q", r)
	}
}

// TestOneVoiceLine: the agent has one softphone. Routing offers no call
// to an agent on one (held or dialling included), while conversations and
// emails are offered up to their capacity; a call the agent dials, picks
// or accepts puts the connected call on hold first, and none is taken
// while the softphone is dialling.
func TestOneVoiceLine(t *testing.T) {
	type ids struct{ first, second string }
	callOn := func(h *harness) string { id, _ := h.accepted(Phone); return id }
	// secondCall: the agent on a call, and another call queued.
	secondCall := func(h *harness) ids {
		first := callOn(h)
		return ids{first: first, second: h.incoming(Incoming{Channel: Phone})}
	}
	tests := []struct {
		name    string
		prep    func(h *harness) ids
		event   func(x ids) Event
		want    []string // what the global instance hears
		wantErr string
	}{
		{name: "no call is offered to an agent on a call",
			prep:  func(h *harness) ids { return ids{first: callOn(h)} },
			event: func(ids) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued"}},
		{name: "nor on a held call",
			prep: func(h *harness) ids {
				id := callOn(h)
				h.apply(CallState{ID: id, Op: "hold"})
				return ids{first: id}
			},
			event: func(ids) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued"}},
		{name: "nor while one rings",
			prep:  func(h *harness) ids { return ids{first: h.incoming(Incoming{Channel: Phone})} },
			event: func(ids) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued"}},
		{name: "nor while the agent dials",
			prep:  func(h *harness) ids { return ids{first: outgoingCall(h)} },
			event: func(ids) Event { return Incoming{Channel: Phone} },
			want:  []string{"status=queued"}},
		{name: "a chat is offered beside a call",
			prep:  func(h *harness) ids { return ids{first: callOn(h)} },
			event: func(ids) Event { return Incoming{Channel: Chat} },
			want:  []string{"status=queued", "status=incoming", "channel_status=ringing"}},
		{name: "the call ended, the queued one is offered",
			prep:  secondCall,
			event: func(x ids) Event { return Hangup{ID: x.first} },
			want:  []string{"status=ended", "channel_status=disconnected", "status=incoming", "channel_status=ringing"}},
		{name: "three chats at once, the fourth waits",
			prep: func(h *harness) ids {
				for range 3 {
					h.incoming(Incoming{Channel: Chat})
				}
				return ids{}
			},
			event: func(ids) Event { return Incoming{Channel: Chat} },
			want:  []string{"status=queued"}},
		{name: "a chat handled, the waiting one is offered",
			prep: func(h *harness) ids {
				first, _ := h.accepted(Chat)
				h.incoming(Incoming{Channel: Chat})
				h.incoming(Incoming{Channel: Chat})
				return ids{first: first, second: h.incoming(Incoming{Channel: Chat})}
			},
			event: func(x ids) Event { return Handle{ID: x.first} },
			// The handled chat was the only one in hand, so none is active
			// any more; the offered one is not taken yet.
			want: []string{"status=handled", "channel_status=disconnected", "activeInteraction=null", "status=incoming", "channel_status=ringing"}},
		{name: "an outbound call holds the connected call first",
			prep:  func(h *harness) ids { return ids{first: callOn(h)} },
			event: func(ids) Event { return Outbound{Channel: Phone, To: Recipients{"+358409999999"}} },
			want:  []string{"channel_status=onhold", "status=outgoing", "activeInteraction={}"}},
		{name: "an outbound call while one dials",
			prep:    func(h *harness) ids { return ids{first: outgoingCall(h)} },
			event:   func(ids) Event { return Outbound{Channel: Phone, To: Recipients{"+358401111111"}} },
			wantErr: "the agent's softphone is dialling"},
		{name: "picking a second call holds the first",
			prep:  secondCall,
			event: func(x ids) Event { return Pick{ID: x.second} },
			want:  []string{"channel_status=onhold", "status=accepted", "channel_status=connected", "activeInteraction={}"}},
		{name: "accepting a call that rang before the agent dialled holds the answered outbound",
			prep: func(h *harness) ids {
				ringing := h.incoming(Incoming{Channel: Phone})
				out := outgoingCall(h)
				h.apply(Outcome{ID: out, Result: "connected"})
				return ids{first: out, second: ringing}
			},
			event: func(x ids) Event { return Accept{ID: x.second} },
			want:  []string{"channel_status=onhold", "status=accepted", "channel_status=connected", "activeInteraction={}"}},
		{name: "accepting while the agent dials",
			prep: func(h *harness) ids {
				ringing := h.incoming(Incoming{Channel: Phone})
				return ids{first: outgoingCall(h), second: ringing}
			},
			event:   func(x ids) Event { return Accept{ID: x.second} },
			wantErr: "the agent's softphone is dialling"},
		{name: "unholding a call holds the other",
			prep: func(h *harness) ids {
				x := secondCall(h)
				h.apply(Pick{ID: x.second})
				return x
			},
			event: func(x ids) Event { return CallState{ID: x.first, Op: "unhold"} },
			want:  []string{"channel_status=onhold", "channel_status=connected"}},
		{name: "a consultation while the agent dials",
			prep: func(h *harness) ids {
				first := callOn(h)
				outgoingCall(h)
				return ids{first: first}
			},
			event:   func(x ids) Event { return Consult{ID: x.first, To: "2042"} },
			wantErr: "the agent's softphone is dialling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			g := h.global()
			x := tt.prep(h)
			o, ok := applyUnlessRefused(t, h, tt.event(x), tt.wantErr)
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.want, events(t, o, g)); diff != "" {
				t.Errorf("the global instance heard (-want +got):\n%s", diff)
			}
			live := 0
			for _, it := range h.s.View().Interactions {
				if it.Channel == Phone && it.ChannelStatus == CSConnected {
					live++
				}
			}
			if live > 1 {
				t.Errorf("%d calls connected and not on hold, want one at most", live)
			}
		})
	}
}

// applyUnlessRefused performs an event: when want is "", one that must
// succeed; else one that must be refused with a reason containing want,
// leaving the model as it was (ok is then false).
func applyUnlessRefused(t *testing.T, h *harness, ev Event, want string) (o Output, ok bool) {
	t.Helper()
	if want == "" {
		return h.apply(ev), true
	}
	before := modelOf(t, h)
	if err := h.refused(ev); !strings.Contains(err, want) {
		t.Errorf("error %q, want one containing %q", err, want)
	}
	if diff := cmp.Diff(before, modelOf(t, h)); diff != "" {
		t.Errorf("a refused event changed the model:\n%s", diff)
	}
	return Output{}, false
}

// TestOutboundCallFromAnExtensionHoldsTheCall: an extension's outbound
// call, answered at once, holds the call its interaction is on.
func TestOutboundCallFromAnExtensionHoldsTheCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call, inst := h.accepted(Phone)
	o := h.recv(inst, `{"id":"o1","type":"action","payload":{"command":"outbound","value":{"channel":"phone","to":"+358409999999"}}}`)
	if got := events(t, o, inst); !cmp.Equal(got, []string{"channel_status=onhold"}) {
		t.Errorf("the call's extension heard %v, want its call on hold", got)
	}
	if it := responseTo(t, o, "o1")["value"].(map[string]any); it["channel_status"] != "calling" {
		t.Errorf("response %v", it)
	}
	if it, _ := h.s.Interaction(call); it.ChannelStatus != CSOnHold {
		t.Errorf("the first call is %s", it.ChannelStatus)
	}
}
