package e2e

import (
	_ "embed"
	"fmt"
	"testing"
	"time"

	"github.com/cpsim/cpsim/internal/state"
)

// cpcClient is a test client in the message shapes of Sinch's CPC.js,
// written for these tests (testdata/cpc-client.js says how).
//
//go:embed testdata/cpc-client.js
var cpcClient string

// cpcCall runs one call of the CPC-shaped client in its frame and returns
// its answer: the response message, or the value the call resolves to.
// The call must resolve, and an action must be answered: the client's own
// wait is the test's safety net, and what each answer took is logged.
func cpcCall(t *testing.T, e ext, call string) map[string]any {
	t.Helper()
	n := frameJS[int](t, e, `(() => { const k = ++window.calls; Promise.resolve(`+call+`).then(r => { window.answers[k] = {r} }); return k })()`)
	frameWait(t, e, fmt.Sprintf(`window.answers[%d]`, n))
	r := frameJS[map[string]any](t, e, fmt.Sprintf(`window.answers[%d].r || {"gave up": true}`, n))
	if r["gave up"] == true {
		t.Fatalf("%s: no answer (the client gave up)", call)
	}
	last := frameJS[map[string]any](t, e, `cpc.calls.at(-1) || {}`)
	t.Logf("%s: answered in %.0f ms", call, last["ms"])
	return r
}

// value is a response's payload.value, failing on an error response.
func value[T any](t *testing.T, call string, r map[string]any) T {
	t.Helper()
	p, _ := r["payload"].(map[string]any)
	if p == nil || p["value"] == "error" {
		t.Fatalf("%s: answered %v", call, r)
	}
	v, ok := p["value"].(T)
	if !ok {
		t.Fatalf("%s: value %v is a %T", call, p["value"], p["value"])
	}
	return v
}

