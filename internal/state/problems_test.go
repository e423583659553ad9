package state

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// problemsOf lists an output's protocol problems as "kind: text".
func problemsOf(o Output) []string {
	var out []string
	for _, d := range o.Diagnostics {
		if d.IsProblem() {
			if d.Kind == "schema" {
				out = append(out, d.Kind+": "+d.Path+" "+d.Text)
				continue
			}
			out = append(out, d.Kind+": "+d.Text)
		}
	}
	return out
}

// TestWhatIsAProblem: a message the extension got wrong is a protocol
// problem (what cpsim test fails on); an error the developer injected or
// the agent caused is not.
func TestWhatIsAProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup []Event
		msg   string
		want  []string // problems, by prefix
	}{
		{"a good action", nil, `{"id":"a","type":"action","payload":{"command":"detail","value":"user"}}`, nil},
		{"an unknown command", nil, `{"id":"a","type":"action","payload":{"command":"callstate","value":"hold"}}`,
			[]string{`refused: unknown command "callstate": the command is "callState"`}}, // the schema's enum is a note beside it
		{"an unknown detail value", nil, `{"id":"a","type":"action","payload":{"command":"detail","value":"usr"}}`,
			[]string{`refused: unknown detail value "usr"`}},
		{"an action refused for the state it finds", nil, `{"id":"a","type":"action","payload":{"command":"callState","value":"unhold"}}`,
			[]string{"refused: "}},
		{"an unknown type", nil, `{"id":"a","type":"actoin"}`,
			[]string{`protocol: unknown message type "actoin": did you mean "action"?`}},
		{"malformed", nil, `{"id":`, []string{"protocol: "}},
		{"an injected failure", []Event{FailCommand{Command: "detail", Reason: "backend down"}},
			`{"id":"a","type":"action","payload":{"command":"detail","value":"user"}}`, nil},
		// What the seed's prose or its own examples do, the schema's letter
		// aside, is a note: production accepts it.
		{"a number id", nil, `{"id":7,"type":"action","payload":{"command":"detail","value":"user"}}`, nil},
		{"detail interactions", nil, `{"id":"a","type":"action","payload":{"command":"detail","value":"interactions"}}`, nil},
		{"a whatsapp outbound", nil, `{"id":"a","type":"action","payload":{"command":"outbound","value":{"channel":"whatsapp","to":"+358401112222","content":"Hi","direct":true}}}`, nil},
		{"an email to a list", nil, `{"id":"a","type":"action","payload":{"command":"outbound","value":{"channel":"email","to":["a@example.com"],"subject":"S","content":"C","direct":true}}}`, nil},
		{"exit with payload null", nil, `{"id":"a","type":"exit","payload":null}`, nil},
		// What production's client library sends (CPC.js), the schema's
		// letter aside, is a note too.
		{"join with no value (CPC.js joinCalls)", nil, `{"id":"a","type":"action","payload":{"command":"join"}}`,
			[]string{"refused: "}}, // refused for having no consultation, not for its shape
		{"picklist (CPC.js picklist)", nil, `{"id":"a","type":"action","payload":{"command":"picklist","limit":10}}`, nil},
		{"detail by an interaction's id (CPC.js getDetails)", nil, `{"id":"a","type":"action","payload":{"command":"detail","value":"{{it}}"}}`, nil},
		{"detail by an id not in the panel", nil, `{"id":"a","type":"action","payload":{"command":"detail","value":"0123456789ABCDEF0123456789ABCDEF"}}`,
			[]string{"refused: interaction 0123456789ABCDEF0123456789ABCDEF is not in the panel"}},
		{"an sms to a list", nil, `{"id":"a","type":"action","payload":{"command":"outbound","value":{"channel":"sms","to":["+358401112222"],"content":"Hi","direct":true}}}`,
			[]string{"schema: /payload/value/to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			it, inst := h.accepted("phone")
			for _, ev := range tt.setup {
				h.apply(ev)
			}
			got := problemsOf(h.recv(inst, strings.ReplaceAll(tt.msg, "{{it}}", it)))
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d is %q, want it to start %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestUnrelayable: a message the page could not relay is answered with an
// error carrying the reason when its id is readable, and is a problem
// either way.
func TestUnrelayable(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, inst := h.accepted("email")
	o := h.check(h.s.Unrelayable(inst, json.RawMessage(`"big-1"`), "the message is 9.3 MiB of JSON, more than the 8 MiB cpsim relays"))
	if len(o.Deliveries) != 1 {
		t.Fatalf("deliveries %v, want one response", o.Deliveries)
	}
	var resp map[string]any
	if err := json.Unmarshal(o.Deliveries[0].Data, &resp); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "big-1", "type": "response", "payload": map[string]any{"value": "error",
		"reason": "the page could not relay this message: the message is 9.3 MiB of JSON, more than the 8 MiB cpsim relays"}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if p := problemsOf(o); len(p) != 1 {
		t.Errorf("problems %q, want one", p)
	}

	o = h.check(h.s.Unrelayable(inst, json.RawMessage(`{"not":"an id"}`), "not serializable: cyclic object"))
	if len(o.Deliveries) != 0 || len(problemsOf(o)) != 1 || !strings.Contains(o.Diagnostics[0].Text, "could not be answered") {
		t.Errorf("with no readable id: %v %v", o.Deliveries, o.Diagnostics)
	}
	if o := h.s.Unrelayable("ghost-1", json.RawMessage(`"x"`), "too big"); len(o.Deliveries) != 0 || len(problemsOf(o)) != 1 {
		t.Errorf("from no instance: %v %v", o.Deliveries, o.Diagnostics)
	}
}

// TestFences: the init response, the cache it releases and the panel's
// exit are marked as fences, and a delayed init keeps its cache behind it.
func TestFences(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.incoming(Incoming{Channel: "phone"})
	var inst string
	for _, c := range h.apply(Accept{ID: id}).Changes {
		if c.Kind == Started && c.Instance.Key == "crm" {
			inst = c.Instance.ID
		}
	}
	h.apply(SetCAD{ID: id, Set: map[string]any{"tier": "gold"}})
	h.apply(DelayCommand{Command: "init", By: 3 * time.Second})
	o := h.recv(inst, `{"id":"i","type":"init","payload":true}`)
	var got []string
	for _, d := range o.Deliveries {
		got = append(got, d.Type+" "+d.Delay.String()+" fence="+map[bool]string{true: "yes", false: "no"}[d.Fence])
	}
	want := []string{"response 3s fence=yes"}
	for range len(got) - 1 { // what was cached since the accept, the CAD change last
		want = append(want, "state 3s fence=yes")
	}
	if len(got) < 2 || !strings.Contains(string(o.Deliveries[len(got)-1].Data), `"gold"`) {
		t.Errorf("init delivered %v, want the response and the cache, the CAD change last", got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("init (-want +got):\n%s", diff)
	}
	h.apply(Hangup{ID: id})
	o = h.apply(Handle{ID: id})
	last := o.Deliveries[len(o.Deliveries)-1]
	if last.Type != "exit" || !last.Fence {
		t.Errorf("the panel's exit %+v, want a fence", last)
	}
}
