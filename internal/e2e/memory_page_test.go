package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/state"
)

// The page's side of bounded memory (issue 11; docs/relay.md: the l
// frame's cut and sz, and the lm, b and full frames). The TestStandin
// tests play the server's part with the stand-in of standin_test.go, so
// that they test the page exactly; the TestMemory tests run against the
// real server, and need its side of the protocol.

// preview is an abridged state message, as the server previews one of
// 1.4 MiB: a long string and a long array cut where they say so.
const preview = `{"type":"state","payload":{"attribute":"interaction","value":{"id":"c1","content":"Where is my order… (1,468,000 more bytes)","transcript":{"messages":[{"id":"m1","message":"hi"},"… 9,997 more items"]}}}}`

// TestStandinAbridgedRowLoadsWhole: an abridged row shows a badge with the
// whole message's size; its details show the preview and load the whole
// message on demand (a full frame), or say why it is gone; a request the
// connection's close cuts off says so, and the resumed page asks for the
// log after the rows it has.
func TestStandinAbridgedRowLoadsWhole(t *testing.T) {
	t.Parallel()
	s := startStandin(t)
	ctx := open(t, s.url+"/", `window.cpsim`)
	c := s.conn(t)
	c.welcome()
	c.send(engineView(t, nil))
	if from := c.next("log")["from"]; from != 1.0 {
		t.Fatalf("a new page asks for the log from %v, want 1", from)
	}
	cut := func(n int) string {
		return fmt.Sprintf(`{"t":"l","n":%d,"at":"2026-12-01T10:00:0%dZ","dir":"out","i":"x1","k":"card","m":%s,"cut":1468006,"sz":%d}`, n, n, preview, len(preview))
	}
	c.send(row(1, ""), cut(2), cut(3), cut(4))
	badge := `document.querySelector('[data-testid="log-row"][data-n="2"] [data-testid="log-abridged"]')`
	waitJS(t, ctx, badge)
	if got := eval[string](t, ctx, badge+`.textContent`); got != "abridged · 1.4 MiB" {
		t.Errorf("the abridged row's badge says %q", got)
	}
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid="log-row"][data-n="1"] [data-testid="log-abridged"]')`) {
		t.Error("a whole row has the abridged badge")
	}

	// The whole message, on demand.
	click(t, ctx, `[data-testid="log-row"][data-n="2"]`)
	waitJS(t, ctx, `document.querySelector('[data-testid="log-load-whole"]')`)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="log-load-whole"]').textContent`); got != "Load the whole message (1.4 MiB)" {
		t.Errorf("the load button says %q", got)
	}
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="log-detail"] pre').textContent.includes("more bytes)")`) {
		t.Error("the details do not show the preview")
	}
	click(t, ctx, tid("log-load-whole"))
	if f := c.next("full"); f["n"] != 2.0 || len(f) != 2 {
		t.Fatalf("the page asked %v, want {t: full, n: 2}", f)
	}
	big := strings.Repeat("x", 1_400_000) + "THE-END"
	c.send(map[string]any{"t": "full", "n": 2, "m": map[string]any{"type": "state", "payload": map[string]any{"value": big}}})
	waitJS(t, ctx, `document.querySelector('[data-testid="log-whole"]') && document.querySelector('[data-testid="log-detail"] pre').textContent.includes("THE-END")`)
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid="log-load-whole"]')`) {
		t.Error("the load button stays once the whole message shows")
	}

	// A message the server no longer has.
	click(t, ctx, `[data-testid="log-row"][data-n="3"]`)
	click(t, ctx, tid("log-load-whole"))
	if f := c.next("full"); f["n"] != 3.0 {
		t.Fatalf("the page asked %v, want the whole message of row 3", f)
	}
	why := "the session dropped it to stay within its 32 MiB budget"
	c.send(map[string]any{"t": "full", "n": 3, "gone": why})
	waitJS(t, ctx, `document.querySelector('[data-testid="log-gone"]')`)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="log-gone"]').textContent`); !strings.Contains(got, why) {
		t.Errorf("the gone message's details say %q", got)
	}
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid="log-load-whole"]')`) {
		t.Error("a gone message still offers to load it")
	}

	// A request the connection's close cuts off.
	click(t, ctx, `[data-testid="log-row"][data-n="4"]`)
	click(t, ctx, tid("log-load-whole"))
	c.next("full")
	c.ws.Close(websocket.StatusGoingAway, "the stand-in restarts")
	waitJS(t, ctx, `document.querySelector('[data-testid="log-load-error"]')`)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="log-load-error"]').textContent`); !strings.Contains(got, "closed before the whole message came") || !strings.Contains(got, "the stand-in restarts") {
		t.Errorf("the cut-off request says %q", got)
	}
	c2 := s.conn(t)
	if h := c2.welcome(); h["fresh"] != false {
		t.Errorf("the page's second hello is %v, want fresh false", h)
	}
	if from := c2.next("log")["from"]; from != 5.0 {
		t.Errorf("the resumed page asks for the log from %v, want 5 (it has rows 1 to 4)", from)
	}
}

