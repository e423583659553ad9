package host

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/state"
)

// The measurements of issue 11 (bounded memory), on the server: how much
// live heap a session holds through a long chat, an idle session, sessions
// whose pages left, and hostile pages and extensions. Tests assert bounds
// with a margin, on the live heap after a collection, which does not
// depend on the machine's speed; latencies are benchmarks, reported in
// docs/performance.md ("Memory (issue 11)") with how to reproduce them.
//
// The heap is the process's: these tests do not run in parallel (a
// parallel test waits until every sequential one has finished), and the
// pages they drive keep nothing they read.

// memKiB and memMiB are units of the bounds.
const (
	memKiB = 1 << 10
	memMiB = 1 << 20
)

// The goals of issue 11.
const (
	// memServerBudget bounds the live heap of the server through a chat of
	// 10,000 messages, and through each hostile case.
	memServerBudget = 64 * memMiB
	// memIdleBudget bounds the heap of one idle session.
	memIdleBudget = 64 * memKiB
	// memHeapCap stops a measurement whose heap grows past it: today's code
	// holds gigabytes, on a machine shared with other work.
	memHeapCap = 1536 * memMiB
)

// liveHeap is the bytes of the process's live heap: HeapAlloc after two
// collections (the second frees what the first's finalizers let go).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// fmtMiB formats bytes as MiB for messages.
func fmtMiB(b uint64) string { return strconv.FormatFloat(float64(b)/memMiB, 'f', 1, 64) + " MiB" }

// heapGrowth is the heap above a baseline (0 when it is below).
func heapGrowth(now, base uint64) uint64 {
	if now < base {
		return 0
	}
	return now - base
}

// lightPage is a page that keeps nothing of what it reads, so that the
// heap the tests measure is the server's: it reads every websocket message,
// acknowledges deliveries as a live page does (unless told not to), and
// finds the frames it waits for by their first bytes, which the server
// writes in a fixed order (`{"t":"d","seq":`, `{"t":"r","n":`). The texts
// the tests send never contain those bytes.
type lightPage struct {
	tb      testing.TB
	ws      *websocket.Conn
	ctx     context.Context
	session string
	q       uint64 // the last numbered frame sent
	n       int64  // the last event sent
	seq     uint64 // the last delivery read
	acked   uint64 // the last delivery acknowledged
	ack     bool   // acknowledge deliveries, as a live page does
	read    int64  // bytes read
}

// dialLight connects a new page to the panel at base and says hello.
func dialLight(tb testing.TB, base string, ack bool) *lightPage {
	tb.Helper()
	ctx := beforeDeadline(tb)
	ws, _, err := websocket.Dial(ctx, wsAt(base), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		tb.Fatal(err)
	}
	ws.SetReadLimit(1 << 30)
	tb.Cleanup(func() { ws.CloseNow() })
	p := &lightPage{tb: tb, ws: ws, ctx: ctx, ack: ack}
	p.write(`[{"t":"hello","session":"","seq":0,"fresh":true}]`)
	w := p.frame(p.until([]byte(`{"t":"welcome"`)), `{"t":"welcome"`)
	var welcome struct {
		Session string `json:"session"`
		Seq     uint64 `json:"seq"`
		In      uint64 `json:"in"`
	}
	if err := json.Unmarshal(w, &welcome); err != nil {
		tb.Fatalf("welcome %s: %v", w, err)
	}
	p.session, p.seq, p.acked, p.q = welcome.Session, welcome.Seq, welcome.Seq, welcome.In
	return p
}

func (p *lightPage) write(s string) {
	p.tb.Helper()
	if err := p.ws.Write(p.ctx, websocket.MessageText, []byte(s)); err != nil {
		p.tb.Fatalf("write: %v", err)
	}
}

// deliveryHead is how the server writes a delivery's first bytes.
const deliveryHead = `{"t":"d","seq":`

// next reads one websocket message and acknowledges its deliveries.
func (p *lightPage) next() []byte {
	p.tb.Helper()
	data, err := p.tryNext()
	if err != nil {
		p.tb.Fatalf("read: %v", err)
	}
	return data
}

