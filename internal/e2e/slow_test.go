package e2e

import (
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/state"
)

// TestSlowResponsesAreMarked: a response that comes more than 5 s after
// its request (here by an injected delay of 6 s, real time: the only such
// wait of the suite) is marked in the inspector, on the request's row and
// the response's, with what it means: CPC.js and most client code have
// given up. The time is the server's (the rows' ms), not the page's; a
// prompt response is not marked. The picture is kept as slow-response.png.
func TestSlowResponsesAreMarked(t *testing.T) {
	t.Parallel()
	base := serveExtension(t, map[string]string{"/x.html": extScript(``)})
	st := startStack(t, func(string) []state.ExtensionData {
		return []state.ExtensionData{{Key: "x", URL: base + "/x.html"}}
	})
	ctx := st.tab(t)
	id := accepted(t, ctx, "chat")
	e := frame(t, ctx, instanceOf(t, ctx, id, "x"))
	frameWait(t, e, `window.got.i`)

	choose(t, ctx, tid("fault-delay-command"), "detail")
	choose(t, ctx, tid("fault-delay-ms"), "6000")
	click(t, ctx, tid("fault-delay"))
	waitJS(t, ctx, `document.querySelector('[data-testid="fault"][data-kind="delay"]')`)
	frameJS[bool](t, e, `parent.postMessage({type: "action", id: "slow", payload: {command: "detail", value: "user"}}, location.ancestorOrigins[0]) ?? true`)
	frameWait(t, e, `window.got.slow`)

	rows := `[...document.querySelectorAll('[data-testid="log-row"][data-id="slow"]')]`
	waitJS(t, ctx, rows+`.filter((r) => r.querySelector('[data-testid="log-slow"]')).length === 2`)
	title := eval[string](t, ctx, rows+`.find((r) => r.dataset.type === "response").querySelector(".c-ms").title`)
	if !strings.HasPrefix(title, "answered after 6.") || !strings.Contains(title, "CPC and most client code give up after 5 s") {
		t.Errorf("the slow response's badge says %q", title)
	}

	click(t, ctx, tid("fault-clear"))
	waitJS(t, ctx, `!document.querySelector('[data-testid="fault"]')`)
	frameJS[bool](t, e, `parent.postMessage({type: "action", id: "fast", payload: {command: "detail", value: "user"}}, location.ancestorOrigins[0]) ?? true`)
	fast := `[...document.querySelectorAll('[data-testid="log-row"][data-id="fast"]')]`
	waitJS(t, ctx, fast+`.filter((r) => r.querySelector(".c-ms").dataset.slow === "false" && r.querySelector(".c-ms").textContent !== "…").length === 2`)
	if n := eval[int](t, ctx, fast+`.filter((r) => r.querySelector('[data-testid="log-slow"]')).length`); n != 0 {
		t.Errorf("a prompt response is marked slow on %d rows", n)
	}

	click(t, ctx, `[data-testid="log-row"][data-id="slow"][data-type="response"]`)
	waitJS(t, ctx, `document.querySelector('[data-testid="log-slow-note"]')`)
	if note := eval[string](t, ctx, `document.querySelector('[data-testid="log-slow-note"]').textContent`); !strings.Contains(note, "give up after 5 s") {
		t.Errorf("the response's details say %q", note)
	}
	screenshot(t, ctx, "slow-response.png", false)
}