// TestStandinHistoryInPages: the page shows the view before any history
// comes, and asks for each page of the history (lm) once it has taken the
// one before in, never two at once. A live row that comes between two
// pages is not the history's answer: a page that reconnects while the
// history is cut off between two pages asks from where it stopped.
func TestStandinHistoryInPages(t *testing.T) {
	t.Parallel()
	s := startStandin(t)
	ctx := open(t, s.url+"/", `window.cpsim`)
	c := s.conn(t)
	c.welcome()
	c.send(engineView(t, nil))
	if from := c.next("log")["from"]; from != 1.0 {
		t.Fatalf("the page asks for the log from %v, want 1", from)
	}
	// The panel is usable at once: the history has not come.
	waitJS(t, ctx, `window.cpsim.connected && window.cpsim.view && document.querySelector('[data-testid="agent-name"]').textContent !== ""`)
	if n := eval[int](t, ctx, `window.cpsim.log.length`); n != 0 {
		t.Fatalf("the page has %d rows before the history came", n)
	}

	page := func(from, to, next int) []any {
		var frs []any
		for n := from; n <= to; n++ {
			frs = append(frs, row(n, ""))
		}
		if next > 0 {
			frs = append(frs, map[string]any{"t": "lm", "next": next})
		}
		return frs
	}
	c.send(page(1, 500, 501)...)
	if from := c.next("log")["from"]; from != 501.0 {
		t.Fatalf("after a page that ends with lm next 501 the page asks from %v", from)
	}
	// A live row while the history is under way, then the connection drops.
	c.send(row(1500, ""))
	waitJS(t, ctx, `window.cpsim.log.some(r => r.n === 1500)`)
	c.ws.Close(websocket.StatusGoingAway, "dropped")
	c = s.conn(t)
	c.welcome()
	if from := c.next("log")["from"]; from != 501.0 {
		t.Fatalf("a page that reconnects between two pages of the history asks from %v, want 501", from)
	}
	c.send(page(501, 1000, 1001)...)
	if from := c.next("log")["from"]; from != 1001.0 {
		t.Fatalf("after lm next 1001 the page asks from %v", from)
	}
	c.send(page(1001, 1500, 0)...) // the last page, with row 1500 again
	waitJS(t, ctx, `window.cpsim.log.length === 1500 && document.querySelector('[data-testid="log-count"]').textContent === "1,500"`)
	if !eval[bool](t, ctx, `window.cpsim.log.every((r, i) => r.n === i + 1)`) {
		t.Error("the page's log is not rows 1 to 1500 in order, once each")
	}
	// The history is complete: a page that reconnects now asks after it.
	c.ws.Close(websocket.StatusGoingAway, "dropped again")
	c = s.conn(t)
	c.welcome()
	if from := c.next("log")["from"]; from != 1501.0 {
		t.Fatalf("a page with the whole history asks from %v after a reconnect, want 1501", from)
	}
}

