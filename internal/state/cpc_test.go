package state

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cpcCalls are actions in the shapes Sinch's client library CPC.js sends
// them (its functions' payloads, written from its documentation): every
// payload carries cpcFn, the name of the function that sent it. {{it}} is
// the fixture's interaction.
var cpcCalls = []struct {
	name    string
	on      string // the fixture (setUp)
	payload string
}{
	{"getDetails user", "phone", `{"cpcFn":"getDetails","command":"detail","value":"user"}`},
	{"getDetails interactions", "global", `{"cpcFn":"getDetails","command":"detail","value":"interactions"}`},
	{"getDetails queues", "idle", `{"cpcFn":"getDetails","command":"detail","value":"queues"}`},
	{"callState hold", "phone", `{"cpcFn":"callState","command":"callState","interactionId":"{{it}}","value":"hold"}`},
	{"callState from a global instance", "global", `{"cpcFn":"callState","command":"callState","interactionId":"{{it}}","value":"mute"}`},
	{"dtmf", "phone", `{"cpcFn":"dtmf","command":"dtmf","value":{"content":"5"}}`},
	{"message", "chat", `{"cpcFn":"message","command":"message","interactionId":"{{it}}","value":{"content":"On its way"}}`},
	{"consult", "phone", `{"cpcFn":"consult","command":"consult","interactionId":"{{it}}","value":{"to":"2042"}}`},
	{"transfer", "phone", `{"cpcFn":"transfer","command":"transfer","value":{"to":"Support"}}`},
	{"interaction hangup", "phone", `{"cpcFn":"interaction","command":"interaction","interactionId":"{{it}}","value":"hangup"}`},
	{"sendSMS direct", "idle", `{"cpcFn":"sendSMS","command":"outbound","value":{"channel":"sms","to":"+358409999999","from":"+358201230300","content":"Hi","direct":true}}`},
	{"sendEmail direct", "idle", `{"cpcFn":"sendEmail","command":"outbound","value":{"channel":"email","to":"aino@example.com","subject":"Order","content":"Shipped","direct":true}}`},
	{"getDetails of an id", "global", `{"cpcFn":"getDetails","command":"detail","value":"{{it}}"}`},
	{"getDetails activeInteraction", "global", `{"cpcFn":"getDetails","command":"detail","value":"activeInteraction"}`},
	{"getDetails transcript", "chat", `{"cpcFn":"getDetails","command":"detail","value":"transcript"}`},
	{"callOut", "idle", `{"cpcFn":"callOut","command":"outbound","value":{"channel":"phone","to":"+358401234567"}}`},
	{"callOut from a source number", "idle", `{"cpcFn":"callOut","command":"outbound","value":{"channel":"phone","to":"+358401234567","from":"+358201230200"}}`},
	{"callOut while on a call", "global", `{"cpcFn":"callOut","command":"outbound","value":{"channel":"phone","to":"+358401234567"}}`},
	{"sendSMS draft", "idle", `{"cpcFn":"sendSMS","command":"outbound","value":{"channel":"sms","to":"+358409999999","content":"Hi","direct":false}}`},
	{"sendEmail draft", "idle", `{"cpcFn":"sendEmail","command":"outbound","value":{"channel":"email","to":["aino@example.com"],"subject":"Order","direct":false}}`},
	{"startWhatsAppChat direct", "idle", `{"cpcFn":"startWhatsAppChat","command":"outbound","value":{"channel":"whatsapp","to":"+358409999999","from":"+358201230400","content":"Hi","direct":true}}`},
	{"startWhatsAppChat draft", "idle", `{"cpcFn":"startWhatsAppChat","command":"outbound","value":{"channel":"whatsapp","to":"+358409999999","direct":false}}`},
	{"picklist", "queued", `{"cpcFn":"picklist","command":"picklist","limit":10}`},
	{"pick", "queued", `{"cpcFn":"interaction","command":"interaction","interactionId":"{{it}}","value":"pick"}`},
}

// TestCpcFnChangesNothing: CPC.js puts cpcFn into the payload of every
// action it sends (xdmSendAction). The seed's requestMessage does not
// forbid further properties, and production answers CPC: such an action is
// executed exactly as it is without cpcFn, and cpcFn draws no diagnostic,
// not even a note (detail interactions keeps its own note, decision 3).
func TestCpcFnChangesNothing(t *testing.T) {
	t.Parallel()
	for _, tt := range cpcCalls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			send := func(payload string) Output {
				h := newHarness(t)
				f := setUp(t, h, tt.on)
				payload = strings.ReplaceAll(payload, "{{it}}", f.it)
				return h.recv(f.inst, `{"id":"cpc-action-1","type":"action","payload":`+payload+`}`)
			}
			with := send(tt.payload)
			without := send(strings.Replace(tt.payload, `"cpcFn":"`+cpcFnOf(t, tt.payload)+`",`, "", 1))
			if diff := cmp.Diff(without.Diagnostics, with.Diagnostics); diff != "" {
				t.Errorf("cpcFn drew diagnostics (-without +with):\n%s", diff)
			}
			if r := errorReason(responseTo(t, with, "cpc-action-1")); r != "" {
				t.Errorf("refused: %s", r)
			}
			if diff := cmp.Diff(without.Deliveries, with.Deliveries); diff != "" {
				t.Errorf("cpcFn changed what the panel sends (-without +with):\n%s", diff)
			}
		})
	}
}

// cpcFnOf is the function name a CPC payload carries.
func cpcFnOf(t *testing.T, payload string) string {
	t.Helper()
	_, rest, ok := strings.Cut(payload, `"cpcFn":"`)
	name, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 {
		t.Fatalf("no cpcFn in %s", payload)
	}
	return name
}

// TestResponsesAreNotHeld: CPC.js gives up on a response after 5 seconds
// (xdmSendAction's waiter: 100 polls of 50 ms) and answers its caller
// false, so the panel must answer at once. The engine answers every action
// and the init in the step that receives it, with no delay; only an
// injected delay fault makes a response late, by exactly its delay.
func TestResponsesAreNotHeld(t *testing.T) {
	t.Parallel()
	for _, tt := range cpcCalls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			f := setUp(t, h, tt.on)
			payload := strings.ReplaceAll(tt.payload, "{{it}}", f.it)
			o := h.recv(f.inst, `{"id":"now","type":"action","payload":`+payload+`}`)
			if r := errorReason(responseTo(t, o, "now")); r != "" {
				t.Errorf("refused: %s", r)
			}
			// The response waits for nothing. (The state messages of a
			// pick follow it a moment later: TestPickFromThePicklist.)
			for _, d := range o.Deliveries {
				if d.Type == "response" && d.Delay != 0 {
					t.Errorf("the response to %s waits %v", d.To, d.Delay)
				}
			}
		})
	}
	t.Run("init", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		g := h.s.Instances()[0].ID
		o := h.recv(g, `{"id":"i","type":"init","payload":true}`)
		if len(o.Deliveries) == 0 || o.Deliveries[0].Delay != 0 {
			t.Errorf("init answered %s", summary(t, o))
		}
		responseTo(t, o, "i")
	})
}
