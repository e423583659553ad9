package host

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
)

// rawPage connects to a panel on a pipeNet as the page does, but says
// nothing yet.
func (pp *pipePanel) rawPage(t *testing.T) *page {
	t.Helper()
	return rawPageAt(t, pp.URL, pp.client)
}

// rawPageAt connects a page opened at base, which says nothing yet.
func rawPageAt(t *testing.T, base string, client *http.Client) *page {
	t.Helper()
	ctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(ctx, wsAt(base), &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &page{t: t, ws: ws, ctx: ctx}
}

// TestFrameFieldsAreChecked: a frame whose fields no page of cpsim's
// sends closes its connection with 1008 and a reason that says what was
// wrong, before the session acts on it; other pages go on.
func TestFrameFieldsAreChecked(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	other := dial(t, hs, "", 0, true)
	long := strings.Repeat("x", maxID+1)
	tests := []struct {
		name  string
		hello string // the first message, when not a hello for a new session
		data  string // the next message
		why   string
	}{
		{"q at 2^64-1", "", `[{"t":"m","q":18446744073709551615,"i":"bg-1","m":{}}]`,
			"q 18446744073709551615 is past 9007199254740991, the largest number a page counts to"},
		{"q past 2^53-1", "", `[{"t":"e","q":9007199254740992,"n":1,"e":{"type":"login"}}]`, "is past 9007199254740991"},
		{"q that skips too far", "", fmt.Sprintf(`[{"t":"e","q":%d,"n":1,"e":{"type":"login"}}]`, maxGap+1),
			fmt.Sprintf("q %d skips more than %d numbers past 0", maxGap+1, maxGap)},
		{"q that skips within a connection", "", `[{"t":"e","q":1,"n":1,"e":{"type":"login"}},{"t":"e","q":3,"n":2,"e":{"type":"login"}}]`,
			"q 3 follows q 1: a page numbers its frames one by one"},
		{"q that goes back", "", `[{"t":"e","q":2,"n":1,"e":{"type":"login"}},{"t":"e","q":1,"n":2,"e":{"type":"login"}}]`,
			"q 1 follows q 2"},
		{"an m frame without q", "", `[{"t":"m","i":"bg-1","m":{}}]`, "an m frame needs its number q, from 1"},
		{"an e frame without q", "", `[{"t":"e","n":1,"e":{"type":"login"}}]`, "an e frame needs its number q"},
		{"a numbered a frame", "", `[{"t":"a","q":1,"seq":0}]`, "a a frame has q 1: only m and e frames are numbered"},
		{"a numbered log frame", "", `[{"t":"log","q":5,"from":1}]`, "a log frame has q 5"},
		{"an ack past the last delivery", "", `[{"t":"a","seq":1000000}]`, "a acknowledges delivery 1000000, but the last sent is"},
		{"a long instance id", "", `[{"t":"m","q":1,"i":"` + long + `","m":{}}]`, fmt.Sprintf("i is %d bytes: an instance id has at most %d", maxID+1, maxID)},
		{"a hello with a long session", `[{"t":"hello","session":"` + long + `","seq":0,"fresh":true}]`, "",
			fmt.Sprintf("the hello's session is %d bytes", maxID+1)},
		{"a numbered hello", `[{"t":"hello","q":1,"session":"","seq":0,"fresh":true}]`, "", "a hello frame has q 1"},
		{"a hello past the session's deliveries", fmt.Sprintf(`[{"t":"hello","session":%q,"seq":1000000,"fresh":false}]`, other.session), "",
			"hello says delivery 1000000 was posted, but the session has sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rawPageAt(t, hs.URL, nil)
			hello := tt.hello
			if hello == "" {
				hello = `[{"t":"hello","session":"","seq":0,"fresh":true}]`
			}
			for _, data := range []string{hello, tt.data} {
				if data == "" {
					continue
				}
				if err := p.ws.Write(p.ctx, websocket.MessageText, []byte(data)); err != nil {
					t.Fatal(err)
				}
			}
			code, why := p.closeStatus()
			if code != websocket.StatusPolicyViolation || !strings.Contains(why, tt.why) {
				t.Errorf("closed with %v %q, want %v %q", code, why, websocket.StatusPolicyViolation, tt.why)
			}
			if len(why) > 123 {
				t.Errorf("the reason is %d bytes, more than a close frame holds", len(why))
			}
		})
	}
	// The page whose session a bad hello named was never disturbed.
	other.mustEvent(map[string]any{"type": "incoming", "channel": "email"})
}

