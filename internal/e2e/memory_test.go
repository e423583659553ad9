package e2e

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// The measurements of issue 11 (bounded memory) in Chromium: the panel
// page's JavaScript heap through a long chat, and a soak of a chat with the
// page reloading. Results are written up in docs/performance.md ("Memory
// (issue 11)").

// memMiB is the unit of the bounds.
const memMiB = 1 << 20

// memPanelBudget bounds the panel page's JavaScript heap through a chat of
// 10,000 messages (issue 11).
const memPanelBudget = 100 * memMiB

// panelJSHeap is the used JavaScript heap of the tab of ctx (the panel page's
// isolate: cross-site extensions run in processes of their own), after a
// full collection.
func panelJSHeap(tb testing.TB, ctx context.Context) float64 {
	tb.Helper()
	used, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (float64, error) {
		if _, err := cdp.Call(ctx, t, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return 0, err
		}
		u, err := cdp.Call(ctx, t, cdpruntime.GetHeapUsage, cdp.Empty{})
		return u.UsedSize, err
	})
	if err != nil {
		tb.Fatalf("the panel's heap: %v", err)
	}
	return used
}

// processGoHeap is the live Go heap of this process, which runs cpsim's server:
// HeapAlloc after two collections.
func processGoHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func fmtMiB(b float64) string { return fmt.Sprintf("%.1f MiB", b/memMiB) }

// chatterStack runs cpsim with the chatter extension (testdata) for every
// queue and the demo activity monitor, a global extension: the two that
// hear a chat's every message. It opens the panel, takes a chat, and
// returns the tab and the chatter's frame, initialized.
func chatterStack(tb testing.TB) (context.Context, ext) {
	tb.Helper()
	_, local := testPages(tb)
	st := startStack(tb, func(demo string) []state.ExtensionData {
		return []state.ExtensionData{
			{Key: "chatter", URL: local + "/chatter.html"},
			{Key: "activity", URL: demo + "/activity.html", Mode: string(state.ModeGlobal)},
		}
	}, func(c *host.Config) { c.Strict = false }) // as a user runs cpsim
	ctx := st.tab(tb)
	chat := accepted(tb, ctx, "chat")
	e := frame(tb, ctx, instanceOf(tb, ctx, chat, "chatter"))
	frameWait(tb, e, `window.chatReady`)
	return ctx, e
}

// chatIn has the chatter write count messages of size bytes, and fails
// unless the panel answered each ok.
func chatIn(tb testing.TB, e ext, count, size int) {
	tb.Helper()
	ok, err := chromedp.Run(e.ctx, chromedp.Evaluate[int](fmt.Sprintf(`chat(%d, %d)`, count, size), chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("chat(%d, %d): %v", count, size, err)
	}
	if ok != count {
		tb.Fatalf("the panel answered %d of %d messages ok", ok, count)
	}
}

// TestMemoryPanelLargeMessages: the panel page's JavaScript heap stays
// under 100 MiB while an extension posts 100 messages of 146 KiB, each
// awaited: `detail` actions with a note the panel refuses and logs, a list
// of 50,000 empty objects (each about ten times its JSON in the page's
// heap). It is the page's bound at a size a test can afford, in about
// half a minute with the race detector: issue 11's chat of 10,000
// messages is 22 GB through the page (BenchmarkMemoryPanelChat), since
// every state message carries the whole transcript. It fails on the page
// before issue 11, which keeps every message it relays whole (154 MiB at
// 100 messages).
func TestMemoryPanelLargeMessages(t *testing.T) {
	ctx, e := chatterStack(t)
	base := panelJSHeap(t, ctx)
	for sent := 0; sent < 100; {
		n, err := chromedp.Run(e.ctx, chromedp.Evaluate[int](`big(25, 0, 50000)`, chromedp.EvalAwaitPromise))
		if err != nil || n != 25 {
			t.Fatalf("big(25, 0, 50000): %d answered, %v", n, err)
		}
		sent += 25
		used := panelJSHeap(t, ctx)
		t.Logf("%d messages: the panel's heap is %s (%s at the start)", sent, fmtMiB(used), fmtMiB(base))
		if used > memPanelBudget {
			t.Fatalf("after %d messages of 50,000 objects (of 100) the panel's heap is %s, past the %s budget", sent, fmtMiB(used), fmtMiB(memPanelBudget))
		}
	}
}

// BenchmarkMemoryPanelChat is issue 11's chat in Chromium, written by an
// extension with `message` actions, each awaited, into a chat that a
// global extension hears too. 100B is the issue's: 10,000 messages of 100
// bytes, the chat open in the panel as an agent has it; 16KiB is 100
// messages of 16 KiB with the chat closed (no interaction active), which
// put as much JSON through the page (160 MB) as 1,000 of the first. Every
// so many messages it logs the panel's JavaScript heap and the live Go
// heap of this process (the server, mostly). It stops when the panel's
// heap passes 256 MiB: before issue 11 it grows with the square of the
// messages, and so does the time each takes. It reports the messages
// sent, the heaps at the end, and messages per second.
func BenchmarkMemoryPanelChat(b *testing.B) {
	cases := []struct {
		name              string
		count, size, step int
		closed            bool
	}{
		{"100B", 10000, 100, 250, false},
		{"16KiB", 100, 16 << 10, 20, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				base := processGoHeap()
				ctx, e := chatterStack(b)
				if c.closed {
					click(b, ctx, tid("deselect"))
				}
				start := time.Now()
				sent := 0
				var used float64
				var server uint64
				for sent < c.count {
					chatIn(b, e, c.step, c.size)
					sent += c.step
					g := processGoHeap()
					used, server = panelJSHeap(b, ctx), g-min(base, g)
					b.Logf("%5d messages: panel %s, server %s, %v", sent, fmtMiB(used), fmtMiB(float64(server)), time.Since(start).Round(time.Second))
					if used > 256*memMiB {
						break
					}
				}
				b.ReportMetric(float64(sent), "sent")
				b.ReportMetric(used/memMiB, "panel-MiB")
				b.ReportMetric(float64(server)/memMiB, "server-MiB")
				b.ReportMetric(float64(sent)/time.Since(start).Seconds(), "msgs/s")
			}
		})
	}
}

