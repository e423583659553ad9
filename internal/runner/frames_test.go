package runner

import (
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/google/go-cmp/cmp"
)

// TestFrameLoadsFromEvents: the causes read from the events Chromium sends
// in the panel's tab (TestFrameLoadCauses has Chromium send them): only
// the panel's own frames count, a redirect is followed, a frame the panel
// removed is no failure, and frames of one URL that failed alike are one
// line.
func TestFrameLoadsFromEvents(t *testing.T) {
	t.Parallel()
	f := newFrameLoads("main")
	attach := func(frame, parent cdp.FrameID) {
		f.event(&page.EventFrameAttached{FrameID: frame, ParentFrameID: parent})
	}
	request := func(id network.RequestID, frame cdp.FrameID, url string, redirect bool) {
		ev := &network.EventRequestWillBeSent{RequestID: id, FrameID: frame, Type: network.ResourceTypeDocument, Request: &network.Request{URL: url}}
		if redirect {
			ev.RedirectResponse = &network.Response{Status: 302}
		}
		f.event(ev)
	}
	respond := func(id network.RequestID, url string, status int64, headers network.Headers) {
		f.event(&network.EventResponseReceived{RequestID: id, Type: network.ResourceTypeDocument, Response: &network.Response{URL: url, Status: status, Headers: headers}})
	}
	fail := func(id network.RequestID, text string, canceled bool, blocked network.BlockedReason) {
		f.event(&network.EventLoadingFailed{RequestID: id, Type: network.ResourceTypeDocument, ErrorText: text, Canceled: canceled, BlockedReason: blocked})
	}
	finish := func(id network.RequestID) { f.event(&network.EventLoadingFinished{RequestID: id}) }

	// Two frames of a server that is down.
	for _, id := range []string{"a", "b"} {
		attach(cdp.FrameID(id), "main")
		request(network.RequestID(id), cdp.FrameID(id), "http://localhost:1/down.html", false)
		fail(network.RequestID(id), "net::ERR_CONNECTION_REFUSED", false, "")
	}
	// A sign-in redirect that ends on an error.
	attach("c", "main")
	request("c", "c", "http://localhost:2/ext.html", false)
	request("c", "c", "http://127.0.0.1:3/login", true)
	respond("c", "http://127.0.0.1:3/login", 500, nil)
	finish("c")
	// A sign-in redirect that ends well.
	attach("d", "main")
	request("d", "d", "http://localhost:2/ok.html", false)
	request("d", "d", "http://127.0.0.1:3/login", true)
	respond("d", "http://localhost:2/ok.html?ticket=1", 200, nil)
	finish("d")
	// Both headers: CSP frame-ancestors is the one that counts.
	attach("e", "main")
	request("e", "e", "http://localhost:4/both.html", false)
	respond("e", "http://localhost:4/both.html", 200, network.Headers{"x-frame-options": "DENY", "Content-Security-Policy": "default-src 'self'\nframe-ancestors 'none'"})
	fail("e", "net::ERR_BLOCKED_BY_RESPONSE", false, network.BlockedReasonOther)
	f.event(&log.EventEntryAdded{Entry: &log.Entry{Source: log.EntrySourceSecurity, Text: "Framing 'http://localhost:4/' violates the following Content Security Policy directive: \"frame-ancestors 'none'\". The request has been blocked.\n"}})
	// X-Frame-Options, with what Chromium logged in the frame's error page.
	attach("f", "main")
	request("f", "f", "http://localhost:5/xfo.html", false)
	respond("f", "http://localhost:5/xfo.html", 200, network.Headers{"X-Frame-Options": "SAMEORIGIN"})
	fail("f", "net::ERR_BLOCKED_BY_RESPONSE", false, network.BlockedReasonOther)
	f.errorPageLog("f", &log.Entry{URL: "chrome-error://chromewebdata/", Text: "Refused to display 'http://localhost:5/' in a frame because it set 'X-Frame-Options' to 'sameorigin'."})
	f.errorPageLog("f", &log.Entry{URL: "http://localhost:5/xfo.html", Text: "an extension's own log"})
	// Removed by the panel while it loaded.
	attach("g", "main")
	request("g", "g", "http://localhost:6/gone.html", false)
	fail("g", "net::ERR_ABORTED", true, "")
	// Still waiting.
	attach("h", "main")
	request("h", "h", "http://localhost:7/slow.html", false)
	// A frame inside an extension, not the panel's.
	attach("i", "a")
	request("i", "i", "http://localhost:8/inner.html", false)
	fail("i", "net::ERR_CONNECTION_REFUSED", false, "")
	// A sign-in hop blocked by the panel page's own CSP, as before the
	// panel allowed any http(s) frame.
	attach("j", "main")
	request("j", "j", "http://localhost:9/x.html", false)
	fail("j", "net::ERR_BLOCKED_BY_CSP", false, "")
	f.event(&log.EventEntryAdded{Entry: &log.Entry{Source: log.EntrySourceSecurity, Text: `Framing 'http://127.0.0.1:10/' violates the following Content Security Policy directive: "frame-src http://localhost:9". The request has been blocked.`}})

	want := []FrameLoad{
		{URL: "http://localhost:1/down.html", Cause: "net::ERR_CONNECTION_REFUSED: nothing listens there; is the extension's server running?", Frames: 2},
		{URL: "http://localhost:2/ext.html", Cause: "HTTP 500 Internal Server Error from http://127.0.0.1:3/login: the panel shows that error page instead of the extension", Frames: 1},
		{URL: "http://localhost:4/both.html", Cause: "its Content-Security-Policy frame-ancestors 'none' does not allow the panel (net::ERR_BLOCKED_BY_RESPONSE); Chromium: Framing 'http://localhost:4/' violates the following Content Security Policy directive: \"frame-ancestors 'none'\". The request has been blocked.", Frames: 1},
		{URL: "http://localhost:5/xfo.html", Cause: "it sends X-Frame-Options: SAMEORIGIN (net::ERR_BLOCKED_BY_RESPONSE); Chromium: Refused to display 'http://localhost:5/' in a frame because it set 'X-Frame-Options' to 'sameorigin'.", Frames: 1},
		{URL: "http://localhost:7/slow.html", Cause: "still waiting for its server's answer when the scenario ended", Stalled: true, Frames: 1},
		{URL: "http://localhost:9/x.html", Cause: `blocked by the panel page's Content-Security-Policy (net::ERR_BLOCKED_BY_CSP); Chromium: Framing 'http://127.0.0.1:10/' violates the following Content Security Policy directive: "frame-src http://localhost:9". The request has been blocked.`, Frames: 1},
	}
	if diff := cmp.Diff(want, f.list()); diff != "" {
		t.Errorf("frame loads (-want +got):\n%s", diff)
	}
}
