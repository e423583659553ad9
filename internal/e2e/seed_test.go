package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/state"
)

func seedExamples(base string) []state.ExtensionData {
	return []state.ExtensionData{
		{Key: "seed-simple", URL: base + "/seed-simple.html"},
		{Key: "seed-full", URL: base + "/seed-full.html"},
	}
}

// TestSeedSimpleExample loads the seed's first example unmodified: it shows
// the interaction's channel as undefined (interactions have channel_type)
// and its "details" request is refused with the right command.
func TestSeedSimpleExample(t *testing.T) {
	t.Parallel()
	st := startStack(t, seedExamples)
	ctx := st.tab(t)
	call := accepted(t, ctx, "phone")
	inst := instanceOf(t, ctx, call, "seed-simple")

	init := waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.id === "fn-1"`, inst))
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.re === %v && m.type === "response" && m.payload.value.id === %q`, init["n"], call))
	details := waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.id === "fn-2"`, inst))
	reply := waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.re === %v`, details["n"]))
	if !strings.Contains(fmt.Sprint(reply), `the command is "detail"`) {
		t.Errorf("the reply to details: %v", reply)
	}
	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.getElementById("bd").innerText === "Interaction in channel undefined"`)
}

// TestSeedFullExample clicks every button of the seed's second example and
// checks that each of its requests is answered, the outbound ones at once,
// without a click in the panel.
func TestSeedFullExample(t *testing.T) {
	t.Parallel()
	st := startStack(t, seedExamples)
	ctx := st.tab(t)
	call := accepted(t, ctx, "phone")
	inst := instanceOf(t, ctx, call, "seed-full")
	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.getElementById("act-pw").className.includes("positive")`) // init answered

	requests := fmt.Sprintf(`window.cpsim.log.filter(r => r.dir === "in" && r.i === %q)`, inst)
	sent := 0
	// press clicks a button of the example and returns the response to the
	// request it sent.
	press := func(label string, before func()) map[string]any {
		t.Helper()
		sent = eval[int](t, ctx, requests+`.length`)
		ok := frameJS[bool](t, ext, fmt.Sprintf(`(() => { const b = [...document.querySelectorAll("button")].find(b => b.textContent.trim() === %q);
			if (!b) return false; b.click(); return true })()`, label))
		if !ok {
			t.Fatalf("the example has no %q button", label)
		}
		waitJS(t, ctx, fmt.Sprintf(`%s.length > %d`, requests, sent))
		req := eval[map[string]any](t, ctx, fmt.Sprintf(`%s[%d]`, requests, sent))
		if before != nil {
			before()
		}
		js := fmt.Sprintf(`window.cpsim.log.find(r => r.dir === "out" && r.re === %v && (r.m || {}).type === "response")`, req["n"])
		poll(t, ctx, func() (bool, string) {
			return eval[bool](t, ctx, "!!"+js), fmt.Sprintf("button %q: no response to %v", label, req["m"])
		})
		return eval[map[string]any](t, ctx, js)
	}
	frameJS[bool](t, ext, `(document.getElementById("i1").value = "+358400000001", true)`)

	for _, label := range []string{"User", "Queue", "Queues", "Interaction", "Transcript", "Extension",
		"Enabled", "Visible", "Expanded", "EmailD", "SMSD"} {
		press(label, nil)
	}
	// Without direct the panel answers at once too, as production does
	// (CPC.js gives up after 5 s): the call dials, holding the one the
	// example is on; the email and the SMS open as drafts, which the agent
	// then sends or discards in their compose form.
	value := func(r map[string]any) map[string]any {
		t.Helper()
		v, _ := r["m"].(map[string]any)["payload"].(map[string]any)["value"].(map[string]any)
		if v == nil {
			t.Fatalf("the response is no interaction: %v", r["m"])
		}
		return v
	}
	if out := value(press("Call", nil)); out["channel_status"] != "calling" {
		t.Errorf("the call: %v, want it dialling", out)
	}
	waitJS(t, ctx, `document.querySelector('`+card(call)+`[data-channel-status="onhold"]')`)
	for _, d := range []struct{ label, channel, button, then string }{
		{"Email", "email", "draft-send", `[data-channel-status="connected"]`},
		{"SMS", "sms", "draft-discard", ""},
	} {
		draft := value(press(d.label, nil))
		if draft["channel_status"] != "outbound_preview" {
			t.Errorf("%s: %v, want a draft", d.label, draft)
		}
		id := draft["id"].(string)
		form := `[data-testid="draft"][data-id="` + id + `"]`
		waitJS(t, ctx, `document.querySelector('`+form+`')`)
		if d.channel == "email" {
			screenshot(t, ctx, "draft.png", false)
		}
		click(t, ctx, form+" "+tid(d.button))
		if d.then != "" {
			waitJS(t, ctx, `document.querySelector('`+card(id)+d.then+`')`)
		} else {
			waitJS(t, ctx, `!document.querySelector('`+card(id)+`')`)
		}
	}
	for _, label := range []string{"Consult", "Join", "Message", "InteractionState", "Transfer"} {
		press(label, nil)
	}

	// The power button: exit, then init again.
	if r := press("", nil); fmt.Sprint(r["m"]) == "" {
		t.Error("no answer to exit")
	}
	frameWait(t, ext, `document.getElementById("act-pw").className.includes("negative")`)
	press("", nil)
	frameWait(t, ext, `document.getElementById("act-pw").className.includes("positive")`)

	// Every request the example sent got its response.
	unanswered := eval[[]string](t, ctx, fmt.Sprintf(`(() => { const rows = window.cpsim.log;
		const answered = new Set(rows.filter(r => r.re).map(r => r.re));
		return rows.filter(r => r.dir === "in" && r.i === %q && !answered.has(r.n)).map(r => JSON.stringify(r.m)) })()`, inst))
	if len(unanswered) > 0 {
		t.Errorf("requests without a response: %v", unanswered)
	}
}