// tryNext is next, with the read's error for a page the server may let go.
func (p *lightPage) tryNext() ([]byte, error) {
	_, data, err := p.ws.Read(p.ctx)
	if err != nil {
		return nil, err
	}
	p.read += int64(len(data))
	if k := bytes.LastIndex(data, []byte(deliveryHead)); k >= 0 {
		rest := data[k+len(deliveryHead):]
		end := bytes.IndexByte(rest, ',')
		seq, err := strconv.ParseUint(string(rest[:max(end, 0)]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("a delivery's seq: %w", err)
		}
		p.seq = max(p.seq, seq)
	}
	if p.ack && p.seq > p.acked {
		p.acked = p.seq
		if err := p.ws.Write(p.ctx, websocket.MessageText, []byte(`[{"t":"a","seq":`+strconv.FormatUint(p.seq, 10)+`}]`)); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// until reads until a message contains sub, and returns that message.
func (p *lightPage) until(sub []byte) []byte {
	p.tb.Helper()
	for {
		if data := p.next(); bytes.Contains(data, sub) {
			return data
		}
	}
}

// frame cuts the frame that starts with head out of a message.
func (p *lightPage) frame(data []byte, head string) json.RawMessage {
	p.tb.Helper()
	k := bytes.Index(data, []byte(head))
	if k < 0 {
		p.tb.Fatalf("no %s frame", head)
	}
	var f json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data[k:])).Decode(&f); err != nil {
		p.tb.Fatalf("the %s frame: %v", head, err)
	}
	return f
}

// eventJSON sends a panel event (a JSON object) and returns its result
// frame's error and created fields.
func (p *lightPage) eventJSON(ev string) (errText, created string) {
	p.tb.Helper()
	p.n++
	p.q++
	p.write(fmt.Sprintf(`[{"t":"e","q":%d,"n":%d,"e":%s}]`, p.q, p.n, ev))
	head := fmt.Sprintf(`{"t":"r","n":%d`, p.n)
	var r struct {
		Error   string `json:"error"`
		Created string `json:"created"`
	}
	if err := json.Unmarshal(p.frame(p.until([]byte(head)), head), &r); err != nil {
		p.tb.Fatal(err)
	}
	return r.Error, r.Created
}

// mustEventJSON sends an event that must succeed.
func (p *lightPage) mustEventJSON(ev string) string {
	p.tb.Helper()
	errText, created := p.eventJSON(ev)
	if errText != "" {
		p.tb.Fatalf("event %s: %s", ev, errText)
	}
	return created
}

// ext relays a message an extension instance posted (a JSON object).
func (p *lightPage) ext(inst, msg string) {
	p.tb.Helper()
	p.q++
	p.write(fmt.Sprintf(`[{"t":"m","q":%d,"i":%q,"m":%s}]`, p.q, inst, msg))
}

// extAwait relays an extension's request and reads until its response's
// delivery (found by its id, which must be unique in what the page reads).
func (p *lightPage) extAwait(inst, id, msg string) {
	p.tb.Helper()
	p.ext(inst, msg)
	p.until([]byte(`"id":` + strconv.Quote(id) + `,"type":"response"`))
}

// instances waits for a view with an instance of each key (of the
// interaction, or global with interaction ""), and returns their ids.
func (p *lightPage) instances(interaction string, keys ...string) []string {
	p.tb.Helper()
	for {
		data := p.until([]byte(`{"t":"v"`))
		var v struct {
			V struct {
				Instances []struct {
					ID          string `json:"id"`
					Key         string `json:"key"`
					Interaction string `json:"interaction"`
				} `json:"instances"`
			} `json:"v"`
		}
		if err := json.Unmarshal(p.frame(data, `{"t":"v"`), &v); err != nil {
			p.tb.Fatal(err)
		}
		ids := make([]string, len(keys))
		for i, k := range keys {
			for _, in := range v.V.Instances {
				if in.Key == k && (in.Interaction == interaction || in.Interaction == "") {
					ids[i] = in.ID
				}
			}
		}
		if !slices.Contains(ids, "") {
			return ids
		}
	}
}

// initAll sends init from every instance, as loaded extensions do, and
// waits for their answers.
func (p *lightPage) initAll(insts ...string) {
	p.tb.Helper()
	for _, in := range insts {
		id := "init-" + in
		p.extAwait(in, id, `{"id":"`+id+`","type":"init","payload":true}`)
	}
}

// chatWith opens a chat in the page's session, accepts it, and lets the
// extensions of keys initialize (the crm extension of the chat, and the
// global bg extension when the server has it): the state of the page of
// issue 11's chat. It returns the chat and the instances, in the order of
// keys.
func (p *lightPage) chatWith(keys ...string) (chat string, insts []string) {
	p.tb.Helper()
	chat = p.mustEventJSON(`{"type":"incoming","channel":"chat"}`)
	p.mustEventJSON(`{"type":"accept","id":"` + chat + `"}`)
	insts = p.instances(chat, keys...)
	p.initAll(insts...)
	return chat, insts
}

// chatText is a chat message of about size bytes, numbered.
func chatText(i, size int) string {
	s := "message " + strconv.Itoa(i) + " "
	return s + strings.Repeat("x", max(size-len(s), 0))
}

// chatRun is what a chat of many messages did to the heap.
type chatRun struct {
	sent    int           // messages sent
	peak    uint64        // the largest growth of the live heap seen
	last    uint64        // the growth after the last message
	capped  bool          // stopped because the heap passed the cap
	took    time.Duration // from the first message to the last answer
	samples []heapSample  // the growth at each sample
}

type heapSample struct {
	at         int // messages sent
	heapGrowth uint64
}

// chat says count messages of size bytes into a chat, as the customer,
// through page events, and samples the growth of the live heap above base
// every `every` messages. It stops early when the growth passes stop.
func (p *lightPage) chat(chatID string, count, size, every int, base, stop uint64) chatRun {
	p.tb.Helper()
	var r chatRun
	start := time.Now()
	for i := 1; i <= count; i++ {
		p.mustEventJSON(`{"type":"say","id":"` + chatID + `","from":"customer","text":"` + chatText(i, size) + `"}`)
		r.sent = i
		if i%every == 0 || i == count {
			g := heapGrowth(liveHeap(), base)
			r.samples = append(r.samples, heapSample{i, g})
			r.peak, r.last = max(r.peak, g), g
			if g > stop {
				r.capped = true
				break
			}
		}
	}
	r.took = time.Since(start)
	return r
}

// onlyCRM leaves the crm extension alone in the test data (not bg): one
// extension hears a chat, so that the tests push half the bytes through
// the relay for the same log.
func onlyCRM(c *Config) {
	c.Data.Extensions = slices.DeleteFunc(slices.Clone(c.Data.Extensions), func(e state.ExtensionData) bool { return e.Key != "crm" })
}

// newMemoryServer starts a panel as a user runs it (no self-check, the
// defaults of cpsim) on an httptest server, after a baseline of the heap.
func newMemoryServer(tb testing.TB, edit ...func(*Config)) (*Server, string) {
	tb.Helper()
	cfg := testConfig(tb)
	cfg.Strict = false
	cfg.Logger = discardLogger()
	cfg.WriteTimeout = time.Until(safetyNet(tb))
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() {
		_ = srv.Shutdown(beforeDeadline(tb))
		hs.Close()
	})
	return srv, hs.URL
}

