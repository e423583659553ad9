package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// tabWatch hears what Chromium says in a tab playing a scenario: the
// extensions' uncaught exceptions and console errors (errs), and why an
// extension frame did not load (loads).
//
// An extension is on another site than the panel, so Chromium runs it in a
// process of its own, a target of its own: listen says how each is heard.
// Enabling the Runtime and Log domains replays what a frame threw and
// logged before, so the error page of a frame that was refused is heard
// too.
type tabWatch struct {
	errs  *extensionErrors
	loads *frameLoads

	appeared chan struct{} // a frame appeared: look now

	mu       sync.Mutex
	sessions map[target.SessionID]frameSession
	arrived  []target.SessionID // frames attached and paused, not yet let run
	lastID   int64              // of the commands settle and send sent, from 1000: clear of frames' own
	answers  map[int64]chan struct{}
}

// frameSession is the session of a frame's target.
type frameSession struct {
	url   string
	frame cdp.FrameID // an iframe target's id is its frame's
	// parent is the session of the frame target it was attached through,
	// "" for the tab's: an extension in a panel that a CRM embeds (cpsim
	// test -embed) is a frame of a frame, whose messages come wrapped in
	// its parent's.
	parent target.SessionID
}

// newTabWatch watches the tab whose target is tab, of the panel at
// origin panel.
func newTabWatch(panel string, tab target.ID) *tabWatch {
	return &tabWatch{
		errs:     &extensionErrors{panel: panel},
		loads:    newFrameLoads(cdp.FrameID(tab)),
		appeared: make(chan struct{}, 1),
		sessions: map[target.SessionID]frameSession{},
		answers:  map[int64]chan struct{}{},
		lastID:   1000,
	}
}

// extensionErrors collects the uncaught exceptions and console errors of
// the extensions in a tab.
type extensionErrors struct {
	panel string // the panel's origin
	// crm: the tab is a CRM page that embeds the panel (cpsim test
	// -embed), whose console errors count too; the panel is then a frame
	// of the tab, whose own errors do not.
	crm bool

	mu   sync.Mutex
	errs []string
}

func (e *extensionErrors) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.errs) < 100 {
		e.errs = append(e.errs, s)
	}
}

func (e *extensionErrors) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.errs...)
}

// report records a Runtime event of a frame, whose URL is where, or of the
// tab (where is ""): there only an exception from another origin's script
// counts, one of an extension on the panel's own site, or with crm the
// CRM's console errors. A frame of the panel's origin is the embedded
// panel, cpsim's own.
func (e *extensionErrors) report(where string, ev any) {
	if where != "" && strings.HasPrefix(where, e.panel+"/") {
		return // the embedded panel's frame: cpsim's own page
	}
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		at := d.URL
		if at == "" {
			at = where
		}
		if where == "" && (at == "" || strings.HasPrefix(at, e.panel)) {
			return // the panel page's own
		}
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = strings.SplitN(d.Exception.Description, "\n", 2)[0]
		}
		e.add(fmt.Sprintf("uncaught %s (%s:%d)", text, at, d.LineNumber+1))
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError || where == "" && !e.crm {
			return
		}
		if where == "" {
			where = "the CRM page"
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		e.add(fmt.Sprintf("console.error %s (%s)", strings.Join(parts, " "), where))
	}
}

// tabEvent hears an event of the tab itself. It runs in chromedp's reading
// loop, so it only records.
func (w *tabWatch) tabEvent(ev any) {
	w.errs.report("", ev)
	w.loads.event(ev)
}

// attached hears of a frame's target attached through session parent
// ("" for the tab's), paused until frames lets it run.
func (w *tabWatch) attached(parent target.SessionID, ev *target.EventAttachedToTarget) {
	if ev.TargetInfo == nil || ev.TargetInfo.Type != "iframe" {
		return
	}
	w.mu.Lock()
	w.sessions[ev.SessionID] = frameSession{url: ev.TargetInfo.URL, frame: cdp.FrameID(ev.TargetInfo.TargetID), parent: parent}
	w.arrived = append(w.arrived, ev.SessionID)
	w.mu.Unlock()
	select {
	case w.appeared <- struct{}{}:
	default:
	}
}