// TestAHugeFrameNumberDoesNotWedgeTheSession reproduces issue 11: a frame
// numbered 2^64-1 made its session skip every later frame, silently, as
// ones it had processed. Now it closes the connection, and the page that
// resumes is heard.
func TestAHugeFrameNumberDoesNotWedgeTheSession(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		p := pp.dial(t, "", 0, true)
		p.mustEvent(map[string]any{"type": "incoming", "channel": "phone"})
		p.write([]map[string]any{{"t": "e", "q": uint64(1<<64 - 1), "n": 99, "e": map[string]any{"type": "logout"}}})
		if code, _ := p.closeStatus(); code != websocket.StatusPolicyViolation {
			t.Fatalf("closed with %v, want a policy violation", code)
		}
		q := pp.dial(t, p.session, p.seq, false)
		if q.session != p.session || q.in != p.q {
			t.Fatalf("resumed session %s at in %d, want %s at %d", q.session, q.in, p.session, p.q)
		}
		r := q.event(map[string]any{"type": "incoming", "channel": "chat"})
		if r["created"] == nil {
			t.Errorf("the resumed page's event got %v, want an interaction created", r)
		}
	})
}

// TestLongReasonsAreCut: bad and drop quote what an extension controls,
// so a long one is cut, not refused (the page would send it again after
// every reconnect), and the connection stays.
func TestLongReasonsAreCut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		p := pp.dial(t, "", 0, true)
		bad := "not serializable: " + strings.Repeat("é", maxReason)
		p.send(map[string]any{"t": "m", "i": "bg-1", "bad": bad, "id": "a"})
		row := p.waitFor(func(f map[string]any) bool { return f["t"] == "l" && f["raw"] != nil })
		raw := row["raw"].(string)
		if want := fmt.Sprintf("… (cut at %d bytes)", maxReason); !strings.HasSuffix(raw, want) || len(raw) > maxReason+len(want) {
			t.Errorf("the row shows %d bytes ending %q, want the first %d and %q", len(raw), raw[max(0, len(raw)-40):], maxReason, want)
		}
		p.mustEvent(map[string]any{"type": "incoming", "channel": "chat"}) // still connected
	})
}

// TestSessionsEndAGraceAfterTheirPageLeft: a thousand pages connect and
// leave; the server holds their sessions for the grace period, in case
// they come back, and its timer ends every one then, with no other page
// connecting.
func TestSessionsEndAGraceAfterTheirPageLeft(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const grace = 3 * time.Minute
		const pages = 1000
		srv, pp := newPipeServer(t, func(c *Config) {
			c.SessionGrace = grace
			c.MaxSessions = pages
		})
		for range pages {
			p := pp.dial(t, "", 0, true)
			p.ws.CloseNow()
		}
		synctest.Wait() // every page has left
		time.Sleep(grace - time.Second)
		synctest.Wait()
		if n := srv.sessionCount(); n != pages {
			t.Fatalf("%d sessions held within the grace, want %d", n, pages)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := srv.sessionCount(); n != 0 {
			t.Errorf("%d sessions held after the grace, want none", n)
		}
	})
}

// TestAPageThatComesBackKeepsItsSession: a page that returns within the
// grace resumes its session, and the timer of its first departure does
// not end it; the grace counts again from its last departure.
func TestAPageThatComesBackKeepsItsSession(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, pp := newPipeServer(t, func(c *Config) { c.SessionGrace = time.Minute })
		p := pp.dial(t, "", 0, true)
		p.ws.CloseNow()
		synctest.Wait()
		time.Sleep(time.Minute - time.Second)
		q := pp.dial(t, p.session, p.seq, false)
		if q.session != p.session {
			t.Fatalf("the page came back to session %s, want %s", q.session, p.session)
		}
		time.Sleep(time.Hour) // with the page there, the session stays
		synctest.Wait()
		if !srv.holds(p.session) {
			t.Fatal("the session ended while its page was connected")
		}
		q.ws.CloseNow()
		synctest.Wait()
		time.Sleep(time.Minute - time.Second)
		synctest.Wait()
		if !srv.holds(p.session) {
			t.Fatal("the session ended within the grace of its last departure")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if srv.holds(p.session) {
			t.Error("the session outlived the grace of its last departure")
		}
	})
}