// BenchmarkMemoryChat is issue 11's chat: 10,000 messages of 100 bytes
// said by the customer into a chat whose crm extension and the global bg
// extension are loaded and initialized, by a page that acknowledges every
// delivery (ack) or none (noack). It reports the growth of the live heap
// (peak over samples every 250 messages, and at the end), messages per
// second, and for noack the heap once the page has gone and once its
// session's grace has passed. A run whose heap passes memHeapCap stops there
// and reports how far it got (sent).
func BenchmarkMemoryChat(b *testing.B) {
	for _, ack := range []bool{true, false} {
		name := "ack"
		if !ack {
			name = "noack"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				benchChat(b, ack)
			}
		})
	}
}

func benchChat(b *testing.B, ack bool) {
	base := liveHeap()
	srv, url := newMemoryServer(b, func(c *Config) { c.SessionGrace = time.Second })
	p := dialLight(b, url, ack)
	chat, _ := p.chatWith("crm", "bg")
	if !ack {
		// A page that takes nothing is let go half a budget behind (it
		// would resume): the page leaves at once, and the chat goes on
		// without it, as a scenario's would, for 2,000 messages.
		benchGoneChat(b, srv, p, chat, base)
		return
	}
	r := p.chat(chat, 10000, 100, 250, base, memHeapCap)
	for _, s := range r.samples {
		b.Logf("%5d messages: %s", s.at, fmtMiB(s.heapGrowth))
	}
	b.ReportMetric(float64(r.sent), "sent")
	b.ReportMetric(float64(r.peak)/memMiB, "peak-MiB")
	b.ReportMetric(float64(r.last)/memMiB, "end-MiB")
	b.ReportMetric(float64(r.sent)/r.took.Seconds(), "msgs/s")
	b.ReportMetric(float64(p.read)/memMiB, "read-MiB")
}

// benchGoneChat goes on with a chat whose page has left: the session
// keeps what waits for the page within a quarter of its budget.
func benchGoneChat(b *testing.B, srv *Server, p *lightPage, chat string, base uint64) {
	p.ws.Close(websocket.StatusNormalClosure, "")
	ss := srv.session(p.session)
	waitTB(b, func() bool { ss.mu.Lock(); defer ss.mu.Unlock(); return ss.conn == nil })
	var peak uint64
	for i := 1; i <= 2000; i++ {
		ev, err := state.DecodeEvent([]byte(`{"type":"say","id":"` + chat + `","from":"customer","text":"` + chatText(i, 100) + `"}`))
		if err != nil {
			b.Fatal(err)
		}
		srv.locked(ss, func(bt *batch) {
			if _, err := ss.apply(bt, ev); err != nil {
				b.Error(err)
			}
		})
		if i%250 == 0 {
			g := heapGrowth(liveHeap(), base)
			peak = max(peak, g)
			b.Logf("%5d messages, the page gone: %s", i, fmtMiB(g))
		}
	}
	ss.mu.Lock()
	lost := ss.dropped.Deliveries
	ss.mu.Unlock()
	b.ReportMetric(float64(peak)/memMiB, "peak-MiB")
	b.ReportMetric(float64(lost), "lost")
	waitTB(b, func() bool { return !srv.holds(p.session) })
	b.ReportMetric(float64(heapGrowth(liveHeap(), base))/memMiB, "swept-MiB")
}