// TestStandinDropNoteAndMeter: the meter shows the b frame (what the
// session holds of its budget, and in its title what it dropped; the
// warning colour when deliveries to extensions were lost), and a note at
// the top of the log counts the earlier rows that are not kept, by the
// server and by the page (which keeps its latest 16 MiB of messages). The
// picture is kept as memory.png.
func TestStandinDropNoteAndMeter(t *testing.T) {
	t.Parallel()
	s := startStandin(t)
	ctx := open(t, s.url+"/", `window.cpsim`)
	c := s.conn(t)
	c.welcome()
	c.send(engineView(t, nil), map[string]any{"t": "b", "budget": 32 << 20, "used": 1258291, "rows": 100, "first": 17,
		"dropped": map[string]any{"rows": 16, "rowBytes": 123456, "full": 40, "fullBytes": 60000000, "deliveries": 2, "deliveryBytes": 3000},
		"server":  map[string]any{"budget": 1 << 30, "used": 45678901}})
	c.next("log")
	var frs []any
	for n := 17; n <= 116; n++ {
		frs = append(frs, row(n, ""))
	}
	c.send(frs...)
	note := `document.querySelector('[data-testid="log-dropped"]')`
	waitJS(t, ctx, `window.cpsim.log.length === 100 && !`+note+`.hidden`)
	if got, want := eval[string](t, ctx, note+`.textContent`), "16 earlier rows (120.6 KiB) are not kept: this session keeps its latest 32 MiB"; got != want {
		t.Errorf("the note says %q, want %q", got, want)
	}
	meter := `document.querySelector('[data-testid="log-memory"]')`
	if got := eval[string](t, ctx, meter+`.textContent`); got != "Memory 1.2 of 32 MiB" {
		t.Errorf("the meter says %q", got)
	}
	if warn := eval[string](t, ctx, meter+`.dataset.warn`); warn != "true" {
		t.Errorf("the meter's data-warn is %q after deliveries were dropped, want true", warn)
	}
	title := eval[string](t, ctx, meter+`.title`)
	for _, want := range []string{"16 log rows (120.6 KiB)", "the whole text of 40 big messages (57.2 MiB)", "2 messages to extensions"} {
		if !strings.Contains(title, want) {
			t.Errorf("the meter's title lacks %q:\n%s", want, title)
		}
	}

	// 300 rows of 64 KiB each (their sz): past the page's 16 MiB, it lets
	// its oldest rows go, down to nine tenths of it, and says so.
	frs = frs[:0]
	for n := 117; n <= 416; n++ {
		frs = append(frs, fmt.Sprintf(`{"t":"l","n":%d,"at":"2026-12-01T10:00:00Z","dir":"out","i":"x1","k":"card","m":%s,"cut":1468006,"sz":65536}`, n, preview))
	}
	c.send(frs...)
	waitJS(t, ctx, `window.cpsim.log.length === 230 && window.cpsim.log[0].n === 187`)
	want := "186 earlier rows (4.5 MiB) are not kept: this session keeps its latest 32 MiB, and this page its latest 16 MiB"
	waitJS(t, ctx, fmt.Sprintf(`%s.textContent === %q`, note, want))
	// The note is the list's first line; the rows follow it.
	eval[bool](t, ctx, `(document.querySelector('[data-testid="log-list"]').scrollTop = 0, true)`)
	click(t, ctx, `[data-testid="log-row"][data-n="187"]`)
	waitJS(t, ctx, `document.querySelector('[data-testid="log-load-whole"]')`)
	if top := eval[float64](t, ctx, `document.querySelector('[data-testid="log-row"][data-n="187"]').getBoundingClientRect().top - `+note+`.getBoundingClientRect().bottom`); top < 0 {
		t.Errorf("the first row is %v px under the note's bottom, want below it", -top)
	}
	screenshot(t, ctx, "memory.png", false)
}

