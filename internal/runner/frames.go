package runner

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// FrameLoad is an extension frame that did not load, and why, as Chromium
// told it.
type FrameLoad struct {
	URL string // the URL the panel gave the frame: the extension's
	// Cause is why it did not load: an HTTP status, a network error such
	// as net::ERR_CONNECTION_REFUSED, or the header or policy that blocked
	// it, with Chromium's own words when it logged any.
	Cause string
	// Stalled is a frame still waiting for its server when the scenario
	// ended. It is reported only when the scenario failed otherwise, and
	// does not fail it: a frame created by the last step may just be late.
	Stalled bool
	Frames  int // how many frames of this URL did not load so, 1 or more
}

func (f FrameLoad) String() string {
	s := f.URL + ": " + f.Cause
	if f.Frames > 1 {
		s += fmt.Sprintf(" (%d frames)", f.Frames)
	}
	return s
}

// frameLoads follows the loading of a tab's extension frames through
// Chromium's DevTools events, and says why a frame did not load. What
// Chromium 156 sends, found by trying each case (docs/chromium.md):
//
//   - Every event of an extension frame's document request, redirects
//     included, comes to the panel's tab, even for a frame that then runs
//     in a process of its own: Network.requestWillBeSent (type Document,
//     the frame's id), Network.responseReceived with the HTTP status, then
//     Network.loadingFinished or Network.loadingFailed.
//   - Server down: loadingFailed, errorText net::ERR_CONNECTION_REFUSED.
//   - HTTP error: responseReceived with the status (404, 500); the frame
//     loads the error's body, and no event says it failed.
//   - X-Frame-Options: responseReceived (200, with the header), then
//     loadingFailed, net::ERR_BLOCKED_BY_RESPONSE, blockedReason "other".
//     Chromium logs "Refused to display ... because it set
//     'X-Frame-Options' to 'deny'." only in the frame's error page
//     (chrome-error://chromewebdata/), a target of its own, to a Log
//     session of that target.
//   - CSP frame-ancestors: the same loadingFailed, and a Log.entryAdded
//     in the tab (source security): "Framing '<origin>/' violates the
//     following Content Security Policy directive: ...".
//   - A frame removed while it loads: loadingFailed with canceled set.
//   - A redirect the panel page's own CSP frame-src blocks: loadingFailed,
//     net::ERR_BLOCKED_BY_CSP, no blockedReason, no event of the hop, and
//     in the tab "Framing '<hop's origin>/' violates the following Content
//     Security Policy directive: "frame-src ...".
type frameLoads struct {
	main cdp.FrameID // the panel page's frame: its children are the extensions'

	mu       sync.Mutex
	children map[cdp.FrameID]bool
	loads    map[network.RequestID]*frameLoad
	order    []*frameLoad
	errorLog map[cdp.FrameID][]string // what Chromium logged in a frame's error page
	security []string                 // the tab's security messages
}

// frameLoad is the loading of one frame's document.
type frameLoad struct {
	frame      cdp.FrameID
	url        string // the first URL, before redirects
	final      string // the URL that answered
	status     int64
	statusText string
	headers    network.Headers
	ended      bool // finished or failed
	errorText  string
	canceled   bool
	blocked    network.BlockedReason
}

func newFrameLoads(main cdp.FrameID) *frameLoads {
	return &frameLoads{
		main:     main,
		children: map[cdp.FrameID]bool{},
		loads:    map[network.RequestID]*frameLoad{},
		errorLog: map[cdp.FrameID][]string{},
	}
}

// event takes an event of the tab. It is called in chromedp's reading
// loop, so it only records.
func (f *frameLoads) event(ev any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventFrameAttached:
		if ev.ParentFrameID == f.main {
			f.children[ev.FrameID] = true
		}
	case *network.EventRequestWillBeSent:
		if ev.Type != network.ResourceTypeDocument || !f.children[ev.FrameID] || ev.Request == nil {
			return
		}
		if l := f.loads[ev.RequestID]; l != nil {
			return // a redirect of a load already followed
		}
		l := &frameLoad{frame: ev.FrameID, url: ev.Request.URL}
		f.loads[ev.RequestID] = l
		f.order = append(f.order, l)
	case *network.EventResponseReceived:
		if l := f.loads[ev.RequestID]; l != nil && ev.Response != nil {
			l.final, l.status, l.statusText, l.headers = ev.Response.URL, ev.Response.Status, ev.Response.StatusText, ev.Response.Headers
		}
	case *network.EventLoadingFinished:
		if l := f.loads[ev.RequestID]; l != nil {
			l.ended = true
		}
	case *network.EventLoadingFailed:
		if l := f.loads[ev.RequestID]; l != nil {
			l.ended, l.errorText, l.canceled, l.blocked = true, ev.ErrorText, ev.Canceled, ev.BlockedReason
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Source == log.EntrySourceSecurity {
			f.security = append(f.security, strings.TrimSpace(e.Text))
		}
	}
}