// waitTB polls cond until it holds, as waitUntil does, for benchmarks too.
func waitTB(tb testing.TB, cond func() bool) {
	tb.Helper()
	ctx := beforeDeadline(tb)
	for !cond() {
		select {
		case <-ctx.Done():
			tb.Fatal("the condition never held before the deadline")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestMemoryChat: a chat's log must not keep the server's heap past its
// budget. Every state message carries the whole interaction with its
// transcript (as the API's state events do), so the bytes a chat sends
// grow with the square of its messages: 10,000 messages of 100 bytes send
// 22 GB to the page, too much for a test (BenchmarkMemoryChat runs them).
// 1,000 messages of 100 bytes, heard by one extension, send 105 MiB, and
// a log that kept them all would hold as much, past the budget by half:
// enough to tell a bounded log from one that is not. (Messages of 8 KiB
// would send as much in 160 messages, but the race detector makes each
// byte of a long text far dearer.) It fails on the code before issue 11
// (past 64 MiB at about 800 messages).
func TestMemoryChat(t *testing.T) {
	base := liveHeap()
	_, url := newMemoryServer(t, onlyCRM)
	p := dialLight(t, url, true)
	chat, _ := p.chatWith("crm")
	r := p.chat(chat, 1000, 100, 100, base, memServerBudget)
	for _, s := range r.samples {
		t.Logf("%5d messages: %s", s.at, fmtMiB(s.heapGrowth))
	}
	if r.capped {
		t.Fatalf("after %d messages of 1,000 the live heap grew by %s, past the %s budget", r.sent, fmtMiB(r.peak), fmtMiB(memServerBudget))
	}
	t.Logf("1,000 messages: the live heap grew by %s at most, %s at the end", fmtMiB(r.peak), fmtMiB(r.last))
}

// pagesEnv, in a test binary's environment, makes TestMemoryPagesHelper
// the pages of another test: "URL COUNT". Pages in another process keep
// their connections' buffers out of the heap the test measures.
const pagesEnv = "CPSIM_MEMORY_PAGES"

// TestMemoryPagesHelper opens pages in a process of its own, for the
// tests that measure many sessions: it connects COUNT pages to the panel
// at URL, one after the other, each saying hello as a new page; prints
// "ready W R" (W pages welcomed, R refused with 1013, try again later);
// holds them, reading what the server sends, until its standard input
// closes; then leaves. Without pagesEnv it does nothing: it is not a test
// of its own.
func TestMemoryPagesHelper(t *testing.T) {
	spec := os.Getenv(pagesEnv)
	if spec == "" {
		return
	}
	url, countText, _ := strings.Cut(spec, " ")
	count, err := strconv.Atoi(countText)
	if err != nil {
		t.Fatalf("%s=%q: %v", pagesEnv, spec, err)
	}
	ctx := context.Background()
	welcomed, refused := 0, 0
	for range count {
		ws, _, err := websocket.Dial(ctx, wsAt(url), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {url}}})
		if err != nil {
			t.Fatal(err)
		}
		ws.SetReadLimit(-1)
		if err := ws.Write(ctx, websocket.MessageText, []byte(`[{"t":"hello","session":"","seq":0,"fresh":true}]`)); err != nil {
			t.Fatal(err)
		}
		_, data, err := ws.Read(ctx)
		var ce websocket.CloseError
		switch {
		case errors.As(err, &ce) && ce.Code == websocket.StatusTryAgainLater:
			refused++
			continue
		case err != nil:
			t.Fatal(err)
		case !bytes.Contains(data, []byte(`{"t":"welcome"`)):
			t.Fatalf("the server answered hello with %.200s", data)
		}
		welcomed++
		go func() { // read on, as a page does, until the connection ends
			for {
				if _, _, err := ws.Read(ctx); err != nil {
					return
				}
			}
		}()
	}
	fmt.Printf("ready %d %d\n", welcomed, refused)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// pagesProcess is a TestMemoryPagesHelper process.
type pagesProcess struct {
	cmd               *exec.Cmd
	stdin             io.WriteCloser
	welcomed, refused int
}

// openPages opens count pages of the panel at url in a process of their
// own, and returns once each has been welcomed or refused.
func openPages(tb testing.TB, url string, count int) *pagesProcess {
	tb.Helper()
	cmd := exec.CommandContext(beforeDeadline(tb), os.Args[0], "-test.run=^TestMemoryPagesHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), pagesEnv+"="+url+" "+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	pp := &pagesProcess{cmd: cmd, stdin: stdin}
	tb.Cleanup(pp.close)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "ready %d %d", &pp.welcomed, &pp.refused); err == nil {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return pp
		}
	}
	tb.Fatalf("the pages' process ended before its pages were ready: %v", sc.Err())
	return nil
}

// close makes the pages leave, and waits for their process to end.
func (pp *pagesProcess) close() {
	if pp.stdin != nil {
		pp.stdin.Close()
		_ = pp.cmd.Wait()
		pp.stdin = nil
	}
}

// TestMemoryIdleSessions: an idle session costs at most 64 KiB of heap.
// 1,000 pages (in a process of their own) open a session each and stay
// idle; the growth of the server's live heap, divided by 1,000, is what
// one costs with its page connected. Then the pages leave, and the
// sessions, held within their grace, are measured again. A first session,
// opened and left before the baseline, takes the one-time costs (the
// buffers every session shares) out of the measure.
func TestMemoryIdleSessions(t *testing.T) {
	const n = 1000
	srv, url := newMemoryServer(t, func(c *Config) { c.MaxSessions = -1 })
	openPages(t, url, 1).close()
	base := liveHeap()
	pages := openPages(t, url, n)
	if pages.welcomed != n {
		t.Fatalf("%d of %d pages were welcomed", pages.welcomed, n)
	}
	waitUntil(t, func() bool { return srv.sessionCount() == n+1 })
	with := heapGrowth(liveHeap(), base) / n
	pages.close()
	without := heapGrowth(liveHeap(), base) / n
	t.Logf("an idle session: %.1f KiB of heap with its page, %.1f KiB within its grace", float64(with)/memKiB, float64(without)/memKiB)
	if with > memIdleBudget {
		t.Errorf("an idle session with its page holds %.1f KiB of heap, more than %d KiB", float64(with)/memKiB, memIdleBudget/memKiB)
	}
	if without > memIdleBudget {
		t.Errorf("an idle session within its grace holds %.1f KiB of heap, more than %d KiB", float64(without)/memKiB, memIdleBudget/memKiB)
	}
}

// memSweepAllowance is how long after a session's grace the server may take
// to release it: one sweep, if it sweeps on a period rather than with a
// timer per session (today's timers take none).
const memSweepAllowance = time.Minute

// TestMemorySessionsReleased: 1,000 sessions whose pages left are held for
// their grace (a reload resumes them), then released, their memory with
// them, within one sweep. In a synctest bubble, on its clock.
func TestMemorySessionsReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 1000
		srv, pp := newPipeServer(t, func(c *Config) {
			c.Strict = false
			c.Logger = discardLogger()
			c.MaxSessions = -1
			c.SessionGrace = DefaultSessionGrace
		})
		base := liveHeap()
		ctx := beforeDeadline(t)
		for range n {
			visitOnce(t, ctx, pp.URL, pp.client)
			synctest.Wait()
		}
		held := heapGrowth(liveHeap(), base)
		time.Sleep(DefaultSessionGrace - time.Second)
		synctest.Wait()
		if got := srv.sessionCount(); got != n {
			t.Errorf("a second before their grace ends, the server holds %d sessions of %d", got, n)
		}
		time.Sleep(time.Second + memSweepAllowance)
		synctest.Wait()
		if got := srv.sessionCount(); got != 0 {
			t.Errorf("a sweep after their grace, the server still holds %d sessions of %d", got, n)
		}
		left := heapGrowth(liveHeap(), base)
		t.Logf("%d sessions within their grace: %s of heap (%.1f KiB each); released: %s", n, fmtMiB(held), float64(held)/n/memKiB, fmtMiB(left))
		// What stays is the server's map of sessions, which Go never
		// shrinks (about 0.5 KiB a session at its largest).
		if left > n*2*memKiB {
			t.Errorf("the heap is %s above what it was before the sessions, once they were released", fmtMiB(left))
		}
	})
}

