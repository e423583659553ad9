package state

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixture is the world an action runs in: an interaction the agent has
// accepted and the instance that sends the action.
type fixture struct {
	it   string // the interaction
	inst string // the sending instance
}

// setUp builds a fixture: "phone", "chat", "email", "sms" and "whatsapp"
// send from the crm instance of an accepted interaction on that channel;
// "global" sends from the global instance while a phone call is active;
// "idle" from the global instance with nothing in the panel.
func setUp(t *testing.T, h *harness, on string) fixture {
	t.Helper()
	switch on {
	case "global":
		call, _ := h.accepted(Phone)
		return fixture{it: call, inst: h.global()}
	case "idle":
		return fixture{inst: h.global()}
	case "queued": // a call waits in its queue for a not-ready agent
		h.apply(SetWorkStatus{Status: "not_ready"})
		return fixture{it: h.incoming(Incoming{Channel: Phone}), inst: h.global()}
	}
	it, inst := h.accepted(on)
	return fixture{it: it, inst: inst}
}

func TestActions(t *testing.T) {
	const unknownID = "0123456789ABCDEF0123456789ABCDEF"
	tests := []struct {
		name    string
		on      string
		prep    func(h *harness, f fixture)
		payload string // {{it}} is replaced by the fixture's interaction id
		want    string // "ok", "error: <part of the reason>", or "value" (see check)
		check   func(t *testing.T, h *harness, f fixture, v any, o Output)
	}{
		// detail
		{name: "detail user", on: "phone", payload: `{"command":"detail","value":"user"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				u := v.(map[string]any)
				if u["username"] != "maria.lindqvist" || u["login_status"] != "logged_in" || u["work_status"] != "ready" {
					t.Errorf("user = %v", u)
				}
			}},
		{name: "detail interaction is the instance's own", on: "phone", payload: `{"command":"detail","value":"interaction"}`, want: "value",
			check: wantID},
		{name: "detail interaction by id", on: "idle", prep: nil, payload: `{"command":"detail","value":"interaction","interactionId":"` + unknownID + `"}`,
			want: "error: no interaction in the panel has that id"},
		{name: "detail interaction with a malformed id", on: "phone", payload: `{"command":"detail","value":"interaction","interactionId":"42"}`,
			want: "error: interaction ids are 32 letters and digits"},
		{name: "detail interaction with a numeric id", on: "phone", payload: `{"command":"detail","value":"interaction","interactionId":42}`,
			want: "error: interactionId must be a string, not a number"},
		{name: "detail interaction of the global instance is the active one", on: "global", payload: `{"command":"detail","value":"interaction"}`, want: "value",
			check: wantID},
		{name: "detail interaction with nothing active", on: "idle", payload: `{"command":"detail","value":"interaction"}`,
			want: "error: no interaction is active: set interactionId"},
		{name: "detail interactions", on: "phone", payload: `{"command":"detail","value":"interactions"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if list := v.([]any); len(list) != 1 || list[0].(map[string]any)["id"] != f.it {
					t.Errorf("interactions = %v", list)
				}
			}},
		{name: "detail interactions when there are none", on: "idle", payload: `{"command":"detail","value":"interactions"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if list, ok := v.([]any); !ok || len(list) != 0 {
					t.Errorf("interactions = %#v, want []", v)
				}
			}},
		{name: "detail queue", on: "phone", payload: `{"command":"detail","value":"queue"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if q := v.(map[string]any); q["name"] != "Sales" || q["type"] != "phone" {
					t.Errorf("queue = %v", q)
				}
			}},
		{name: "detail queues", on: "phone", payload: `{"command":"detail","value":"queues"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if n := len(v.([]any)); n != 6 {
					t.Errorf("%d queues, want 6", n)
				}
			}},
		{name: "detail transcript of a chat", on: "chat", payload: `{"command":"detail","value":"transcript"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				list := v.([]any)
				if len(list) != 1 || list[0].(map[string]any)["message"] != "Hello" || list[0].(map[string]any)["originator"] != "customer" {
					t.Errorf("transcript = %v", list)
				}
			}},
		{name: "detail transcript of a call is empty", on: "phone", payload: `{"command":"detail","value":"transcript"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if list, ok := v.([]any); !ok || len(list) != 0 {
					t.Errorf("transcript = %#v, want []", v)
				}
			}},
		{name: "detail extension", on: "phone", payload: `{"command":"detail","value":"extension"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				want := map[string]any{"key": "crm", "icon": "sap-icon://puzzle", "text": "CRM", "url": "https://ext.example.com/crm.html",
					"visible": true, "external": true, "enabled": true, "expanded": true}
				if diff := cmp.Diff(want, v); diff != "" {
					t.Errorf("extension (-want +got):\n%s", diff)
				}
			}},
		{name: "detail activeExtension with none open", on: "phone", payload: `{"command":"detail","value":"activeExtension"}`,
			want: "error: no extension is open"},
		{name: "detail activeExtension", on: "phone", prep: func(h *harness, f fixture) { h.apply(SelectExtension{Instance: f.inst}) },
			payload: `{"command":"detail","value":"activeExtension"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if v.(map[string]any)["key"] != "crm" {
					t.Errorf("activeExtension = %v", v)
				}
			}},
		{name: "detail activeInteraction", on: "phone", payload: `{"command":"detail","value":"activeInteraction"}`, want: "value", check: wantID},
		{name: "detail activeInteraction with none", on: "idle", payload: `{"command":"detail","value":"activeInteraction"}`,
			want: "error: no interaction is active"},
		{name: "detail by an interaction's id, as CPC's getDetails(id), is executed with a note", on: "idle",
			payload: `{"command":"detail","value":"{{chat}}"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if it := v.(map[string]any); it["id"] != h.s.View().Interactions[0].ID || it["channel_type"] != "chat" {
					t.Errorf("interaction = %v, want the chat", it)
				}
				wantNote(t, o, "/payload/value", "(production's client library asks for an interaction's details by its id (CPC.js getDetails)")
			}},
		{name: "detail by the id of another interaction than the instance's own", on: "phone",
			payload: `{"command":"detail","value":"{{chat}}"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if it := v.(map[string]any); it["id"] == f.it || it["channel_type"] != "chat" {
					t.Errorf("interaction = %v, want the chat, not the instance's call", it)
				}
			}},
		{name: "detail by an unknown id", on: "phone", payload: `{"command":"detail","value":"` + unknownID + `"}`,
			want: "error: interaction " + unknownID + " is not in the panel: detail takes the id of an interaction in the panel, or one of user, "},
		{name: "detail by the id of a handled interaction", on: "global",
			prep:    func(h *harness, f fixture) { h.apply(Hangup{ID: f.it}); h.apply(Handle{ID: f.it}) },
			payload: `{"command":"detail","value":"{{it}}"}`, want: "error: interaction {{it}} was handled and is no longer in the panel"},
		{name: "detail by 32 characters that are no id", on: "phone", payload: `{"command":"detail","value":"0123456789ABCDEF0123456789ABCDE-"}`,
			want: `error: unknown detail value "0123456789ABCDEF0123456789ABCDE-"`},
		{name: "detail with a typo", on: "phone", payload: `{"command":"detail","value":"usr"}`, want: `error: unknown detail value "usr": did you mean "user"?`},
		{name: "detail without a value", on: "phone", payload: `{"command":"detail"}`, want: "error: detail needs a value: one of user, interaction"},

		// outbound
		{name: "outbound phone direct", on: "phone", payload: `{"command":"outbound","value":{"channel":"phone","to":"+358409999999","direct":true}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				it := v.(map[string]any)
				if it["status"] != "outgoing" || it["channel_status"] != "calling" || it["destination"] != "+358409999999" || it["originator"] != "+358201234041" {
					t.Errorf("outbound call = %v", it)
				}
			}},
		{name: "outbound sms direct", on: "phone", payload: `{"command":"outbound","value":{"channel":"sms","to":"+358409999999","content":"Hi","direct":true}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				it := v.(map[string]any)
				if it["channel_type"] != "chat" || it["channel_sub_type"] != "sms" || it["originator"] != "+358201230300" {
					t.Errorf("outbound sms = %v", it)
				}
				if msgs := it["transcript"].(map[string]any)["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["message"] != "Hi" {
					t.Errorf("transcript = %v", msgs)
				}
			}},
		{name: "outbound whatsapp direct is executed, with a note that the schema's enum lacks it", on: "phone",
			payload: `{"command":"outbound","value":{"channel":"whatsapp","to":"+358409999999","content":"Hi","direct":true}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if it := v.(map[string]any); it["channel_sub_type"] != "whatsapp" {
					t.Errorf("outbound whatsapp = %v", it)
				}
				wantNote(t, o, "/payload/value/channel", `value must be one of "phone", "sms", "email" (the prose lists whatsapp`)
			}},
		{name: "outbound email to a list, as the prose's example, is executed with a note", on: "phone",
			payload: `{"command":"outbound","value":{"channel":"email","direct":true,"to":["test1@test.com","test2@test.com"],"from":"emailQueue1@cctr.com","subject":"This is a test","content":"<b>Hello World </b>","cc":["c@test.com"]}}`,
			want:    "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				it := v.(map[string]any)
				if it["title"] != "This is a test" || len(it["to_address"].([]any)) != 2 || len(it["cc_address"].([]any)) != 1 {
					t.Errorf("outbound email = %v", it)
				}
				if it["originator"] != "emailQueue1@cctr.com" {
					t.Errorf("originator = %v, want the requested from", it["originator"])
				}
				wantNote(t, o, "/payload/value/to", "expected string, but got array (the prose's email example")
			}},
		{name: "outbound starts the extensions of its queue", on: "phone", payload: `{"command":"outbound","value":{"channel":"phone","to":"+358409999999","direct":true}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := changes(o); !cmp.Equal(got, []string{"started crm"}) {
					t.Errorf("changes = %v", got)
				}
			}},
		{name: "outbound needs a channel", on: "phone", payload: `{"command":"outbound","value":{"to":"1"}}`, want: "error: outbound needs value.channel"},
		{name: "outbound chat", on: "phone", payload: `{"command":"outbound","value":{"channel":"chat","to":"1"}}`, want: "error: a chat is started by the customer"},
		{name: "outbound to an unknown channel", on: "phone", payload: `{"command":"outbound","value":{"channel":"fax","to":"1"}}`, want: `error: unknown outbound channel "fax"`},
		{name: "outbound needs a recipient", on: "phone", payload: `{"command":"outbound","value":{"channel":"phone","direct":true}}`, want: "error: outbound needs value.to: the number to call"},
		{name: "outbound sms to two numbers", on: "phone", payload: `{"command":"outbound","value":{"channel":"sms","to":["1","2"]}}`, want: "error: outbound sms goes to one number, not 2"},
		{name: "outbound with a string value", on: "phone", payload: `{"command":"outbound","value":"phone"}`, want: "error: outbound needs a value object"},
		{name: "outbound with direct as a string", on: "phone", payload: `{"command":"outbound","value":{"channel":"phone","to":"1","direct":"yes"}}`, want: "error: value.direct must be true or false, not a string"},
		{name: "outbound call with the softphone disconnected", on: "phone", prep: func(h *harness, f fixture) { h.apply(SetPhoneStatus{Status: "disconnected"}) },
			payload: `{"command":"outbound","value":{"channel":"phone","to":"1","direct":true}}`, want: "error: the agent's softphone is disconnected"},

		// transfer
		{name: "transfer with CAD", on: "phone", payload: `{"command":"transfer","value":{"to":"+358400000001","cad":{"key-1":"value-1"}}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				leg := v.(map[string]any)
				if leg["destination"] != "+358400000001" || leg["channel_status"] != "transferring" {
					t.Errorf("transfer leg = %v", leg)
				}
				if diff := cmp.Diff(map[string]any{"d1": "041", "key-1": "value-1"}, leg["attached_data"]); diff != "" {
					t.Errorf("CAD passed on (-want +got):\n%s", diff)
				}
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"status=ended", "channel_status=transferring"}) {
					t.Errorf("the transferred call's instance heard %v", got)
				}
			}},
		{name: "transfer a chat", on: "chat", payload: `{"command":"transfer","value":{"to":"Support"}}`, want: "value"},
		{name: "transfer without a destination", on: "phone", payload: `{"command":"transfer","value":{}}`, want: "error: transfer needs value.to"},
		{name: "transfer with CAD that is not an object", on: "phone", payload: `{"command":"transfer","value":{"to":"1","cad":"x"}}`, want: "error: value.cad must be an object"},
		{name: "transfer a call that has ended", on: "phone", prep: func(h *harness, f fixture) { h.apply(Hangup{ID: f.it}) },
			payload: `{"command":"transfer","value":{"to":"1"}}`, want: "error: only an interaction in progress can be transferred"},
		{name: "transfer with a string value", on: "phone", payload: `{"command":"transfer","value":"1"}`, want: "error: transfer needs a value object"},

		// consult
		{name: "consult on a call", on: "phone", payload: `{"command":"consult","value":{"to":"2042"}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				c := v.(map[string]any)
				if c["consult_for"] != f.it || c["status"] != "outgoing" || c["channel_status"] != "calling" {
					t.Errorf("consultation = %v", c)
				}
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"channel_status=onhold"}) {
					t.Errorf("the original call's instance heard %v, want it put on hold", got)
				}
			}},
		{name: "consult on a chat", on: "chat", payload: `{"command":"consult","value":{"to":"supervisor"}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if c := v.(map[string]any); c["consult_for"] != f.it || c["channel_status"] != "connected" {
					t.Errorf("consultation = %v", c)
				}
			}},
		{name: "consult on an email", on: "email", payload: `{"command":"consult","value":{"to":"x"}}`, want: "error: consult is for phone and chat interactions"},
		{name: "consult on an sms", on: "sms", payload: `{"command":"consult","value":{"to":"x"}}`, want: "error: consult is for phone and chat interactions"},
		{name: "consult twice", on: "phone", prep: func(h *harness, f fixture) { h.apply(Consult{ID: f.it, To: "2042"}) },
			payload: `{"command":"consult","value":{"to":"2043"}}`, want: "error: already has a consultation in progress"},
		{name: "consult without a destination", on: "phone", payload: `{"command":"consult","value":{}}`, want: "error: consult needs value.to"},
		{name: "consult with CAD", on: "phone", payload: `{"command":"consult","value":{"to":"1","cad":{}}}`, want: "error: value.cad is passed on transfer only"},

		// join
		{name: "join an answered consultation", on: "phone",
			prep: func(h *harness, f fixture) {
				c := h.apply(Consult{ID: f.it, To: "2042"}).Created
				h.apply(Outcome{ID: c, Result: "connected"})
			},
			payload: `{"command":"join","value":{"to":"2042"}}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				orig := v.(map[string]any)
				if orig["id"] != f.it || orig["status"] != "ended" || orig["conference_id"] == nil {
					t.Errorf("joined call = %v", orig)
				}
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"status=ended", "channel_status=disconnected"}) {
					t.Errorf("the original call's instance heard %v", got)
				}
			}},
		{name: "join with no value, as CPC's joinCalls sends it, is executed with a note", on: "phone",
			prep: func(h *harness, f fixture) {
				c := h.apply(Consult{ID: f.it, To: "2042"}).Created
				h.apply(Outcome{ID: c, Result: "connected"})
			},
			payload: `{"command":"join","interactionId":"{{it}}"}`, want: "value",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if orig := v.(map[string]any); orig["id"] != f.it || orig["status"] != "ended" || orig["conference_id"] == nil {
					t.Errorf("joined call = %v", orig)
				}
				wantNote(t, o, "/payload", "missing properties: 'value' (the seed's schema wants a value, but production's client library sends join with none (CPC.js joinCalls)")
				if p := problemsOf(o); len(p) != 0 {
					t.Errorf("problems %q, want none", p)
				}
			}},
		{name: "join before the consultation answers", on: "phone", prep: func(h *harness, f fixture) { h.apply(Consult{ID: f.it, To: "2042"}) },
			payload: `{"command":"join"}`, want: "error: has not been answered"},
		{name: "join with no consultation", on: "phone", payload: `{"command":"join"}`, want: "error: has no consultation to join: consult first"},
		{name: "join a chat", on: "chat", payload: `{"command":"join"}`, want: "error: join is for phone interactions"},

		// visible, enabled, expanded
		{name: "visible false", on: "phone", payload: `{"command":"visible","value":false}`, want: "ok", check: wantFlag("visible", false)},
		{name: "enabled false", on: "phone", payload: `{"command":"enabled","value":false}`, want: "ok", check: wantFlag("enabled", false)},
		{name: "expanded false", on: "phone", payload: `{"command":"expanded","value":false}`, want: "ok", check: wantFlag("expanded", false)},
		{name: "expanded true", on: "phone", payload: `{"command":"expanded","value":true}`, want: "ok", check: wantFlag("expanded", true)},
		{name: "visible with a string", on: "phone", payload: `{"command":"visible","value":"true"}`, want: "error: visible needs value true or false"},
		{name: "visible on a global extension has no effect, and says so", on: "idle", payload: `{"command":"visible","value":true}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				wantWarning(t, o, "", "no effect on a global extension")
			}},

		// message
		{name: "message in a chat", on: "chat", payload: `{"command":"message","value":{"content":"<b>Hello World!</b>"}}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				ms := messages(t, o)
				if len(ms) < 1 || ms[0].Type != "state" || ms[0].Payload["attribute"] != "message" {
					t.Fatalf("got %s, want the message state first", summary(t, o))
				}
				m := ms[0].Payload["value"].(map[string]any)
				if m["message"] != "<b>Hello World!</b>" || m["originator"] != "maria.lindqvist" {
					t.Errorf("message = %v", m)
				}
			}},
		{name: "message in an sms", on: "sms", payload: `{"command":"message","value":{"content":"Hi"}}`, want: "ok"},
		{name: "message in a whatsapp conversation", on: "whatsapp", payload: `{"command":"message","value":{"content":"Hi"}}`, want: "ok"},
		{name: "message on a call", on: "phone", payload: `{"command":"message","value":{"content":"Hi"}}`, want: "error: use dtmf to send tones"},
		{name: "message on an email", on: "email", payload: `{"command":"message","value":{"content":"Hi"}}`, want: "error: answer an email with an outbound email"},
		{name: "message without content", on: "chat", payload: `{"command":"message","value":{}}`, want: "error: message needs value.content"},
		{name: "message with a string value", on: "chat", payload: `{"command":"message","value":"Hi"}`, want: "error: message needs a value object"},
		{name: "message from a global extension without an interaction", on: "global", payload: `{"command":"message","value":{"content":"Hi"}}`,
			want: "error: a global extension must name the interaction: set interactionId for message"},
		{name: "message from a global extension naming the chat", on: "idle",
			prep:    nil,
			payload: `{"command":"message","interactionId":"{{chat}}","value":{"content":"Hi"}}`, want: "ok"},
		{name: "message in an ended chat", on: "chat", prep: func(h *harness, f fixture) { h.apply(Hangup{ID: f.it}) },
			payload: `{"command":"message","value":{"content":"Hi"}}`, want: "error: is not in progress (status ended)"},

		// dtmf
		{name: "dtmf on a call", on: "phone", payload: `{"command":"dtmf","value":{"content":"123#"}}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if it := h.s.View().Interactions[0]; !cmp.Equal(it.DTMF, []string{"123#"}) {
					t.Errorf("tones sent = %v", it.DTMF)
				}
			}},
		{name: "dtmf with other characters", on: "phone", payload: `{"command":"dtmf","value":{"content":"12x"}}`, want: `error: (0-9, *, #, A-D), not "12x"`},
		{name: "dtmf on hold", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "hold"}) },
			payload: `{"command":"dtmf","value":{"content":"1"}}`, want: "error: is on hold: unhold it before sending tones"},
		{name: "dtmf in a chat", on: "chat", payload: `{"command":"dtmf","value":{"content":"1"}}`, want: "error: dtmf is for phone interactions"},
		{name: "dtmf from a global extension without an interaction", on: "global", payload: `{"command":"dtmf","value":{"content":"1"}}`,
			want: "error: a global extension must name the interaction"},

		// interaction
		{name: "accept from a global extension", on: "idle", prep: func(h *harness, f fixture) { h.incoming(Incoming{Channel: Phone}) },
			payload: `{"command":"interaction","value":"accept"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if st := h.s.View().Interactions[0].Status; st != StatusAccepted {
					t.Errorf("status = %s", st)
				}
			}},
		{name: "accept with two offered", on: "idle",
			prep: func(h *harness, f fixture) {
				h.incoming(Incoming{Channel: Phone})
				h.incoming(Incoming{Channel: Chat})
			},
			payload: `{"command":"interaction","value":"accept"}`, want: "error: 2 interactions are incoming: set interactionId"},
		{name: "accept with nothing offered", on: "idle", payload: `{"command":"interaction","value":"accept"}`, want: "error: no interaction is incoming"},
		{name: "accept what is already accepted", on: "phone", payload: `{"command":"interaction","value":"accept"}`, want: "error: is already accepted"},
		{name: "reject from a global extension", on: "idle", prep: func(h *harness, f fixture) { h.incoming(Incoming{Channel: Chat}) },
			payload: `{"command":"interaction","value":"reject"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"status=rejected", "channel_status=rejected"}) {
					t.Errorf("global heard %v", got)
				}
			}},
		{name: "reject an accepted call", on: "phone", payload: `{"command":"interaction","value":"reject"}`, want: "error: hang up or handle it instead"},
		{name: "pick a queued call", on: "idle",
			prep: func(h *harness, f fixture) {
				h.apply(SetWorkStatus{Status: "not_ready"})
				h.incoming(Incoming{Channel: Phone})
			},
			payload: `{"command":"interaction","value":"pick"}`, want: "ok"},
		{name: "pick an offered call", on: "idle", prep: func(h *harness, f fixture) { h.incoming(Incoming{Channel: Phone}) },
			payload: `{"command":"interaction","interactionId":"{{offered}}","value":"pick"}`, want: "error: is offered to the agent: accept it instead"},
		{name: "hangup a call", on: "phone", payload: `{"command":"interaction","value":"hangup"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"status=ended", "channel_status=disconnected"}) {
					t.Errorf("instance heard %v", got)
				}
			}},
		{name: "hangup an email", on: "email", payload: `{"command":"interaction","value":"hangup"}`, want: "error: has no call to hang up: handle it instead"},
		{name: "handle a call still on the line", on: "phone", payload: `{"command":"interaction","value":"handle"}`, want: "error: hang up before handling it"},
		{name: "handle an ended call", on: "phone", prep: func(h *harness, f fixture) { h.apply(Hangup{ID: f.it}) },
			payload: `{"command":"interaction","value":"handle"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := summary(t, o); got != "["+f.inst+":state:status=handled "+f.inst+":response:ok "+f.inst+":exit]" {
					t.Errorf("got %s, want the handled state, the response, then the exit", got)
				}
			}},
		{name: "handle a chat closes it", on: "chat", payload: `{"command":"interaction","value":"handle"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := events(t, o, f.inst); !cmp.Equal(got, []string{"status=handled", "channel_status=disconnected", "exit"}) {
					t.Errorf("instance heard %v", got)
				}
			}},
		{name: "interaction with an unknown value", on: "phone", payload: `{"command":"interaction","value":"answer"}`, want: `error: unknown interaction value "answer"`},
		{name: "interaction with an object value, as the seed's example button sends", on: "phone", payload: `{"command":"interaction","value":{"content":""}}`,
			want: "error: interaction needs value: one of accept, reject, pick, handle, hangup"},

		// callState
		{name: "hold", on: "phone", payload: `{"command":"callState","value":"hold"}`, want: "ok", check: wantChannelStatus("onhold")},
		{name: "hold twice", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "hold"}) },
			payload: `{"command":"callState","value":"hold"}`, want: "error: is already on hold"},
		{name: "unhold", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "hold"}) },
			payload: `{"command":"callState","value":"unhold"}`, want: "ok", check: wantChannelStatus("connected")},
		{name: "unhold a call not on hold", on: "phone", payload: `{"command":"callState","value":"unhold"}`, want: "error: is not on hold"},
		{name: "mute", on: "phone", payload: `{"command":"callState","value":"mute"}`, want: "ok", check: wantChannelStatus("muted")},
		{name: "mute twice", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "mute"}) },
			payload: `{"command":"callState","value":"mute"}`, want: "error: is already muted"},
		{name: "unmute", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "mute"}) },
			payload: `{"command":"callState","value":"unmute"}`, want: "ok", check: wantChannelStatus("connected")},
		{name: "unmute a call not muted", on: "phone", payload: `{"command":"callState","value":"unmute"}`, want: "error: is not muted"},
		{name: "mute while on hold keeps onhold", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "hold"}) },
			payload: `{"command":"callState","value":"mute"}`, want: "ok", check: wantChannelStatus("")},
		{name: "unhold a muted call shows muted", on: "phone",
			prep: func(h *harness, f fixture) {
				h.apply(CallState{ID: f.it, Op: "mute"})
				h.apply(CallState{ID: f.it, Op: "hold"})
			},
			payload: `{"command":"callState","value":"unhold"}`, want: "ok", check: wantChannelStatus("muted")},
		{name: "startRecording", on: "phone", payload: `{"command":"callState","value":"startRecording"}`, want: "ok",
			check: func(t *testing.T, h *harness, f fixture, v any, o Output) {
				if got := events(t, o, f.inst); len(got) != 0 {
					t.Errorf("recording is not a notified attribute, but the instance heard %v", got)
				}
				p, _ := h.action(f.inst, `{"command":"detail","value":"interaction"}`)
				if rec := p["value"].(map[string]any)["recording"]; rec != true {
					t.Errorf("recording = %v after startRecording", rec)
				}
			}},
		{name: "startRecording twice", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "startRecording"}) },
			payload: `{"command":"callState","value":"startRecording"}`, want: "error: is already being recorded"},
		{name: "stopRecording", on: "phone", prep: func(h *harness, f fixture) { h.apply(CallState{ID: f.it, Op: "startRecording"}) },
			payload: `{"command":"callState","value":"stopRecording"}`, want: "ok"},
		{name: "stopRecording a call not recorded", on: "phone", payload: `{"command":"callState","value":"stopRecording"}`, want: "error: is not being recorded"},
		{name: "hold on a chat", on: "chat", payload: `{"command":"callState","value":"hold"}`, want: "error: callState is for phone interactions; {{it}} is a chat interaction"},
		{name: "callState with an unknown value", on: "phone", payload: `{"command":"callState","value":"pause"}`, want: `error: unknown callState value "pause"`},
		{name: "callState on a call that ended", on: "phone", prep: func(h *harness, f fixture) { h.apply(Hangup{ID: f.it}) },
			payload: `{"command":"callState","value":"hold"}`, want: "error: is not in progress"},

		// the command itself
		{name: "details instead of detail", on: "phone", payload: `{"command":"details","value":"user"}`, want: `error: unknown command "details": the command is "detail"`},
		{name: "a misspelt command", on: "phone", payload: `{"command":"transfr","value":{}}`, want: `error: unknown command "transfr": did you mean "transfer"?`},
		{name: "an unknown command", on: "phone", payload: `{"command":"launch","value":{}}`, want: `error: unknown command "launch": use one of outbound, detail`},
		{name: "no command", on: "phone", payload: `{"value":"user"}`, want: "error: the action has no command"},
		{name: "a payload that is not an object", on: "phone", payload: `"detail"`, want: "error: an action needs a payload object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			f := setUp(t, h, tt.on)
			if tt.prep != nil {
				tt.prep(h, f)
			}
			payload := strings.ReplaceAll(tt.payload, "{{it}}", f.it)
			if strings.Contains(payload, "{{chat}}") {
				chat := h.incoming(Incoming{Channel: Chat})
				h.apply(Accept{ID: chat})
				payload = strings.ReplaceAll(payload, "{{chat}}", chat)
			}
			if strings.Contains(payload, "{{offered}}") {
				payload = strings.ReplaceAll(payload, "{{offered}}", h.s.View().Interactions[0].ID)
			}
			p, o := h.action(f.inst, payload)
			want := strings.ReplaceAll(tt.want, "{{it}}", f.it)
			switch {
			case want == "ok":
				if p["value"] != "ok" {
					t.Errorf("response = %v, want ok", p)
				}
			case strings.HasPrefix(want, "error: "):
				if r := errorReason(p); !strings.Contains(r, strings.TrimPrefix(want, "error: ")) {
					t.Errorf("reason = %q\nwant it to contain %q", r, strings.TrimPrefix(want, "error: "))
				}
			case want == "value":
				if r := errorReason(p); r != "" || p["value"] == "ok" {
					t.Fatalf("response = %v, want a value", p)
				}
			}
			if tt.check != nil {
				tt.check(t, h, f, p["value"], o)
			}
		})
	}
}

func wantID(t *testing.T, h *harness, f fixture, v any, o Output) {
	t.Helper()
	if it := v.(map[string]any); it["id"] != f.it {
		t.Errorf("interaction = %v, want %s", it["id"], f.it)
	}
}

func wantFlag(flag string, value bool) func(*testing.T, *harness, fixture, any, Output) {
	return func(t *testing.T, h *harness, f fixture, v any, o Output) {
		t.Helper()
		if len(o.Changes) != 1 || o.Changes[0].Kind != Updated {
			t.Fatalf("changes = %v, want one update", o.Changes)
		}
		in := o.Changes[0].Instance
		got := map[string]bool{"visible": in.Visible, "enabled": in.Enabled, "expanded": in.Expanded}[flag]
		if got != value {
			t.Errorf("%s = %v, want %v", flag, got, value)
		}
		p, _ := h.action(f.inst, `{"command":"detail","value":"extension"}`)
		if p["value"].(map[string]any)[flag] != value {
			t.Errorf("detail extension shows %s = %v, want %v", flag, p["value"].(map[string]any)[flag], value)
		}
	}
}

// wantChannelStatus checks the channel_status messages the action caused;
// "" means none.
func wantChannelStatus(cs string) func(*testing.T, *harness, fixture, any, Output) {
	return func(t *testing.T, h *harness, f fixture, v any, o Output) {
		t.Helper()
		var want []string
		if cs != "" {
			want = []string{"channel_status=" + cs}
		}
		if got := events(t, o, f.inst); !cmp.Equal(got, want) {
			t.Errorf("instance heard %v, want %v", got, want)
		}
	}
}

// wantNote wants a schema violation the seed itself allows: a note, not a
// problem.
func wantNote(t *testing.T, o Output, path, text string) {
	t.Helper()
	for _, d := range o.Diagnostics {
		if d.Severity == SeverityInfo && d.Kind == "schema" && d.Path == path && strings.Contains(d.Text, text) && !d.IsProblem() {
			return
		}
	}
	t.Errorf("no note at %q containing %q among %v", path, text, o.Diagnostics)
}

func wantWarning(t *testing.T, o Output, path, text string) {
	t.Helper()
	for _, d := range o.Diagnostics {
		if d.Severity == SeverityWarning && d.Path == path && strings.Contains(d.Text, text) {
			return
		}
	}
	t.Errorf("no warning at %q containing %q among %v", path, text, o.Diagnostics)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, inst := h.accepted(Phone)

	h.apply(FailCommand{Command: "detail", Reason: "backend unavailable"})
	p, _ := h.action(inst, `{"command":"detail","value":"user"}`)
	if r := errorReason(p); r != "backend unavailable" {
		t.Errorf("failed detail: %q", r)
	}
	if p, _ := h.action(inst, `{"command":"callState","value":"hold"}`); p["value"] != "ok" {
		t.Errorf("other commands must still work: %v", p)
	}
	h.apply(FailCommand{Command: "detail"})
	if p, _ := h.action(inst, `{"command":"detail","value":"user"}`); errorReason(p) != "" {
		t.Errorf("after clearing: %v", p)
	}

	h.apply(DelayCommand{Command: "detail", By: 750 * time.Millisecond})
	_, o := h.action(inst, `{"command":"detail","value":"user"}`)
	if o.Deliveries[0].Delay != 750*time.Millisecond {
		t.Errorf("delay = %v, want 750ms", o.Deliveries[0].Delay)
	}
	v := h.s.View().Faults
	if v.Delay["detail"] != "750ms" {
		t.Errorf("view of faults = %+v", v)
	}
	h.apply(ClearFaults{})
	if _, o := h.action(inst, `{"command":"detail","value":"user"}`); o.Deliveries[0].Delay != 0 {
		t.Errorf("after ClearFaults the delay is %v", o.Deliveries[0].Delay)
	}
	if err := h.refused(FailCommand{Command: "details", Reason: "x"}); !strings.Contains(err, `the command is "detail"`) {
		t.Errorf("fault on a misspelt command: %q", err)
	}
}

// TestResponsesEchoTheID checks that a response carries the request's id
// exactly, whatever its JSON type.
func TestResponsesEchoTheID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	g := h.global()
	for _, id := range []string{`"cpc-1"`, `17`, `"ünïcødé id"`, `1.5e3`} {
		o := h.recv(g, `{"id":`+id+`,"type":"action","payload":{"command":"detail","value":"queues"}}`)
		var got struct{ ID json.RawMessage }
		if err := json.Unmarshal(o.Deliveries[0].Data, &got); err != nil {
			t.Fatal(err)
		}
		if string(got.ID) != id {
			t.Errorf("response id = %s, want %s", got.ID, id)
		}
	}
}

// TestDetailUserFollowsEveryChange guards the user object's cache: each
// change of the agent shows in the next detail user.
func TestDetailUserFollowsEveryChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	g := h.global()
	user := func() map[string]any {
		p, _ := h.action(g, `{"command":"detail","value":"user"}`)
		return p["value"].(map[string]any)
	}
	steps := []struct {
		ev    Event
		field string
		want  any
	}{
		{SetWorkStatus{Status: "not_ready"}, "work_status", "not_ready"},
		{SetProfile{Profile: "Meeting"}, "presence", nameID("profile", "Meeting")},
		{SetPhoneStatus{Status: "disconnected"}, "phone", false},
		{SetWorkStatus{Status: "wrap_up"}, "work_status", "wrap_up"},
	}
	for _, st := range steps {
		user() // fill the cache
		h.apply(st.ev)
		got := user()[st.field]
		if m, ok := got.(map[string]any); ok {
			got = m["sip_connected"]
		}
		if got != st.want {
			t.Errorf("after %T, %s = %v, want %v", st.ev, st.field, got, st.want)
		}
	}
	before := user()["daily_work_time"]
	h.s.clock() // the harness's clock steps a second per reading
	if after := user()["daily_work_time"]; after == before {
		t.Errorf("daily_work_time stayed %v as time passed", before)
	}
}