// TestStandinTranscriptCap: a conversation shows its latest 200 messages
// and counts the earlier ones, those the view leaves out
// (earlier_messages) too; a new message adds its bubble without making
// the others again.
func TestStandinTranscriptCap(t *testing.T) {
	t.Parallel()
	s := startStandin(t)
	ctx := open(t, s.url+"/", `window.cpsim`)
	c := s.conn(t)
	c.welcome()
	var chat string
	says := func(n int) func(s *state.Session) error {
		return func(s *state.Session) error {
			o, err := s.Apply(state.Incoming{Channel: "chat"})
			if err != nil {
				return err
			}
			chat = o.Created
			if _, err := s.Apply(state.Accept{ID: chat}); err != nil {
				return err
			}
			for i := 1; i <= n; i++ {
				if _, err := s.Apply(state.Say{ID: chat, From: "customer", Text: fmt.Sprintf("message %d", i)}); err != nil {
					return err
				}
			}
			_, err = s.Apply(state.SelectInteraction{ID: chat})
			return err
		}
	}
	// earlier tells the view's interaction it left out n more messages.
	earlier := func(v json.RawMessage, n int) json.RawMessage {
		var f map[string]any
		if err := json.Unmarshal(v, &f); err != nil {
			t.Fatal(err)
		}
		for _, it := range f["v"].(map[string]any)["interactions"].([]any) {
			m := it.(map[string]any)
			had, _ := m["earlier_messages"].(float64) // the engine's own: it sends the latest state.ViewMessages
			m["earlier_messages"] = int(had) + n
		}
		return json.RawMessage(mustJSON(t, f))
	}
	c.send(earlier(engineView(t, says(250)), 9750))
	c.next("log")
	bubbles := `document.querySelectorAll('[data-testid="transcript-message"]')`
	waitJS(t, ctx, bubbles+`.length === 200`)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="transcript-earlier"]').textContent`); got != "9,800 earlier messages" {
		t.Errorf("the line above the bubbles says %q, want 9,800 earlier messages", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="detail"] [data-role="tcount"]').textContent`); got != "10,000" {
		t.Errorf("the conversation counts %q messages, want 10,000", got)
	}
	if got := eval[string](t, ctx, bubbles+`[199].textContent`); !strings.Contains(got, "message 250") {
		t.Errorf("the last bubble is %q, want message 250", got)
	}
	eval[bool](t, ctx, `(`+bubbles+`[199].dataset.mark = "kept", true)`)

	c.send(earlier(engineView(t, says(251)), 9750))
	waitJS(t, ctx, bubbles+`[199].textContent.includes("message 251")`)
	if n := eval[int](t, ctx, bubbles+`.length`); n != 200 {
		t.Errorf("%d bubbles after a new message, want 200", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="transcript-earlier"]').textContent`); got != "9,801 earlier messages" {
		t.Errorf("after a new message the line says %q, want 9,801 earlier messages", got)
	}
	if eval[string](t, ctx, bubbles+`[198].dataset.mark || ""`) != "kept" {
		t.Error("a new message made the bubbles before it again")
	}
	screenshot(t, ctx, "transcript-cap.png", false)
}