// visitOnce is a page that opens a session and leaves once welcomed. It keeps
// nothing once it has returned: no test cleanup (which would keep the
// connection's buffers), no context left hanging from parent.
func visitOnce(tb testing.TB, parent context.Context, base string, client *http.Client) {
	tb.Helper()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsAt(base), &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		tb.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`[{"t":"hello","session":"","seq":0,"fresh":true}]`)); err != nil {
		tb.Fatal(err)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(data, []byte(`{"t":"welcome"`)) {
			break
		}
	}
	ws.Close(websocket.StatusNormalClosure, "")
}

// goTB lets a lightPage run in a goroutine of its own: a failure ends the
// goroutine (t.Fatal may only be called from the test's) and is kept for
// the test to report.
type goTB struct {
	testing.TB
	err *error
}

func (g goTB) Helper() {}

func (g goTB) Fatalf(format string, args ...any) {
	*g.err = fmt.Errorf(format, args...)
	runtime.Goexit()
}

func (g goTB) Fatal(args ...any) {
	*g.err = errors.New(fmt.Sprint(args...))
	runtime.Goexit()
}

// bystanders are well-behaved sessions that time their extensions'
// `detail user` round trips while something else runs.
type bystanders struct {
	done  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	times []time.Duration
	errs  []error
}

