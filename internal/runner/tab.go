package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

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
// process of its own, a target of its own. For each, watch opens a session
// of the unflattened kind, which speaks through the browser's connection,
// and enables only the Runtime and Log domains there. (chromedp's attach to
// a target also enables the DOM domain, and its first walk of a loading
// frame's document races with that frame's DOM events.) Enabling them
// replays what the frame threw and logged before, so an extension that
// throws as it loads, or lives a moment only, is heard, and so is the
// error page of a frame that was refused.
type tabWatch struct {
	errs  *extensionErrors
	loads *frameLoads

	mu       sync.Mutex
	sessions map[target.SessionID]frameSession
}

// frameSession is a session watch opened on a frame's target.
type frameSession struct {
	url   string
	frame cdp.FrameID // an iframe target's id is its frame's
}

// newTabWatch watches the tab whose target is tab, of the panel at
// origin panel.
func newTabWatch(panel string, tab target.ID) *tabWatch {
	return &tabWatch{
		errs:     &extensionErrors{panel: panel},
		loads:    newFrameLoads(cdp.FrameID(tab)),
		sessions: map[target.SessionID]frameSession{},
	}
}

// extensionErrors collects the uncaught exceptions and console errors of
// the extensions in a tab.
type extensionErrors struct {
	panel string // the panel's origin

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
// counts, one of an extension on the panel's own site.
func (e *extensionErrors) report(where string, ev any) {
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
		if ev.Type != runtime.ConsoleAPICalledTypeError || where == "" {
			return
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

// frameMessage hears what a frame's session says through the browser.
func (w *tabWatch) frameMessage(ev any) {
	m, ok := ev.(*target.EventReceivedMessageFromTarget)
	if !ok {
		return
	}
	w.mu.Lock()
	fs, ours := w.sessions[m.SessionID]
	w.mu.Unlock()
	if !ours {
		return
	}
	var msg struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if json.Unmarshal([]byte(m.Message), &msg) != nil {
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

// listen starts to hear the tab and the browser, until ctx ends; call it
// before the tab navigates, so that no frame's events are missed. Then
// run frames, which opens a session on each frame that appears.
func (w *tabWatch) listen(ctx context.Context) (wake <-chan struct{}) {
	appeared := make(chan struct{}, 1) // a frame appeared: look now
	_ = chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*target.EventAttachedToTarget); ok {
			select {
			case appeared <- struct{}{}:
			default:
			}
			return
		}
		w.tabEvent(ev)
	})
	_ = chromedp.ListenBrowser(ctx, w.frameMessage)
	return appeared
}

// frames opens a session on every extension frame that appears in the
// tab, until ctx ends; wake says when one may have.
func (w *tabWatch) frames(ctx context.Context, wake <-chan struct{}) {
	c := chromedp.FromContext(ctx)
	seen := map[target.ID]bool{}
	for ctx.Err() == nil {
		if targets, err := chromedp.Targets(ctx); err == nil {
			for _, ti := range targets {
				if ti.Type != "iframe" || ti.ParentID != c.Target.TargetID || seen[ti.TargetID] {
					continue
				}
				seen[ti.TargetID] = true
				var res struct {
					SessionID target.SessionID `json:"sessionId"`
				}
				// Target.sendMessageToTarget is deprecated, and cdproto no
				// longer has it; Chromium still serves it.
				if c.Browser.Call(ctx, "Target.attachToTarget", map[string]any{"targetId": ti.TargetID, "flatten": false}, &res) != nil {
					continue
				}
				w.mu.Lock()
				w.sessions[res.SessionID] = frameSession{url: ti.URL, frame: cdp.FrameID(ti.TargetID)}
				w.mu.Unlock()
				for i, method := range []string{"Runtime.enable", "Log.enable"} {
					_ = c.Browser.Call(ctx, "Target.sendMessageToTarget", map[string]any{
						"sessionId": res.SessionID, "message": fmt.Sprintf(`{"id":%d,"method":%q}`, i+1, method)}, nil)
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(100 * time.Millisecond):
		}
	}
}