// TestStandinHeapStaysBounded: the rows of a 10,000-message chat, as the
// server sends them once it bounds its memory (each state an abridged
// preview of about 2 KB; three instances hear each message) with views
// of the latest 200 messages, keep the page's JS heap under 100 MiB. The
// heap is measured after a garbage collection.
func TestStandinHeapStaysBounded(t *testing.T) {
	t.Parallel()
	s := startStandin(t)
	ctx := open(t, s.url+"/", `window.cpsim`)
	c := s.conn(t)
	c.welcome()
	c.send(engineView(t, nil))
	c.next("log")
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 70) // about 1.9 KB per preview
	n := 0
	for msg := 1; msg <= 10000; msg += 50 {
		var frs []any
		for k := msg; k < msg+50; k++ {
			for inst := 1; inst <= 3; inst++ {
				n++
				m := fmt.Sprintf(`{"type":"state","payload":{"attribute":"message","value":{"id":"m%d","message":%q,"more":"… (1,500,000 more bytes)"}}}`, k, filler)
				frs = append(frs, fmt.Sprintf(`{"t":"l","n":%d,"at":"2026-12-01T10:00:00Z","dir":"out","i":"x%d","k":"card","m":%s,"cut":1500000,"sz":%d}`, n, inst, m, len(m)))
			}
		}
		c.send(frs...)
	}
	waitJS(t, ctx, fmt.Sprintf(`window.cpsim.log.length && window.cpsim.log[window.cpsim.log.length - 1].n === %d && document.querySelector('[data-testid="log-count"]').textContent === new Intl.NumberFormat("en-US").format(window.cpsim.log.length)`, n))
	kept := eval[int](t, ctx, `window.cpsim.log.length`)
	if _, err := chromedp.Call(ctx, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	heap, err := chromedp.Call(ctx, runtime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	used := heap.UsedSize
	t.Logf("%d rows sent, %d kept; JS heap %.1f MiB", n, kept, used/(1<<20))
	if used > 100<<20 {
		t.Errorf("the page's JS heap is %.1f MiB after a 10,000-message chat, want under 100 MiB", used/(1<<20))
	}
	if !eval[bool](t, ctx, `!document.querySelector('[data-testid="log-dropped"]').hidden`) {
		t.Error("the page dropped rows without the note")
	}
}

// The tests below run the same behaviour against the real server: they
// need its side of issue 11 (abridged rows, lm, b and full frames, views
// with earlier_messages) and fail until it is there.

// wsRecorder, evaluated in every new document of a tab, records the
// panel's websocket frames in window.wsrec, in order: {dir: "in", t, n,
// next} for the server's (before the page handles them) and {dir: "out",
// t, from} for the page's.
const wsRecorder = `(() => {
	const rec = window.wsrec = [];
	const note = (dir, data) => { try { for (const f of [].concat(JSON.parse(data))) rec.push({dir, t: f.t, n: f.n, next: f.next, from: f.from}); } catch { /* not JSON */ } };
	window.WebSocket = class extends WebSocket {
		constructor(...a) { super(...a); this.addEventListener("message", (ev) => note("in", ev.data)); }
		send(d) { note("out", d); return super.send(d); }
	};
})()`

// chatWithExtension starts cpsim with an extension x for every queue and
// accepts a chat; it returns the tab, the chat and x's instance.
func chatWithExtension(t *testing.T) (*stack, context.Context, string, string) {
	t.Helper()
	base := serveExtension(t, map[string]string{"/x.html": extScript(``)})
	st := startStack(t, func(string) []state.ExtensionData {
		return []state.ExtensionData{{Key: "x", URL: base + "/x.html"}}
	})
	ctx := st.tab(t)
	chat := accepted(t, ctx, "chat")
	inst := instanceOf(t, ctx, chat, "x")
	frameWait(t, frame(t, ctx, inst), `window.got.i`)
	return st, ctx, chat, inst
}

// TestMemoryAbridgedRow: a customer's message of 2 MiB makes the state
// the extension gets a big delivery: its row comes abridged (cut, sz),
// and its details load the whole message from the server.
func TestMemoryAbridgedRow(t *testing.T) {
	t.Parallel()
	_, ctx, _, inst := chatWithExtension(t)
	text := strings.Repeat("y", 2<<20) + "THE-END"
	choose(t, ctx, tid("say-text"), text)
	click(t, ctx, tid("say-customer"))
	r := waitRow(t, ctx, fmt.Sprintf(`r.i === %q && r.dir === "out" && r.cut > 2097152`, inst))
	n := int(r["n"].(float64))
	if sz, _ := r["sz"].(float64); sz <= 0 || sz >= 1<<20 {
		t.Errorf("the abridged row's sz is %v, want the preview's size", r["sz"])
	}
	sel := fmt.Sprintf(`[data-testid="log-row"][data-n="%d"]`, n)
	waitJS(t, ctx, `document.querySelector('`+sel+` [data-testid="log-abridged"]')`)
	click(t, ctx, sel)
	click(t, ctx, tid("log-load-whole"))
	waitJS(t, ctx, `document.querySelector('[data-testid="log-whole"]') && document.querySelector('[data-testid="log-detail"] pre').textContent.includes("THE-END")`)
}

// TestMemoryHistoryInPages: after a reload, the server sends the view
// before the history, and the history in pages (lm), each asked for after
// the one before came; the page ends with every row.
func TestMemoryHistoryInPages(t *testing.T) {
	t.Parallel()
	_, ctx, _, inst := chatWithExtension(t)
	// About 2,000 rows of 1 KiB: several pages of 256 KiB.
	frameJS[bool](t, frame(t, ctx, inst), `(() => { const pad = "z".repeat(1000);
		for (let k = 0; k < 1000; k++) parent.postMessage({type: "action", id: "h" + k, payload: {command: "detail", value: "user", pad}}, location.ancestorOrigins[0]);
		return true })()`)
	waitRow(t, ctx, `r.dir === "out" && r.re && m.id === "h999"`)
	rows := eval[int](t, ctx, `window.cpsim.log.length`)
	last := eval[int](t, ctx, `window.cpsim.log[window.cpsim.log.length - 1].n`)

	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: wsRecorder}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, fmt.Sprintf(`window.cpsim && window.cpsim.log.filter(r => r.n <= %d).length >= %d`, last, rows))
	var rec []struct {
		Dir, T  string
		N, Next int
		From    int
	}
	if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.wsrec)`)), &rec); err != nil {
		t.Fatal(err)
	}
	firstV, firstL, pages := -1, -1, 0
	want := 0 // the from the page should ask next, after an lm
	for i, f := range rec {
		switch {
		case f.Dir == "in" && f.T == "v" && firstV < 0:
			firstV = i
		case f.Dir == "in" && f.T == "l" && f.N <= last && firstL < 0:
			firstL = i
		case f.Dir == "in" && f.T == "lm":
			if want != 0 {
				t.Errorf("lm next %d came before the page asked for the page before it (from %d)", f.Next, want)
			}
			want = f.Next
			pages++
		case f.Dir == "out" && f.T == "log" && want != 0:
			if f.From != want {
				t.Errorf("after lm next %d the page asked from %d", want, f.From)
			}
			want = 0
		}
	}
	if firstV < 0 || firstL < 0 || firstV > firstL {
		t.Errorf("the view came at frame %d and the history's first row at %d: want the view first", firstV, firstL)
	}
	if pages < 2 {
		t.Errorf("the history of %d rows came with %d lm frames, want it in pages of about 256 KiB", rows, pages)
	}
	if !eval[bool](t, ctx, `window.cpsim.log.every((r, i, a) => i === 0 || a[i - 1].n < r.n)`) {
		t.Error("the page's log is out of order or has a row twice")
	}
}

// TestMemoryMeterAndTranscript: the meter shows the session's memory from
// the server's b frames, and a conversation of 250 messages shows its
// latest 200 with the view's count of the rest.
func TestMemoryMeterAndTranscript(t *testing.T) {
	t.Parallel()
	_, ctx, _, _ := chatWithExtension(t)
	waitJS(t, ctx, `!document.querySelector('[data-testid="log-memory"]').hidden`)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="log-memory"]').textContent`); !strings.HasPrefix(got, "Memory ") || !strings.HasSuffix(got, " of 32 MiB") {
		t.Errorf("the meter says %q", got)
	}
	eval[bool](t, ctx, `(() => { const ta = document.querySelector('[data-testid="say-text"]'), b = document.querySelector('[data-testid="say-customer"]');
		for (let k = 1; k <= 250; k++) { ta.value = "line " + k; b.click(); } return true })()`)
	bubbles := `document.querySelectorAll('[data-testid="transcript-message"]')`
	waitJS(t, ctx, bubbles+`.length && `+bubbles+`[`+bubbles+`.length - 1].textContent.includes("line 250")`)
	if n := eval[int](t, ctx, bubbles+`.length`); n != 200 {
		t.Errorf("%d bubbles, want the latest 200", n)
	}
	earlier := eval[int](t, ctx, `window.cpsim.view.interactions.find(i => i.channel === "chat").earlier_messages || 0`)
	if earlier == 0 {
		t.Error("the view's chat has no earlier_messages: the server sent the whole transcript")
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="transcript-earlier"]').textContent`); !strings.HasSuffix(got, " earlier messages") {
		t.Errorf("the line above the bubbles says %q", got)
	}
	screenshot(t, ctx, "memory-real.png", false)
}