// watchBystanders opens n pages, each with a call whose crm extension has
// initialized, and has each time round trips, one after the other, until
// stop is called.
func watchBystanders(tb testing.TB, url string, n int) *bystanders {
	tb.Helper()
	bs := &bystanders{done: make(chan struct{})}
	pages := make([]*lightPage, n)
	insts := make([]string, n)
	for i := range pages {
		p := dialLight(tb, url, true)
		call := p.mustEventJSON(`{"type":"incoming","channel":"phone"}`)
		p.mustEventJSON(`{"type":"accept","id":"` + call + `"}`)
		insts[i] = p.instances(call, "crm")[0]
		p.initAll(insts[i])
		pages[i] = p
	}
	for i, p := range pages {
		bs.wg.Add(1)
		go func() {
			defer bs.wg.Done()
			var err error
			defer func() {
				if err != nil {
					bs.mu.Lock()
					bs.errs = append(bs.errs, err)
					bs.mu.Unlock()
				}
			}()
			p.tb = goTB{tb, &err}
			var mine []time.Duration
			for k := 0; ; k++ {
				select {
				case <-bs.done:
					bs.mu.Lock()
					bs.times = append(bs.times, mine...)
					bs.mu.Unlock()
					return
				default:
				}
				id := fmt.Sprintf("u%d", k)
				start := time.Now()
				p.extAwait(insts[i], id, `{"id":"`+id+`","type":"action","payload":{"command":"detail","value":"user"}}`)
				mine = append(mine, time.Since(start))
			}
		}()
	}
	return bs
}

// stop ends the round trips and returns their times, sorted.
func (bs *bystanders) stop(tb testing.TB) []time.Duration {
	tb.Helper()
	close(bs.done)
	bs.wg.Wait()
	for _, err := range bs.errs {
		tb.Error(err)
	}
	slices.Sort(bs.times)
	return bs.times
}

// memPercentile is the p-th percentile of sorted durations, in ms.
func memPercentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := min(int(float64(len(sorted))*p/100), len(sorted)-1)
	return float64(sorted[k].Microseconds()) / 1000
}

// heapProbe follows the heap through a hostile case: a test checks the
// live heap at each probe and fails past the budget; a benchmark only
// reads the heap as it is (a collection would stop the bystanders' world)
// and keeps its peak.
type heapProbe struct {
	tb   testing.TB
	base uint64
	live bool   // collect and check the live heap (a test)
	peak uint64 // the largest heap seen above base
	stop uint64 // the bound a test checks
	// metrics are what a case measured besides the heap, for a benchmark
	// to report.
	metrics map[string]float64
}

// metric keeps a case's measure for the benchmark to report.
func (h *heapProbe) metric(unit string, v float64) {
	if h.metrics == nil {
		h.metrics = map[string]float64{}
	}
	h.metrics[unit] = v
}

func (h *heapProbe) at(label string) {
	h.tb.Helper()

	if !h.live {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, heapGrowth(m.HeapAlloc, h.base))
		return
	}
	g := heapGrowth(liveHeap(), h.base)
	h.peak = max(h.peak, g)
	if g > h.stop {
		h.tb.Fatalf("%s: the live heap grew by %s, past the %s budget", label, fmtMiB(g), fmtMiB(h.stop))
	}
}

// A hostileCase is run by a test, which checks the server's live heap at
// its probes, and by BenchmarkMemoryHostile, which times bystanders'
// round trips while it runs.
type hostileCase struct {
	name string
	// test configures the server of the test, not the benchmark's.
	test func(*Config)
	// run does the hostile thing to the panel at url: at the size issue 11
	// names when full (a benchmark), or at a size that takes a test well
	// under a minute with the race detector and still tells a bounded
	// server from one that is not.
	run func(tb testing.TB, srv *Server, url string, h *heapProbe, full bool)
}

var hostileCases = []hostileCase{
	{"flood", onlyCRM, floodActions},
	{"large", nil, largeMessages},
	{"replay", nil, logReplay},
	{"sessions", nil, manySessions},
}