// soakFor is how long TestSoak runs; 0, the default, skips it.
var soakFor = flag.Duration("soak", 0, "run TestSoak, a chat with the page reloading every 20 s, for this long (e.g. 10m)")

// Pace of the soak.
const (
	soakEvery  = 200 * time.Millisecond // a customer's message
	soakReload = 20 * time.Second       // the page reloads
	// soakStop ends the soak early when the server's or the panel's heap
	// passes it: before issue 11 both grow by gigabytes, on a machine
	// shared with other work.
	soakStop = 1536 * memMiB
)

// soakScenario is a chat of n customer's messages of about 100 bytes, one
// every soakEvery, after the chat is accepted.
func soakScenario(tb testing.TB, data *state.Data, n int) *scenario.Scenario {
	tb.Helper()
	var b strings.Builder
	b.WriteString("name: Soak\ndescription: A long chat for TestSoak.\nsteps:\n")
	b.WriteString("  - incoming: {as: chat1, channel: chat, queue: Web Chat, from: Aino Virtanen, content: Hello}\n")
	b.WriteString("  - accept: chat1\n")
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("message %d ", i)
		text += strings.Repeat("x", max(100-len(text), 0))
		fmt.Fprintf(&b, "  - say: {in: chat1, from: customer, text: %s}\n  - wait: %s\n", text, soakEvery)
	}
	sc, err := scenario.Parse("soak.yaml", []byte(b.String()), data)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// soakSample is one row of the soak's table.
type soakSample struct {
	at       time.Duration // since the chat began
	messages int           // in the chat's transcript
	rows     int           // in the page's log
	server   float64       // the growth of the live Go heap, bytes
	panel    float64       // the panel's JavaScript heap, bytes
}

// TestSoak is issue 11's soak: a chat of a customer's message every 200 ms
// (about 100 bytes each), played by cpsim in the session of a panel page
// that reloads every 20 s, with the demo customer card and activity
// monitor hearing every message, for -soak (10m for issue 11). Before each
// reload it logs the messages so far, the page's log rows, the growth of
// the live Go heap of this process (the server) and the panel's JavaScript
// heap, as a table for docs/performance.md. It fails when either heap
// passes its goal (64 MiB, 100 MiB) and stops early past 1.5 GiB. It runs
// only when asked.
func TestSoak(t *testing.T) {
	if *soakFor == 0 {
		t.Skip("the soak runs only when asked: go test ./internal/e2e -run TestSoak -soak 10m -timeout 30m")
	}
	base := processGoHeap()
	n := int(*soakFor / soakEvery)
	st := startStack(t, func(base string) []state.ExtensionData {
		all := demo.Extensions(base)
		return []state.ExtensionData{all[0], all[3]} // the customer card and the activity monitor
	}, func(c *host.Config) {
		c.Strict = false // as a user runs cpsim
		c.AutoPlay = soakScenario(t, c.Data, n)
		c.Speed = 1
	})
	ctx := st.tab(t)
	start := time.Now()
	const messages = `(() => { const i = (window.cpsim.view.interactions || [])[0];
		return i && i.transcript ? i.transcript.messages.length + (i.earlier_messages || 0) : 0 })()`
	var samples []soakSample
	var worstServer, worstPanel float64
	for {
		deadline := time.Now().Add(soakReload)
		for time.Now().Before(deadline) { // the chat goes on; the page takes it in
			select {
			case <-ctx.Done():
				t.Fatal(ctx.Err())
			case <-time.After(time.Second):
			}
		}
		s := soakSample{
			at:       time.Since(start).Round(time.Second),
			messages: eval[int](t, ctx, messages),
			rows:     eval[int](t, ctx, `window.cpsim.log.length`),
			panel:    panelJSHeap(t, ctx),
		}
		s.server = float64(processGoHeap()) - float64(min(base, processGoHeap()))
		samples = append(samples, s)
		worstServer, worstPanel = max(worstServer, s.server), max(worstPanel, s.panel)
		t.Logf("%6s %6d messages %7d rows  server %9s  panel %9s", s.at, s.messages, s.rows, fmtMiB(s.server), fmtMiB(s.panel))
		if s.server > soakStop || s.panel > soakStop {
			t.Errorf("stopped at %s: a heap passed %s", s.at, fmtMiB(soakStop))
			break
		}
		done := eval[bool](t, ctx, `(() => { const s = window.cpsim.scenario; return !!s && s.state !== "playing" && s.state !== "paused" })()`)
		if done || time.Since(start) >= *soakFor {
			break
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, panelReady)
	}
	var table strings.Builder
	table.WriteString("| time | messages | page log rows | server heap | panel JS heap |\n|---|---|---|---|---|\n")
	for _, s := range samples {
		fmt.Fprintf(&table, "| %s | %d | %d | %s | %s |\n", s.at, s.messages, s.rows, fmtMiB(s.server), fmtMiB(s.panel))
	}
	t.Log("the soak, for docs/performance.md:\n" + table.String())
	if worstServer > 64*memMiB {
		t.Errorf("the server's live heap grew by %s, past 64 MiB", fmtMiB(worstServer))
	}
	if worstPanel > memPanelBudget {
		t.Errorf("the panel's heap reached %s, past %s", fmtMiB(worstPanel), fmtMiB(memPanelBudget))
	}
}