// TestCPCShapedClient: a client that posts what Sinch's CPC.js posts (its
// functions' payloads with cpcFn, its ids, its init) gets an answer to
// every call, each what the function returns to its caller: the details of
// each subject and of an interaction's id; a call out, with and without a
// source number looked up in the queues' addresses; emails, SMS and
// WhatsApp chats sent at once and opened as drafts; a consultation and its
// join with no value; the picklist and a pick by its contact id, resolved
// by the accepted status of that same id. (The engine answers each in the
// step that receives it: TestResponsesAreNotHeld in internal/state.)
func TestCPCShapedClient(t *testing.T) {
	t.Parallel()
	giveUp := time.Until(safetyNet(t)).Milliseconds()
	base := serveExtension(t, map[string]string{"/cpc.html": `<!doctype html><meta charset="utf-8"><script>` + cpcClient + `
		window.cpc = new CPCClient(parent, location.ancestorOrigins[0], ` + fmt.Sprint(giveUp) + `);
		window.calls = 0; window.answers = {};
		</script>`})
	st := startStack(t, func(string) []state.ExtensionData {
		return []state.ExtensionData{{Key: "cpc", Text: "CPC", URL: base + "/cpc.html", Mode: string(state.ModeGlobal)}}
	})
	ctx := st.tab(t)
	inst := eval[string](t, ctx, `(() => { const i = (window.cpsim.view.instances || []).find(i => i.key === "cpc"); return i ? i.id : "" })()`)
	if inst == "" {
		waitJS(t, ctx, `(window.cpsim.view.instances || []).some(i => i.key === "cpc")`)
		inst = eval[string](t, ctx, `window.cpsim.view.instances.find(i => i.key === "cpc").id`)
	}
	e := frame(t, ctx, inst)

	// init: the global instance's answer is the interactions in the
	// panel, none yet, which is what CPC reads as ready.
	if v := value[[]any](t, "init", cpcCall(t, e, `cpc.init()`)); len(v) != 0 {
		t.Errorf("init answered %v, want []", v)
	}

	// getDetails of each subject that needs no interaction.
	user := value[map[string]any](t, "getDetails user", cpcCall(t, e, `cpc.getDetails("user")`))
	for _, k := range []string{"id", "name", "presence", "presence_profiles", "default_sms_from", "default_email_from"} {
		if _, ok := user[k]; !ok {
			t.Errorf("the user has no %s: %v", k, user)
		}
	}
	value[[]any](t, "getDetails queues", cpcCall(t, e, `cpc.getDetails("queues")`))
	value[[]any](t, "getDetails interactions", cpcCall(t, e, `cpc.getDetails("interactions")`))
	cpcCall(t, e, `cpc.getDetails("activeExtension")`)

	// callOut, without and with a source number; each call is hung up and
	// handled, as the agent would, before the next.
	phoneQueues := cpcCall(t, e, `cpc.getCurrentUserQueues("phone").then(q => ({queues: q}))`)["queues"].([]any)
	source := phoneQueues[1].(map[string]any)["addresses"].([]any)[0].(map[string]any)["address"].(string)
	for _, call := range []string{`cpc.callOut("+358401234567")`, fmt.Sprintf(`cpc.callOut("+358401234567", %q)`, source)} {
		it := value[map[string]any](t, call, cpcCall(t, e, call))
		if it["status"] != "outgoing" || it["channel_status"] != "calling" {
			t.Errorf("%s: %v/%v, want outgoing/calling", call, it["status"], it["channel_status"])
		}
		if from, _ := it["from_queue"].(map[string]any); call != `cpc.callOut("+358401234567")` && from["name"] != phoneQueues[1].(map[string]any)["name"] {
			t.Errorf("%s: from queue %v, want the queue of %s", call, from, source)
		}
		id := it["id"].(string)
		for _, op := range []string{"hangup", "handle"} {
			c := fmt.Sprintf(`cpc.interaction(%q, %q)`, op, id)
			if v := value[string](t, c, cpcCall(t, e, c)); v != "ok" {
				t.Errorf("%s = %v", c, v)
			}
		}
	}

	// Emails, SMS and WhatsApp chats: sent at once with direct, drafts
	// without.
	var created []string
	for _, tt := range []struct{ call, want string }{
		{`cpc.sendEmail({to: ["aino@example.com"], direct: true, subject: "Order SO-1", content: "Shipped"})`, "connected"},
		{`cpc.sendEmail({to: ["aino@example.com"], direct: false, subject: "Order SO-1"})`, "outbound_preview"},
		{`cpc.sendSMS({to: "+358409999999", direct: true, from: "+358201230300", content: "On its way"})`, "connected"},
		{`cpc.sendSMS({to: "+358409999999", direct: false, content: "On its way"})`, "outbound_preview"},
		{`cpc.startWhatsAppChat({to: "+358409999999", direct: true, from: "+358201230400", content: "Hello"})`, "connected"},
		{`cpc.startWhatsAppChat({to: "+358409999999", direct: false})`, "outbound_preview"},
	} {
		it := value[map[string]any](t, tt.call, cpcCall(t, e, tt.call))
		if it["status"] != "outgoing" || it["channel_status"] != tt.want {
			t.Errorf("%s: %v/%v, want outgoing/%s", tt.call, it["status"], it["channel_status"], tt.want)
		}
		created = append(created, it["id"].(string))
		if it["channel_sub_type"] == "whatsapp" && tt.want == "connected" {
			// The chat just started is the active one: its transcript
			// holds the message sent.
			frameWait(t, e, fmt.Sprintf(`cpc.activeInteractionId === %q`, it["id"]))
			if tr := value[[]any](t, "getDetails transcript", cpcCall(t, e, `cpc.getDetails("transcript")`)); len(tr) != 1 {
				t.Errorf("getDetails transcript = %v, want the one message sent", tr)
			}
		}
	}

	// A customer calls; the agent takes the call in the panel, and it is
	// the active one CPC follows. Details of it, of its queue and by id.
	// (Once the page shows them all, so that the call is the only new one.)
	waitJS(t, ctx, fmt.Sprintf(`%s.every(id => window.cpsim.view.interactions.some(i => i.id === id))`, mustJSON(t, created)))
	call := accepted(t, ctx, "phone")
	frameWait(t, e, fmt.Sprintf(`cpc.activeInteractionId === %q`, call))
	for _, c := range []string{`cpc.getDetails("interaction")`, `cpc.getDetails("activeInteraction")`, fmt.Sprintf(`cpc.getDetails(%q)`, call)} {
		if it := value[map[string]any](t, c, cpcCall(t, e, c)); it["id"] != call {
			t.Errorf("%s: the interaction %v, want %s", c, it["id"], call)
		}
	}
	value[map[string]any](t, "getDetails queue", cpcCall(t, e, `cpc.getDetails("queue")`))

	// consult, answered in the panel, then joinCalls with no value.
	consultation := value[map[string]any](t, "consult", cpcCall(t, e, `cpc.consult("2042")`))["id"].(string)
	frameWait(t, e, fmt.Sprintf(`cpc.activeInteractionId === %q`, consultation))
	click(t, ctx, card(consultation, "outcome-connected"))
	waitJS(t, ctx, fmt.Sprintf(`window.cpsim.view.interactions.some(i => i.id === %q && i.channel_status === "connected")`, consultation))
	joined := value[map[string]any](t, "joinCalls", cpcCall(t, e, `cpc.joinCalls()`))
	if joined["id"] != call || joined["conference_id"] == nil {
		t.Errorf("joinCalls answered %v, want the original call with a conference_id", joined)
	}

	// picklist, then a pick by the contact's id: CPC resolves it on the
	// accepted status of that same id.
	choose(t, ctx, tid("work-status"), "not_ready")
	queued := incoming(t, ctx, "phone")
	contacts := value[[]any](t, "picklist", cpcCall(t, e, `cpc.picklist(10)`))
	found := false
	for _, c := range contacts {
		found = found || c.(map[string]any)["id"] == queued
	}
	if !found {
		t.Fatalf("the picklist %v lacks the queued call %s", contacts, queued)
	}
	picked := cpcCall(t, e, fmt.Sprintf(`cpc.interaction("pick", %q)`, queued))
	if picked["id"] != queued || picked["status"] != "accepted" {
		t.Errorf("pick resolved to %v, want the accepted interaction %s", picked, queued)
	}
}