// floodActions: a chat's extension posts 2,000 short `message` actions at
// once, as the page relays a burst: in websocket messages of up to 900
// KiB. Each adds to the transcript that every later state message
// carries. It waits for the last response. A test's flood is 1,000
// actions heard by the crm extension alone: 60 MB of state messages, in
// one reply on the code before issue 11.
func floodActions(tb testing.TB, srv *Server, url string, h *heapProbe, full bool) {
	p := dialLight(tb, url, true)
	keys := []string{"crm", "bg"}
	if !full {
		keys = keys[:1]
	}
	_, insts := p.chatWith(keys...)
	n := bySize(full, 2000, 1000)
	var msg strings.Builder
	flush := func() {
		if msg.Len() > 0 {
			p.write("[" + msg.String() + "]")
			msg.Reset()
		}
	}
	for k := 1; k <= n; k++ {
		if msg.Len() > 900*memKiB {
			flush()
		}
		if msg.Len() > 0 {
			msg.WriteByte(',')
		}
		p.q++
		fmt.Fprintf(&msg, `{"t":"m","q":%d,"i":%q,"m":{"id":"f%d","type":"action","payload":{"command":"message","value":{"content":"flood %d"}}}}`,
			p.q, insts[0], k, k)
	}
	flush()
	last := fmt.Sprintf(`"id":"f%d","type":"response"`, n)
	for k := 0; ; k++ {
		// The flood's answers (each a state message with the transcript
		// so far) outrun any page: past the session's budget the server
		// lets the page go (it would resume) and loses the oldest, which
		// the session counts and tells the page that comes back.
		data, err := p.tryNext()
		if err != nil {
			ss := srv.session(p.session)
			ss.mu.Lock()
			lost := ss.dropped.Deliveries
			ss.mu.Unlock()
			if lost == 0 {
				tb.Fatalf("the flooding page was let go (%v) with nothing counted as lost", err)
			}
			h.at(fmt.Sprintf("after a flood of %d message actions (the page let go, %d deliveries lost)", n, lost))
			return
		}
		if k%20 == 0 {
			h.at(fmt.Sprintf("during a flood of %d message actions", n))
		}
		if bytes.Contains(data, []byte(last)) {
			break
		}
	}
	h.at(fmt.Sprintf("after a flood of %d message actions", n))
}

// bigAction is an extension's action of about size bytes: a detail
// request with a note the panel does not know, which it refuses and logs.
func bigAction(id string, size int) string {
	return `{"id":"` + id + `","type":"action","payload":{"command":"detail","value":"user","note":"` + strings.Repeat("x", size) + `"}}`
}

// largeMessages: an extension posts 600 messages of 512 KiB (200 in a
// test: 100 MiB, past the budget), one a websocket message as the page
// relays them, each awaited.
func largeMessages(tb testing.TB, srv *Server, url string, h *heapProbe, full bool) {
	p := dialLight(tb, url, true)
	_, insts := p.chatWith("crm", "bg")
	n := bySize(full, 600, 200)
	sendLarge(p, insts[0], n, h)
	h.at(fmt.Sprintf("after %d messages of 512 KiB", n))
}

// bySize is full's number or the test's.
func bySize(full bool, issue, test int) int {
	if full {
		return issue
	}
	return test
}

func sendLarge(p *lightPage, inst string, n int, h *heapProbe) {
	for k := 1; k <= n; k++ {
		id := fmt.Sprintf("big%d", k)
		p.extAwait(inst, id, bigAction(id, 512*memKiB))
		if k%50 == 0 {
			h.at(fmt.Sprintf("after %d messages of 512 KiB", k))
		}
	}
}

// logReplay: an extension posts 600 messages of 512 KiB (100 in a test:
// a log of 50 MiB, which the code before issue 11 keeps whole), then the
// page reloads and asks for the log from its first entry,
// as the page does after a reload, following every `lm` (next page) until
// the history ends. The largest websocket message of the history is
// checked against memMaxReplayMessage.
func logReplay(tb testing.TB, srv *Server, url string, h *heapProbe, full bool) {
	p := dialLight(tb, url, true)
	_, insts := p.chatWith("crm", "bg")
	sendLarge(p, insts[0], bySize(full, 600, 100), h)
	p.ws.CloseNow()
	start := time.Now()
	q := resumeLight(tb, url, p.session, p.acked)
	from := uint64(1)
	largest, rows := 0, 0
	for {
		q.write(`[{"t":"log","from":` + strconv.FormatUint(from, 10) + `}]`)
		next, size, n := historyPage(tb, q, from)
		largest, rows = max(largest, size), rows+n
		h.at("during the log's history") // the page has let go of what it read
		if next == 0 {
			break
		}
		from = next
	}
	took := time.Since(start)
	h.at("after the log's history")
	tb.Logf("the history: %d rows in %v, its largest websocket message %s", rows, took, fmtMiB(uint64(largest)))
	h.metric("history-rows", float64(rows))
	h.metric("history-s", took.Seconds())
	h.metric("history-max-MiB", float64(largest)/memMiB)
	if h.live && largest > memMaxReplayMessage {
		tb.Errorf("the history came in a websocket message of %s, more than %s", fmtMiB(uint64(largest)), fmtMiB(memMaxReplayMessage))
	}
}

