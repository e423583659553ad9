package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/demo"
)

// TestAcceptedCallReachesTheExtension follows a call through the panel: the
// customer card loads when the agent accepts it, hears its state, and gets
// exit when the agent handles it, whereupon its iframe goes.
func TestAcceptedCallReachesTheExtension(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := st.tab(t)

	call := accepted(t, ctx, "phone")
	inst := instanceOf(t, ctx, call, "customer-card")

	// The card sends init with payload true and gets the cached states.
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.type === "init"`, inst))
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.i === %q && m.type === "state" && m.payload.attribute === "status" && m.payload.value === "accepted"`, inst))

	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.querySelector('[data-testid="customer-name"]').textContent.includes("Aino Virtanen")`)

	click(t, ctx, card(call, "hold"))
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.i === %q && m.type === "state" && m.payload.value === "onhold"`, inst))
	frameWait(t, ext, `document.querySelector('[data-testid="hold-state"]').dataset.on === "true"`)

	click(t, ctx, card(call, "hangup"))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector(%q + '[data-status="ended"]')`, card(call)))
	click(t, ctx, card(call, "handle"))
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.i === %q && m.type === "exit"`, inst))
	waitJS(t, ctx, fmt.Sprintf(`!document.querySelector('[data-testid="ext-frame"][data-instance=%q]')`, inst))
}

// TestReloadLosesNoMessage: what the panel produces while its page is away
// reaches the extension after the reloaded page's new init, and the
// inspector keeps its history.
func TestReloadLosesNoMessage(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := st.tab(t)
	call := accepted(t, ctx, "phone")
	inst := instanceOf(t, ctx, call, "customer-card")
	first := waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.type === "init"`, inst))
	session := eval[string](t, ctx, `window.cpsim.session`)
	seq := eval[int](t, ctx, `window.cpsim.lastSeq`)

	// The page goes away; meanwhile the call is put on hold.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	holdWhileAway(t, st.panel, session, seq, call)

	// The page comes back: same tab, so the same session.
	if err := chromedp.Do(ctx, chromedp.Navigate(st.panel+"/")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, panelReady)
	if got := eval[string](t, ctx, `window.cpsim.session`); got != session {
		t.Fatalf("the reloaded page is in session %s, want %s", got, session)
	}
	second := waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.type === "init" && r.n > %v`, inst, first["n"]))
	waitRow(t, ctx, fmt.Sprintf(`r.dir === "out" && r.i === %q && m.type === "state" && m.payload.value === "onhold" && r.n > %v`, inst, second["n"]))
	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.querySelector('[data-testid="hold-state"]').dataset.on === "true"`)
	// The inspector still has what happened before the reload.
	waitJS(t, ctx, fmt.Sprintf(`window.cpsim.log.some(r => r.n === %v)`, first["n"]))
}

// holdWhileAway resumes a session as its page would and holds a call.
func holdWhileAway(t *testing.T, panel, session string, seq int, call string) {
	t.Helper()
	ctx := beforeDeadline(t, context.Background())
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(panel, "http")+"/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {panel}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	write := func(frames string) {
		if err := ws.Write(ctx, websocket.MessageText, []byte(frames)); err != nil {
			t.Fatal(err)
		}
	}
	write(fmt.Sprintf(`[{"t":"hello","session":%q,"seq":%d,"fresh":false}]`, session, seq))
	var in float64
	for in == 0 {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var frames []map[string]any
		_ = json.Unmarshal(data, &frames)
		for _, f := range frames {
			if f["t"] == "welcome" {
				if f["session"] != session {
					t.Fatalf("resumed into %v, want %s", f["session"], session)
				}
				in = f["in"].(float64) + 1
			}
		}
	}
	write(fmt.Sprintf(`[{"t":"e","q":%v,"n":1,"e":{"type":"hold","id":%q}}]`, in, call))
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"t":"r","n":1`) {
			if strings.Contains(string(data), `"error"`) {
				t.Fatalf("hold refused: %s", data)
			}
			return
		}
	}
}

// TestDeselectTellsTheGlobals: an SMS made with the page's form goes to the
// SMS queue (the page picks queues by their channel, not by the wire's
// type, which says chat), and the close button on the active interaction
// leaves none active: the global activity monitor hears activeInteraction
// null, and the page shows no interaction.
func TestDeselectTellsTheGlobals(t *testing.T) {
	t.Parallel()
	st := startStack(t, demo.Extensions)
	ctx := st.tab(t)
	sms := accepted(t, ctx, "sms")
	if q := eval[string](t, ctx, fmt.Sprintf(`window.cpsim.view.interactions.find(i => i.id === %q).from_queue.name`, sms)); q != "SMS Service" {
		t.Errorf("the SMS went to %q, want the SMS queue", q)
	}
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('[data-testid="detail"]').dataset.id === %q`, sms))
	click(t, ctx, tid("deselect"))
	row := waitRow(t, ctx, `r.dir === "out" && m.type === "state" && m.payload.attribute === "activeInteraction" && m.payload.value === null`)
	if !strings.HasPrefix(row["i"].(string), "activity-") {
		t.Errorf("activeInteraction null went to %v, want the global activity monitor", row["i"])
	}
	waitJS(t, ctx, `document.querySelector('[data-testid="detail"]').dataset.id === ""`)
}
