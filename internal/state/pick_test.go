package state

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pickable prepares a panel with three pickable contacts and one that is
// not (offered to the agent), and returns the global instance and the
// ids by name.
func pickable(t *testing.T) (*harness, string, map[string]string) {
	t.Helper()
	h := newHarness(t)
	g := h.global()
	ids := map[string]string{}
	h.apply(SetServe{Queue: "Sales", Serve: false})
	ids["call1"] = h.incoming(Incoming{Channel: Phone, Queue: "Sales", From: "+358401110001"})
	ids["chat1"] = h.incoming(Incoming{Channel: Chat}) // offered: accepted, not picked
	h.apply(SetWorkStatus{Status: "not_ready"})
	ids["sms1"] = h.incoming(Incoming{Channel: SMS, From: "+358401110002", Content: "Hi"})
	ids["call2"] = h.incoming(Incoming{Channel: Phone, Queue: "Support", From: "+358401110003"})
	return h, g, ids
}

// TestPicklist: picklist (CPC.js picklist(limit, queueId)) answers the
// queued interactions, oldest first, by limit and queue ids.
func TestPicklist(t *testing.T) {
	t.Parallel()
	sales, support, chat := nameID("queue", "Sales"), nameID("queue", "Support"), nameID("queue", "Web Chat")
	tests := []struct {
		name    string
		payload string
		want    []string // the contacts, by name
		wantErr string
	}{
		{name: "every contact, oldest first", payload: `{"command":"picklist"}`, want: []string{"call1", "sms1", "call2"}},
		{name: "as CPC sends it with no arguments", payload: `{"command":"picklist","limit":null,"queueId":null}`, want: []string{"call1", "sms1", "call2"}},
		{name: "a limit", payload: `{"command":"picklist","limit":2}`, want: []string{"call1", "sms1"}},
		{name: "a limit written with an exponent", payload: `{"command":"picklist","limit":1e3}`, want: []string{"call1", "sms1", "call2"}},
		{name: "one queue", payload: `{"command":"picklist","queueId":"` + sales + `"}`, want: []string{"call1"}},
		{name: "queues separated by commas", payload: `{"command":"picklist","queueId":"` + support + `, ` + sales + `"}`, want: []string{"call1", "call2"}},
		{name: "an empty queueId is every queue", payload: `{"command":"picklist","queueId":""}`, want: []string{"call1", "sms1", "call2"}},
		{name: "a queue whose only interaction is offered", payload: `{"command":"picklist","queueId":"` + chat + `"}`, want: []string{}},
		{name: "a limit of 0", payload: `{"command":"picklist","limit":0}`, wantErr: "picklist: limit must be a whole number of at least 1, not 0"},
		{name: "a fraction", payload: `{"command":"picklist","limit":2.5}`, wantErr: "picklist: limit must be a whole number of at least 1, not 2.5"},
		{name: "a limit in a string", payload: `{"command":"picklist","limit":"5"}`, wantErr: "picklist: limit must be a number of contacts, not a string"},
		{name: "an unknown queue id", payload: `{"command":"picklist","queueId":"` + sales + `,0123456789ABCDEF0123456789ABCDEF"}`,
			wantErr: `picklist: unknown queueId "0123456789ABCDEF0123456789ABCDEF": none of the agent's queues has that id`},
		{name: "a queue name", payload: `{"command":"picklist","queueId":"Sales"}`, wantErr: `picklist: unknown queueId "Sales"`},
		{name: "a queueId that is a number", payload: `{"command":"picklist","queueId":42}`, wantErr: "picklist: queueId must be a string of queue ids separated by commas, not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, g, ids := pickable(t)
			p, o := h.action(g, tt.payload)
			if tt.wantErr != "" {
				if r := errorReason(p); !strings.Contains(r, tt.wantErr) {
					t.Errorf("reason = %q, want it to contain %q", r, tt.wantErr)
				}
				return
			}
			if r := errorReason(p); r != "" {
				t.Fatalf("refused: %s", r)
			}
			if pr := problemsOf(o); len(pr) != 0 {
				t.Errorf("problems %q, want none: production's client library sends picklist", pr)
			}
			wantNote(t, o, "/payload/command", "(the seed's schema lacks picklist, which production's client library sends (CPC.js picklist)")
			got := []string{}
			for _, c := range p["value"].([]any) {
				for name, id := range ids {
					if c.(map[string]any)["id"] == id {
						got = append(got, name)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("contacts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPicklistContact pins down a contact's shape: what its interaction
// says of the same things, and the whole seconds it has waited.
func TestPicklistContact(t *testing.T) {
	t.Parallel()
	h, g, ids := pickable(t)
	p, _ := h.action(g, `{"command":"picklist"}`)
	list := p["value"].([]any)
	first := list[0].(map[string]any)
	it, _ := h.s.Interaction(ids["call1"])
	want := map[string]any{
		"id":           ids["call1"],
		"channel_type": "phone",
		"queue":        map[string]any{"id": nameID("queue", "Sales"), "name": "Sales"},
		"originator":   "+358401110001",
		"destination":  "+358201230100",
		"title":        "+358401110001",
		"date_created": it.DateCreated,
		"waiting_time": first["waiting_time"],
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("contact (-want +got):\n%s", diff)
	}
	if sms := list[1].(map[string]any); sms["channel_type"] != "chat" || sms["channel_sub_type"] != "sms" {
		t.Errorf("sms contact = %v, want channel_type chat, channel_sub_type sms (spec-notes #6)", sms)
	}
	// The harness's clock steps a second per reading: the oldest has waited
	// longest, and each has waited a whole number of seconds.
	var waits []float64
	for _, c := range list {
		waits = append(waits, c.(map[string]any)["waiting_time"].(float64))
	}
	for i, w := range waits {
		if w < 1 || w != float64(int(w)) || (i > 0 && w >= waits[i-1]) {
			t.Errorf("waiting times %v, want whole seconds, oldest first", waits)
			break
		}
	}
}

// TestPickFromThePicklist: a contact's id picks it, the interaction keeps
// that id, and the response ok comes before the status accepted of that
// id, pickLatency later: CPC.js interaction('pick') waits for that status
// only once it has the response.
func TestPickFromThePicklist(t *testing.T) {
	t.Parallel()
	for _, delay := range []time.Duration{0, 1500 * time.Millisecond} {
		h, g, ids := pickable(t)
		if delay > 0 {
			h.apply(DelayCommand{Command: "interaction", By: delay})
		}
		p, _ := h.action(g, `{"command":"picklist","limit":1,"queueId":"`+nameID("queue", "SMS Service")+`"}`)
		contact := p["value"].([]any)[0].(map[string]any)["id"].(string)
		if contact != ids["sms1"] {
			t.Fatalf("contact %s, want the sms %s", contact, ids["sms1"])
		}
		_, o := h.action(g, `{"command":"interaction","value":"pick","interactionId":"`+contact+`"}`)
		var got []string
		for i, d := range o.Deliveries {
			m := decode(t, d)
			line := describeMsg(m) + " after " + d.Delay.String()
			if d.Fence {
				line += " fence"
			}
			if it, ok := m.Payload["interaction"].(map[string]any); ok && it["id"] != contact {
				t.Errorf("delivery %d is about %v, want the picked contact %s", i, it["id"], contact)
			}
			got = append(got, line)
		}
		later := (delay + pickLatency).String()
		want := []string{
			g + ":response:ok after " + delay.String(),
			g + ":state:status=accepted after " + later + " fence",
			g + ":state:channel_status=connected after " + later + " fence",
			g + ":state:activeInteraction={} after " + later + " fence",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("with a %v delay, the pick delivered (-want +got):\n%s", delay, diff)
		}
		if it, ok := h.s.Interaction(contact); !ok || it.Status != StatusAccepted {
			t.Errorf("the picked interaction %s: %+v", contact, it)
		}
		if p, _ := h.action(g, `{"command":"picklist"}`); len(p["value"].([]any)) != 2 {
			t.Errorf("after the pick, the picklist is %v, want the two calls", p["value"])
		}
	}
}

// TestPickRefusedAnswersAtOnce: a pick that is refused changes nothing and
// is answered with the reason, as any refused action.
func TestPickRefusedAnswersAtOnce(t *testing.T) {
	t.Parallel()
	h, g, ids := pickable(t)
	p, o := h.action(g, `{"command":"interaction","value":"pick","interactionId":"`+ids["chat1"]+`"}`)
	if r := errorReason(p); !strings.Contains(r, "is offered to the agent: accept it instead") {
		t.Errorf("reason = %q", r)
	}
	if len(o.Deliveries) != 1 || o.Deliveries[0].Delay != 0 {
		t.Errorf("deliveries %s, want the response alone, at once", summary(t, o))
	}
}
