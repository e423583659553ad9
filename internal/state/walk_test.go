package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// walk drives a session through every command, value and event, and
// returns every delivery. With CheckOutbound on, a message that breaks the
// schema fails the test where it is produced.
func walk(t testing.TB, seed uint64) []Delivery {
	d := testData(t)
	s, err := New(Options{Data: d, Validator: sharedValidator(), IDs: SeededIDs(seed),
		Clock: SteppingClock(t0, 250*time.Millisecond), CheckOutbound: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, s: s}
	var all []Delivery
	keep := func(o Output) { all = append(all, o.Deliveries...) }
	do := func(ev Event) string {
		o, _ := s.Apply(ev) // refusals are part of the walk
		keep(h.check(o))
		for _, c := range o.Changes {
			if c.Kind == Started {
				keep(h.recv(c.Instance.ID, `{"id":"init","type":"init","payload":true}`))
			}
		}
		return o.Created
	}
	send := func(inst, payload string) {
		keep(h.recv(inst, `{"id":"walk","type":"action","payload":`+payload+`}`))
	}
	g := h.global()

	for _, ch := range Channels() {
		id := do(Incoming{Channel: ch, Content: "Hello", Subject: "Hi", CAD: map[string]any{"d1": "041", "n": 1.5, "list": []any{true, nil}}})
		do(Accept{ID: id})
		inst := ""
		for _, in := range s.Instances() {
			if in.Interaction == id {
				inst = in.ID
			}
		}
		do(SelectExtension{Instance: inst})
		for _, who := range []string{inst, g} {
			named := fmt.Sprintf(`,"interactionId":%q`, id)
			for _, v := range DetailValues() {
				send(who, `{"command":"detail","value":"`+v+`"`+named+`}`)
				send(who, `{"command":"detail","value":"`+v+`"}`)
			}
			send(who, `{"command":"detail","value":"`+id+`"}`)
			for _, v := range []string{"visible", "enabled", "expanded"} {
				send(who, `{"command":"`+v+`","value":false}`)
				send(who, `{"command":"`+v+`","value":true}`)
			}
			send(who, `{"command":"message","value":{"content":"Hi there"}`+named+`}`)
			send(who, `{"command":"dtmf","value":{"content":"12#"}`+named+`}`)
			for _, op := range CallStateOps() {
				send(who, `{"command":"callState","value":"`+op+`"`+named+`}`)
			}
		}
		do(SetCAD{ID: id, Set: map[string]any{"case": "C-1"}})
		do(Say{ID: id, Text: "From the customer"})
		do(Typing{ID: id, On: true})
		send(inst, `{"command":"consult","value":{"to":"2042"}}`)
		for _, it := range s.View().Interactions {
			if it.ConsultFor == id {
				do(Outcome{ID: it.ID, Result: "connected"})
				send(inst, `{"command":"join"}`)
				do(Hangup{ID: it.ID})
				do(Handle{ID: it.ID})
			}
		}
		send(inst, `{"command":"transfer","value":{"to":"Support","cad":{"reason":"billing"}}}`)
		send(inst, `{"command":"interaction","value":"hangup"}`)
		send(inst, `{"command":"interaction","value":"handle"}`)
	}
	for _, ch := range []string{Phone, SMS, WhatsApp, Email} {
		send(g, `{"command":"outbound","value":{"channel":"`+ch+`","to":"x1","content":"Hi","subject":"S","direct":true}}`)
		send(g, `{"command":"outbound","value":{"channel":"`+ch+`","to":"x2"}}`)
	}
	for _, it := range s.View().Interactions {
		switch {
		case it.Draft == nil:
		case it.Channel == SMS:
			do(DiscardDraft{ID: it.ID})
		default:
			do(SendDraft{ID: it.ID, Content: "Edited"})
		}
	}
	for _, it := range s.View().Interactions {
		if it.Channel == Phone && it.ChannelStatus == CSCalling {
			do(Outcome{ID: it.ID, Result: "busy"})
		}
	}
	for _, it := range s.View().Interactions {
		do(Hangup{ID: it.ID})
		do(Handle{ID: it.ID})
	}
	do(SetWorkStatus{Status: "not_ready"})
	queued := do(Incoming{Channel: Email, Subject: "Pick me"})
	send(g, `{"command":"picklist","limit":5}`)
	send(g, `{"command":"interaction","value":"pick","interactionId":"`+queued+`"}`)
	do(Deselect{})
	do(SelectInteraction{ID: queued})
	do(Handle{ID: queued})
	for _, ev := range []Event{
		Incoming{Channel: Chat}, SetWorkStatus{Status: "not_ready"}, SetWorkStatus{Status: "wrap_up"},
		SetProfile{Profile: "Meeting"}, SetProfile{Profile: "Lunch"}, SetProfile{Profile: "Available"},
		SetPhoneStatus{Status: "disconnected"}, SetPhoneStatus{Status: "connected"},
		SetServe{Queue: "Sales", Serve: false}, SetWorkStatus{Status: "ready"},
	} {
		do(ev)
	}
	for _, it := range s.View().Interactions {
		do(Reject{ID: it.ID})
	}
	do(Logout{})
	do(Login{})
	return all
}

// TestWalkEveryMessage proves that every kind of message cpsim can emit is
// produced by the walk, and so validated against the schema.
func TestWalkEveryMessage(t *testing.T) {
	t.Parallel()
	all := walk(t, 1)
	seen := map[string]bool{}
	for _, d := range all {
		m := decode(t, d)
		switch m.Type {
		case "state", "status":
			seen[m.Type+"."+m.Payload["attribute"].(string)] = true
		case "response":
			seen["response."+responseKind(m.Payload)] = true
		default:
			seen[m.Type] = true
		}
	}
	want := []string{
		"state.status", "state.channel_status", "state.cad", "state.message", "state.activeExtension", "state.activeInteraction",
		"status.login_status", "status.work_status", "status.phone_status", "status.profile",
		"response.ok", "response.error", "response.interaction", "response.interactions", "response.user",
		"response.queue", "response.queues", "response.transcript", "response.extension", "response.picklist", "exit",
	}
	var missing []string
	for _, w := range want {
		if !seen[w] {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		var got []string
		for k := range seen {
			got = append(got, k)
		}
		sort.Strings(got)
		t.Errorf("the walk never produced %v\nit produced %v", missing, got)
	}
	t.Logf("the walk produced and validated %d messages", len(all))
}

// responseKind names what a response carries, by its shape.
func responseKind(p map[string]any) string {
	switch v := p["value"].(type) {
	case string:
		return v
	case []any:
		if len(v) == 0 {
			return "empty list"
		}
		item := v[0].(map[string]any)
		switch {
		case item["waiting_time"] != nil:
			return "picklist"
		case item["channel_type"] != nil:
			return "interactions"
		case item["message"] != nil:
			return "transcript"
		}
		return "queues"
	case map[string]any:
		switch {
		case v["channel_type"] != nil:
			return "interaction"
		case v["username"] != nil:
			return "user"
		case v["key"] != nil:
			return "extension"
		case v["serve"] != nil:
			return "queue"
		}
	}
	return "unknown"
}

// TestSeededRunsAreReproducible runs the walk twice with the same seed and
// clock: the bytes must be identical, and a different seed must change them.
func TestSeededRunsAreReproducible(t *testing.T) {
	t.Parallel()
	render := func(ds []Delivery) []byte {
		var b bytes.Buffer
		for _, d := range ds {
			fmt.Fprintf(&b, "%s %s\n", d.To, d.Data)
		}
		return b.Bytes()
	}
	a, b, c := render(walk(t, 7)), render(walk(t, 7)), render(walk(t, 8))
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 7 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 produced the same bytes: the seed is not used")
	}
}

// TestIDsHaveTheSchemasShape checks every generated id against the
// schema's pattern.
func TestIDsHaveTheSchemasShape(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]IDFunc{"random": RandomIDs(), "seeded": SeededIDs(3)} {
		seen := map[string]bool{}
		for range 1000 {
			id := f()
			if !idPattern.MatchString(id) {
				t.Fatalf("%s id %q does not match the schema's pattern", name, id)
			}
			if seen[id] {
				t.Fatalf("%s ids repeat: %s", name, id)
			}
			seen[id] = true
		}
	}
}

// TestViewIsASnapshot checks that a View shares nothing with the session:
// the host marshals it after the session has moved on.
func TestViewIsASnapshot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chat, _ := h.accepted(Chat)
	v := h.s.View()
	before, _ := json.Marshal(v)
	h.apply(Say{ID: chat, Text: "later"})
	h.apply(SetCAD{ID: chat, Set: map[string]any{"x": "y"}})
	h.apply(SetProfile{Profile: "Meeting"})
	after, _ := json.Marshal(v)
	if !bytes.Equal(before, after) {
		t.Error("a View changed when the session moved on")
	}
	if !slices.ContainsFunc(v.Interactions, func(i InteractionView) bool { return strings.EqualFold(i.ID, chat) }) {
		t.Error("the view lacks the chat")
	}
}