// TestSessionLimit: past MaxSessions a page that needs a new session is
// refused with 1013 and a reason the page shows; a page resuming its own
// is not; once a session ends, a new page gets in.
func TestSessionLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t, func(c *Config) {
			c.MaxSessions = 2
			c.SessionGrace = time.Minute
		})
		a := pp.dial(t, "", 0, true)
		b := pp.dial(t, "", 0, true)

		refused := pp.rawPage(t)
		refused.write([]map[string]any{{"t": "hello", "session": "", "seq": 0, "fresh": true}})
		code, why := refused.closeStatus()
		if want := "cpsim holds 2 sessions, its limit (-max-sessions): close panel tabs, or wait 1m0s after they close"; code != websocket.StatusTryAgainLater || why != want {
			t.Errorf("closed with %v %q, want %v %q", code, why, websocket.StatusTryAgainLater, want)
		}

		a.ws.CloseNow() // a reload: the same session, at the limit
		synctest.Wait()
		again := pp.dial(t, a.session, a.seq, true)
		if again.session != a.session {
			t.Errorf("a page resuming at the limit got session %s, want its own %s", again.session, a.session)
		}

		b.ws.CloseNow()
		synctest.Wait()
		time.Sleep(time.Minute) // b's session ends
		synctest.Wait()
		c := pp.dial(t, "", 0, true)
		if c.session == a.session || c.session == b.session {
			t.Errorf("the new page got session %s, an old one", c.session)
		}
	})
}

// sessionCount is how many sessions the server holds.
func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// TestNamedSessions: a page opened at /?session=NAME gets the session of
// that name, started when cpsim holds none; a second page asking for it
// while the first does not answer (gone, or reloading) takes it over
// rather than getting a session of its own, as a duplicated tab does (one
// that answers is watched instead: watch_test.go); an invalid name is
// refused with why.
func TestNamedSessions(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "checkout-test", 0, true, named)
	if p.session != "checkout-test" {
		t.Fatalf("welcome session %q, want checkout-test", p.session)
	}
	r := p.event(map[string]any{"type": "incoming", "channel": "chat"})
	if r["created"] == nil {
		t.Fatalf("incoming answered %v, want an interaction created", r)
	}
	q := dial(t, hs, "checkout-test", 0, true, named)
	if q.session != "checkout-test" {
		t.Fatalf("second page got session %q, want checkout-test", q.session)
	}
	if code, why := p.closeStatus(); code != websocket.StatusPolicyViolation || !strings.Contains(why, "another page took over") {
		t.Errorf("first page closed with %v %q, want taken over", code, why)
	}
	v := q.waitFor(func(f map[string]any) bool { return f["t"] == "v" })
	if n := len(v["v"].(map[string]any)["interactions"].([]any)); n != 1 {
		t.Errorf("the second page's view has %d interactions, want the chat the first one made", n)
	}
	for _, tt := range []struct{ name, why string }{
		{"../etc", "use letters, digits"},
		{"-x", "starting with a letter or digit"},
		{strings.Repeat("a", 65), "1 to 64 characters"},
	} {
		bad := rawPageAt(t, hs.URL, nil)
		bad.write([]map[string]any{{"t": "hello", "session": tt.name, "named": true, "seq": 0, "fresh": true}})
		if code, why := bad.closeStatus(); code != websocket.StatusPolicyViolation || !strings.Contains(why, tt.why) {
			t.Errorf("name %q: closed with %v %q, want 1008 %q", tt.name, code, why, tt.why)
		}
	}
}

func TestCheckSessionName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"a": true, "checkout-test": true, "run_42.b": true, "0c1d2e3f4a5b6c7d8e9f0a1b": true,
		"": false, "-a": false, ".a": false, "a b": false, "a/b": false, "é": false, strings.Repeat("x", 65): false,
	} {
		if err := CheckSessionName(name); (err == nil) != ok {
			t.Errorf("CheckSessionName(%q) = %v, want ok %v", name, err, ok)
		}
	}
}