// frameMessage hears what a frame's session says through the tab's, or
// through its parent frame's (nested, for a frame of a frame).
func (w *tabWatch) frameMessage(m *target.EventReceivedMessageFromTarget) {
	w.mu.Lock()
	fs, ours := w.sessions[m.SessionID]
	w.mu.Unlock()
	if !ours {
		return
	}
	var msg struct {
		ID     int64           `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if json.Unmarshal([]byte(m.Message), &msg) != nil {
		return
	}
	switch msg.Method {
	case "Target.receivedMessageFromTarget":
		v := new(target.EventReceivedMessageFromTarget)
		if json.Unmarshal(msg.Params, v) == nil {
			w.frameMessage(v)
		}
		return
	case "Target.attachedToTarget":
		v := new(target.EventAttachedToTarget)
		if json.Unmarshal(msg.Params, v) == nil {
			w.attached(m.SessionID, v)
		}
		return
	case "Target.detachedFromTarget":
		v := new(target.EventDetachedFromTarget)
		if json.Unmarshal(msg.Params, v) == nil {
			w.mu.Lock()
			delete(w.sessions, v.SessionID)
			w.mu.Unlock()
		}
		return
	case "Target.targetInfoChanged":
		v := new(target.EventTargetInfoChanged)
		if json.Unmarshal(msg.Params, v) == nil {
			w.infoChanged(v.TargetInfo)
		}
		return
	}
	if msg.Method == "" {
		w.mu.Lock()
		if c, ok := w.answers[msg.ID]; ok {
			delete(w.answers, msg.ID)
			close(c)
		}
		w.mu.Unlock()
		return
	}
	switch msg.Method {
	case "Runtime.exceptionThrown":
		v := new(runtime.EventExceptionThrown)
		if json.Unmarshal(msg.Params, v) == nil {
			w.errs.report(fs.url, v)
		}
	case "Runtime.consoleAPICalled":
		v := new(runtime.EventConsoleAPICalled)
		if json.Unmarshal(msg.Params, v) == nil {
			w.errs.report(fs.url, v)
		}
	case "Log.entryAdded":
		v := new(log.EventEntryAdded)
		if json.Unmarshal(msg.Params, v) == nil {
			w.loads.errorPageLog(fs.frame, v.Entry)
		}
	}
}

// listen starts to hear the tab, until ctx ends; call it after
// pauseNewFrames and before the tab navigates, so that no frame's events
// are missed. Then run frames, which listens to each frame that appears.
//
// Every extension frame of the tab starts paused (pauseNewFrames) and
// arrives here attached, in a session of the unflattened kind, which
// speaks through the tab's; frames enables only the Runtime and Log
// domains there (chromedp's own attach to a target also enables the DOM
// domain, and its first walk of a loading frame's document races with
// that frame's DOM events), then lets the frame run. So a frame is heard
// from its first line, however busy the machine and however short the
// frame's life: a scenario at -speed 50 may handle an interaction a
// moment after its extension loads.
func (w *tabWatch) listen(ctx context.Context) (wake <-chan struct{}) {
	_ = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *target.EventAttachedToTarget:
			w.attached("", ev)
		case *target.EventDetachedFromTarget:
			w.mu.Lock()
			delete(w.sessions, ev.SessionID)
			w.mu.Unlock()
		case *target.EventTargetInfoChanged:
			w.infoChanged(ev.TargetInfo)
		case *target.EventReceivedMessageFromTarget:
			w.frameMessage(ev)
		default:
			w.tabEvent(ev)
		}
	})
	return w.appeared
}

// infoChanged keeps a frame session's URL: a frame is attached before it
// has one, and may navigate.
func (w *tabWatch) infoChanged(ti *target.Info) {
	if ti == nil || ti.URL == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, fs := range w.sessions {
		if fs.frame == cdp.FrameID(ti.TargetID) {
			fs.url = ti.URL
			w.sessions[id] = fs
		}
	}
}

// pauseNewFrames makes the tab attach to every frame target it gets, in
// sessions of the unflattened kind, and makes each wait, from its start,
// until it is let run (Runtime.runIfWaitingForDebugger). It replaces
// chromedp's own auto-attach of the tab, which the runner does not use.
func pauseNewFrames(ctx context.Context) error {
	flat := false
	return chromedp.FromContext(ctx).Target.Call(ctx, target.SetAutoAttach.Method,
		target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &flat}, nil)
}

// frames listens to every extension frame that arrives in the tab, and
// lets it run, until ctx ends; wake says when one has arrived.
func (w *tabWatch) frames(ctx context.Context, wake <-chan struct{}) {
	c := chromedp.FromContext(ctx)
	for ctx.Err() == nil {
		w.mu.Lock()
		arrived := w.arrived
		w.arrived = nil
		w.mu.Unlock()
		for _, session := range arrived {
			// Listen first, pause the frame's own frames as the tab's (the
			// extensions of an embedded panel), then let it run.
			for i, method := range []string{"Runtime.enable", "Log.enable", "Target.setAutoAttach", "Runtime.runIfWaitingForDebugger"} {
				msg := fmt.Sprintf(`{"id":%d,"method":%q}`, i+1, method)
				if method == "Target.setAutoAttach" {
					msg = fmt.Sprintf(`{"id":%d,"method":%q,"params":{"autoAttach":true,"waitForDebuggerOnStart":true,"flatten":false}}`, i+1, method)
				}
				w.send(ctx, c, session, msg)
			}
		}
		select {
		case <-ctx.Done():
		case <-wake:
		}
	}
}

// send sends msg, a DevTools command as JSON, to a frame's session:
// through the tab's, wrapped once more for each parent frame's session.
// Target.sendMessageToTarget is deprecated, and cdproto no longer has it;
// Chromium still serves it for sessions of this kind.
func (w *tabWatch) send(ctx context.Context, c *chromedp.Context, session target.SessionID, msg string) {
	for {
		w.mu.Lock()
		fs, ok := w.sessions[session]
		if ok && fs.parent != "" {
			w.lastID++
			wrapped, _ := json.Marshal(map[string]any{"id": w.lastID, "method": "Target.sendMessageToTarget",
				"params": map[string]any{"sessionId": session, "message": msg}})
			msg, session = string(wrapped), fs.parent
			w.mu.Unlock()
			continue
		}
		w.mu.Unlock()
		_ = c.Target.Call(ctx, "Target.sendMessageToTarget", map[string]any{"sessionId": session, "message": msg}, nil)
		return
	}
}

// settle waits until every extension frame of the tab has run what it had
// to do when settle was called, such as handling the last messages the
// page posted to it: each frame evaluates a promise that resolves on a
// later turn of its event loop, after the tasks already queued there, the
// page's messages among them. So an exception an extension throws on the
// last step of a scenario is heard, however busy the machine; ctx bounds
// the wait, for a frame that is busy for good.
func (w *tabWatch) settle(ctx context.Context) {
	c := chromedp.FromContext(ctx)
	w.mu.Lock()
	var waits []chan struct{}
	for session := range w.sessions {
		w.lastID++
		id := w.lastID
		done := make(chan struct{})
		w.answers[id] = done
		waits = append(waits, done)
		msg := fmt.Sprintf(`{"id":%d,"method":"Runtime.evaluate","params":{"expression":"new Promise((r) => setTimeout(r, 0))","awaitPromise":true}}`, id)
		w.mu.Unlock()
		w.send(ctx, c, session, msg)
		w.mu.Lock()
	}
	w.mu.Unlock()
	for _, done := range waits {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}