// errorPageLog takes what Chromium logged in a frame whose target is id
// (an iframe's target id is its frame id); only its error page's entries
// are kept, which say why the frame shows an error page.
func (f *frameLoads) errorPageLog(id cdp.FrameID, e *log.Entry) {
	if e == nil || !strings.HasPrefix(e.URL, "chrome-error:") {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errorLog[id] = append(f.errorLog[id], strings.TrimSpace(e.Text))
}

// list says which frames did not load, and why, in the order they began
// to; frames of one URL that failed alike are one entry.
func (f *frameLoads) list() []FrameLoad {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FrameLoad
	seen := map[[2]string]int{}
	for _, l := range f.order {
		fl, ok := f.failure(l)
		if !ok {
			continue
		}
		key := [2]string{fl.URL, fl.Cause}
		if i, ok := seen[key]; ok {
			out[i].Frames++
			continue
		}
		seen[key] = len(out)
		fl.Frames = 1
		out = append(out, fl)
	}
	return out
}

// failure says why a load failed; ok is false when it did not. The
// caller holds f.mu.
func (f *frameLoads) failure(l *frameLoad) (fl FrameLoad, ok bool) {
	fl.URL = l.url
	switch {
	case l.canceled || l.errorText == "net::ERR_ABORTED":
		return fl, false // the panel removed the frame, or it went elsewhere
	case l.errorText == "net::ERR_BLOCKED_BY_RESPONSE":
		fl.Cause = blockedByResponse(l.headers) + " (net::ERR_BLOCKED_BY_RESPONSE)"
	case l.errorText != "":
		fl.Cause = l.errorText
		switch {
		case l.errorText == "net::ERR_BLOCKED_BY_CSP" || l.blocked == network.BlockedReasonCsp:
			fl.Cause = "blocked by the panel page's Content-Security-Policy (" + l.errorText + ")"
		case l.blocked != "":
			fl.Cause = fmt.Sprintf("blocked: %s (%s)", l.blocked, l.errorText)
		case l.errorText == "net::ERR_CONNECTION_REFUSED":
			fl.Cause += ": nothing listens there; is the extension's server running?"
		case l.errorText == "net::ERR_NAME_NOT_RESOLVED":
			fl.Cause += ": no such host name"
		}
	case l.status >= 400:
		text := l.statusText
		if text == "" {
			text = http.StatusText(int(l.status))
		}
		fl.Cause = fmt.Sprintf("HTTP %d %s: the panel shows that error page instead of the extension", l.status, text)
		if l.final != "" && l.final != l.url {
			fl.Cause = fmt.Sprintf("HTTP %d %s from %s: the panel shows that error page instead of the extension", l.status, text, l.final)
		}
	case !l.ended && l.status == 0:
		fl.Cause, fl.Stalled = "still waiting for its server's answer when the scenario ended", true
	default:
		return fl, false
	}
	if said := f.chromiumSays(l); said != "" {
		fl.Cause += "; Chromium: " + said
	}
	return fl, true
}

// chromiumSays is what Chromium logged about a blocked frame: in its error
// page (X-Frame-Options), or in the tab naming the frame's origin (CSP
// frame-ancestors). The caller holds f.mu.
func (f *frameLoads) chromiumSays(l *frameLoad) string {
	if l.errorText == "" {
		return ""
	}
	var said []string
	said = append(said, f.errorLog[l.frame]...)
	answered := l.final
	if answered == "" {
		answered = l.url
	}
	framing := "\x00"
	if u, err := url.Parse(answered); err == nil && u.Host != "" {
		framing = "'" + u.Scheme + "://" + u.Host + "/'"
	}
	for _, s := range f.security {
		// The panel page's own frame-src names the hop it blocked, of a
		// redirect whose events Chromium did not send.
		if strings.Contains(s, framing) || (l.errorText == "net::ERR_BLOCKED_BY_CSP" && strings.Contains(s, `directive: "frame-src`)) {
			said = append(said, s)
		}
	}
	return strings.Join(said, " ")
}

// blockedByResponse says which header of a response kept it out of a
// frame: CSP frame-ancestors when it has one (browsers then ignore
// X-Frame-Options), else X-Frame-Options.
func blockedByResponse(h network.Headers) string {
	var csp []string
	for _, v := range headerValues(h, "Content-Security-Policy") {
		for _, policy := range strings.Split(v, ",") {
			for _, dir := range strings.Split(policy, ";") {
				if f := strings.Fields(dir); len(f) > 0 && strings.EqualFold(f[0], "frame-ancestors") {
					csp = append(csp, strings.Join(f, " "))
				}
			}
		}
	}
	if len(csp) > 0 {
		return "its Content-Security-Policy " + strings.Join(csp, ", ") + " does not allow the panel"
	}
	if xfo := headerValues(h, "X-Frame-Options"); len(xfo) > 0 {
		return "it sends X-Frame-Options: " + strings.Join(xfo, ", ")
	}
	return "a header of its response keeps it out of frames"
}

// headerValues are the values of a header in Chromium's headers object,
// whose names keep the server's case and which joins repeated headers with
// newlines.
func headerValues(h network.Headers, name string) []string {
	var out []string
	for k, v := range h {
		if s, ok := v.(string); ok && strings.EqualFold(k, name) {
			out = append(out, strings.Split(s, "\n")...)
		}
	}
	return out
}