// historyPage asks for the log from a number and reads the websocket
// message that answers: its size, its rows, and the next page's number
// from its lm frame (0 when it has none: the history has ended).
func historyPage(tb testing.TB, q *lightPage, from uint64) (next uint64, size, rows int) {
	tb.Helper()
	q.write(`[{"t":"log","from":` + strconv.FormatUint(from, 10) + `}]`)
	// The reply is the message whose rows start at from (or at the first
	// row the session holds, past it); live rows and the rows of a page
	// asked before come in messages of their own.
	for {
		data := q.until([]byte(`{"t":"l",`))
		k := bytes.Index(data, []byte(`{"t":"l","n":`))
		first, _ := strconv.ParseUint(string(data[k+len(`{"t":"l","n":`):][:max(bytes.IndexByte(data[k+len(`{"t":"l","n":`):], ','), 0)]), 10, 64)
		if first < from {
			continue
		}
		size, rows = len(data), bytes.Count(data, []byte(`{"t":"l",`))
		k = bytes.Index(data, []byte(`{"t":"lm","next":`))
		if k < 0 {
			return 0, size, rows
		}
		rest := data[k+len(`{"t":"lm","next":`):]
		end := bytes.IndexAny(rest, ",}")
		next, err := strconv.ParseUint(string(rest[:max(end, 0)]), 10, 64)
		if err != nil || next <= from {
			tb.Fatalf("lm names %q after a page from %d", rest[:max(end, 0)], from)
		}
		return next, size, rows
	}
}

// memMaxReplayMessage bounds a websocket message of the history: a page of
// rows (about 256 KiB) with one row of the largest message relayed.
const memMaxReplayMessage = 8*memMiB + 64*memKiB

// resumeLight connects a reloaded page to its session (fresh: true).
func resumeLight(tb testing.TB, base, session string, seq uint64) *lightPage {
	tb.Helper()
	ctx := beforeDeadline(tb)
	ws, _, err := websocket.Dial(ctx, wsAt(base), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		tb.Fatal(err)
	}
	ws.SetReadLimit(1 << 30)
	tb.Cleanup(func() { ws.CloseNow() })
	p := &lightPage{tb: tb, ws: ws, ctx: ctx, ack: true, seq: seq, acked: seq}
	p.write(fmt.Sprintf(`[{"t":"hello","session":%q,"seq":%d,"fresh":true}]`, session, seq))
	w := p.frame(p.until([]byte(`{"t":"welcome"`)), `{"t":"welcome"`)
	var welcome struct {
		Session string `json:"session"`
		Resumed bool   `json:"resumed"`
		In      uint64 `json:"in"`
	}
	if err := json.Unmarshal(w, &welcome); err != nil {
		tb.Fatalf("welcome %s: %v", w, err)
	}
	if !welcome.Resumed || welcome.Session != session {
		tb.Fatalf("the reloaded page did not resume its session: %s", w)
	}
	p.session, p.q = welcome.Session, welcome.In
	return p
}

// manySessions: 5,000 pages, in a process of their own, each ask for a
// new session, with the server's default limit.
func manySessions(tb testing.TB, srv *Server, url string, h *heapProbe, full bool) {
	pages := openPages(tb, url, 5000)
	h.at(fmt.Sprintf("with 5,000 pages asking for sessions (%d welcomed, %d refused)", pages.welcomed, pages.refused))
	pages.close()
	h.at("after the pages left")
}

// TestMemoryHostile: each hostile case leaves the server's live heap
// under its budget, at every probe.
func TestMemoryHostile(t *testing.T) {
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			base := liveHeap()
			var edit []func(*Config)
			if hc.test != nil {
				edit = append(edit, hc.test)
			}
			srv, url := newMemoryServer(t, edit...)
			h := &heapProbe{tb: t, base: base, live: true, stop: memServerBudget}
			hc.run(t, srv, url, h, false)
			t.Logf("the live heap grew by %s at most", fmtMiB(h.peak))
		})
	}
}

// BenchmarkMemoryHostile times the `detail user` round trips of three
// well-behaved sessions while each hostile case runs (target: p99 under
// 50 ms), and reports the heap's peak (read as it is, garbage included)
// and the live heap once the case has run.
func BenchmarkMemoryHostile(b *testing.B) {
	for _, hc := range hostileCases {
		b.Run(hc.name, func(b *testing.B) {
			for b.Loop() {
				base := liveHeap()
				srv, url := newMemoryServer(b)
				bs := watchBystanders(b, url, 3)
				h := &heapProbe{tb: b, base: base}
				start := time.Now()
				hc.run(b, srv, url, h, true)
				took := time.Since(start)
				times := bs.stop(b)
				b.ReportMetric(memPercentile(times, 50), "p50-ms")
				b.ReportMetric(memPercentile(times, 99), "p99-ms")
				b.ReportMetric(memPercentile(times, 100), "max-ms")
				b.ReportMetric(float64(len(times)), "round-trips")
				b.ReportMetric(took.Seconds(), "case-s")
				b.ReportMetric(float64(h.peak)/memMiB, "peak-MiB")
				b.ReportMetric(float64(heapGrowth(liveHeap(), base))/memMiB, "live-MiB")
				for unit, v := range h.metrics {
					b.ReportMetric(v, unit)
				}
			}
		})
	}
}
