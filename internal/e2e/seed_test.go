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
// checks that each of its requests is answered.
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
		"Enabled", "Visible", "Expanded", "EmailD", "SMSD", "Consult", "Join", "Message", "InteractionState"} {
		press(label, nil)
	}
	// Without direct, the agent confirms or cancels in the panel first.
	for _, b := range []struct{ label, channel, button string }{
		{"Email", "email", "pending-confirm"}, {"SMS", "sms", "pending-cancel"}, {"Call", "phone", "pending-confirm"},
	} {
		press(b.label, func() {
			sel := `[data-testid="pending"][data-channel="` + b.channel + `"] [data-testid="` + b.button + `"]`
			waitJS(t, ctx, `document.querySelector('`+sel+`')`)
			click(t, ctx, sel)
		})
	}
	press("Transfer", nil)

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
