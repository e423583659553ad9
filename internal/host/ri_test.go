package host

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// embeddedPage logs a CRM in and connects its embedded panel's page with
// the login cookie, as Chromium does for the panel's iframe; it returns
// the page and the cookie.
func embeddedPage(t *testing.T, hs *httptest.Server, crm string) (*page, string) {
	t.Helper()
	resp := request(t, hs, "POST", "/ecfs/authentication/", crm, basicBody("maria", "pw"), "Authorization", "ECFAuth")
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d %s", resp.StatusCode, readBody(t, resp))
	}
	c := resp.Cookies()[0]
	cookie := c.Name + "=" + c.Value
	ctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(ctx, wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}, "Cookie": {cookie}}})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(16 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	p := &page{t: t, ws: ws, ctx: ctx}
	p.send(map[string]any{"t": "hello", "embed": crm})
	w := p.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" })
	p.session = w["session"].(string)
	return p, cookie
}

// TestEmbeddedPageRelaysTheHost: the embedded panel's page relays the
// CRM's messages as the host endpoint: its init is answered with type
// init, and it hears the agent's status.
func TestEmbeddedPageRelaysTheHost(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p, _ := embeddedPage(t, hs, "http://localhost:3000")
	p.ext(state.HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
	m := p.delivery(state.HostInstance, func(m map[string]any) bool { return m["type"] == "init" })
	if diff := cmp.Diff(map[string]any{"id": "initRequest", "type": "init", "payload": map[string]any{"value": []any{}}}, m); diff != "" {
		t.Errorf("init (-want +got):\n%s", diff)
	}
	p.ext(state.HostInstance, `{"id":"a1","type":"action","payload":{"cpcFn":"getDetails","command":"detail","value":"user"}}`)
	p.delivery(state.HostInstance, responseID("a1"))
	p.mustEvent(map[string]any{"type": "work_status", "status": "not_ready"})
	p.delivery(state.HostInstance, func(m map[string]any) bool { return m["type"] == "status" })
}

// TestEmbeddedPageFromAForeignCRM: with -embed-origin set, a page that
// says it is embedded by another origin gets no session.
func TestEmbeddedPageFromAForeignCRM(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t, func(c *Config) { c.EmbedOrigins = []string{"https://crm.example.com"} })
	ctx := beforeDeadline(t)
	ws, _, err := websocket.Dial(ctx, wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	p := &page{t: t, ws: ws, ctx: ctx}
	p.send(map[string]any{"t": "hello", "embed": "https://evil.example.com"})
	code, why := p.closeStatus()
	if code != websocket.StatusPolicyViolation || !strings.Contains(why, "-embed-origin does not allow the CRM at https://evil.example.com") {
		t.Errorf("closed with %d %q", code, why)
	}
	// An origin past any real one's length is refused before it is read.
	ws2, _, err := websocket.Dial(ctx, wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.CloseNow()
	q := &page{t: t, ws: ws2, ctx: ctx}
	q.send(map[string]any{"t": "hello", "embed": "https://" + strings.Repeat("a", 100000) + ".example.com"})
	if code, why := q.closeStatus(); code != websocket.StatusPolicyViolation || !strings.Contains(why, "an origin is at most 300") {
		t.Errorf("a huge embed origin: closed with %d %q", code, why)
	}
}

// TestRMI: the RMI calls of CPC.js's setPresence and setReady act on the
// session of the embedded panel opened with the same login, send no status
// event, and show in the view; other RI calls are 404 with a JSON body.
func TestRMI(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	const crm = "http://localhost:3000"
	p, cookie := embeddedPage(t, hs, crm)
	p.ext(state.HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
	p.delivery(state.HostInstance, func(m map[string]any) bool { return m["type"] == "init" })
	v := p.view(func(v state.View) bool { return v.User.ID != "" })
	agent := v.User.ID
	json := []string{"Content-Type", "application/json", "Cookie", cookie}

	// Preflight for the JSON content type.
	pre := request(t, hs, "OPTIONS", "/ecfs/RI/rmi/agents/"+agent+"/readyState/", crm, "",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type")
	if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != crm || !strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf("RI preflight: %d %v", pre.StatusCode, pre.Header)
	}

	resp := request(t, hs, "GET", "/ecfs/RI/rmi/agents/"+agent+"/presences/", crm, "", json...)
	list, _ := decodeBody(t, resp).([]any)
	if resp.StatusCode != 200 || len(list) != len(v.User.PresenceProfiles) || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("GET presences: %d %v", resp.StatusCode, list)
	}
	var lunch string
	for _, x := range list {
		pr := x.(map[string]any)
		if pr["name"] == "Meeting" {
			lunch = pr["id"].(string)
		}
	}

	before := len(p.frames)
	if resp := request(t, hs, "PUT", "/ecfs/RI/rmi/agents/"+agent+"/presences/"+lunch, crm, `{"id":"`+lunch+`"}`, json...); resp.StatusCode != 204 {
		t.Fatalf("PUT presence: %d %s", resp.StatusCode, readBody(t, resp))
	}
	p.view(func(v state.View) bool { return v.Profile == "Meeting" })
	if resp := request(t, hs, "PUT", "/ecfs/RI/rmi/agents/"+agent+"/readyState/", crm, `{"readyState":"NotReady"}`, json...); resp.StatusCode != 204 {
		t.Fatalf("PUT readyState: %d %s", resp.StatusCode, readBody(t, resp))
	}
	p.view(func(v state.View) bool { return v.User.WorkStatus == "not_ready" })
	for _, f := range p.frames[before:] {
		if f["t"] == "d" && f["m"].(map[string]any)["type"] == "status" {
			t.Errorf("an RMI change sent a status event: %v", f["m"])
		}
	}

	refusals := []struct {
		method, path, body string
		cookie             bool
		code               int
		text               string
	}{
		{"GET", "/ecfs/RI/rci/users", "", true, 404, "cpsim does not simulate RI GET /ecfs/RI/rci/users"},
		{"POST", "/ecfs/RI/rmi/agents/" + agent + "/presences/", "", true, 404, "cpsim does not simulate"},
		{"GET", "/ecfs/RI/rmi/agents/" + agent + "/presences/", "", false, 401, "POST /ecfs/authentication/ first"},
		{"GET", "/ecfs/RI/rmi/agents/nobody/presences/", "", true, 404, `no agent \"nobody\"`},
		{"PUT", "/ecfs/RI/rmi/agents/" + agent + "/presences/nope", "{}", true, 404, `no presence profile \"nope\"`},
		{"PUT", "/ecfs/RI/rmi/agents/" + agent + "/readyState/", `{"readyState":"Busy"}`, true, 400, `readyState \"Busy\"`},
		{"PUT", "/ecfs/RI/rmi/agents/" + agent + "/readyState/", `ready`, true, 400, "the body must be"},
		{"PUT", "/ecfs/RI/rmi/agents/" + agent + "/readyState/", strings.Repeat(" ", 70000), true, 413, "more than 65536 bytes"},
	}
	for _, r := range refusals {
		h := []string{"Content-Type", "application/json"}
		if r.cookie {
			h = json
		}
		resp := request(t, hs, r.method, r.path, crm, r.body, h...)
		if b := readBody(t, resp); resp.StatusCode != r.code || !strings.Contains(b, r.text) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %s, want %d with %q", r.method, r.path, resp.StatusCode, b, r.code, r.text)
		}
	}
}

// TestRMIAfterALoginAgain: a CRM that unloads and loads again logs in
// anew, and its page resumes its session: RI calls with the new cookie act
// on that session.
func TestRMIAfterALoginAgain(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	const crm = "http://localhost:3000"
	p, _ := embeddedPage(t, hs, crm)
	agent := p.view(func(v state.View) bool { return v.User.ID != "" }).User.ID
	p.ws.CloseNow()

	resp := request(t, hs, "POST", "/ecfs/authentication/", crm, basicBody("maria", "pw"), "Authorization", "ECFAuth")
	c := resp.Cookies()[0]
	cookie := c.Name + "=" + c.Value
	ws, _, err := websocket.Dial(beforeDeadline(t), wsURL(hs), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {hs.URL}, "Cookie": {cookie}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	q := &page{t: t, ws: ws, ctx: beforeDeadline(t)}
	q.send(map[string]any{"t": "hello", "session": p.session, "fresh": true, "embed": crm})
	if w := q.waitFor(func(f map[string]any) bool { return f["t"] == "welcome" }); w["session"] != p.session || w["resumed"] != true {
		t.Fatalf("welcome %v, want the session %s resumed", w, p.session)
	}
	resp = request(t, hs, "PUT", "/ecfs/RI/rmi/agents/"+agent+"/readyState/", crm, `{"readyState":"NotReady"}`, "Cookie", cookie)
	if resp.StatusCode != 204 {
		t.Fatalf("PUT readyState with the new login: %d %s", resp.StatusCode, readBody(t, resp))
	}
	q.view(func(v state.View) bool { return v.User.WorkStatus == "not_ready" })
}

// TestScenarioOnAnEmbeddedPanel: -scenario plays in an embedded panel's
// session too, keeps its CRM attached (the scenario's new engine has the
// host, ready, and the CRM gets no exit), and an expect can name
// from: host.
func TestScenarioOnAnEmbeddedPanel(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, "crm", `name: crm
steps:
  - incoming: {as: call1, channel: phone}
  - expect: {from: host, type: action, payload: {command: interaction, value: accept}}
  - expect: {from: host, type: action, payload: {command: dtmf}}
`)
	_, hs := newTestServer(t, func(c *Config) { c.AutoPlay = sc })
	p, _ := embeddedPage(t, hs, "http://localhost:3000")
	p.ext(state.HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
	p.delivery(state.HostInstance, func(m map[string]any) bool { return m["type"] == "init" })
	call := p.view(func(v state.View) bool { return len(v.Interactions) == 1 }).Interactions[0].ID
	p.ext(state.HostInstance, `{"id":"a1","type":"action","payload":{"cpcFn":"interaction","command":"interaction","interactionId":"`+call+`","value":"accept"}}`)
	if r := p.delivery(state.HostInstance, responseID("a1")); r["payload"].(map[string]any)["value"] != "ok" {
		t.Fatalf("accept: %v", r)
	}
	p.ext(state.HostInstance, `{"id":"a2","type":"action","payload":{"cpcFn":"dtmf","command":"dtmf","value":{"content":"1"}}}`)
	p.delivery(state.HostInstance, responseID("a2"))
	p.scenarioState("passed")
	for _, f := range p.frames {
		if f["t"] == "d" && f["i"] == state.HostInstance && f["m"].(map[string]any)["type"] == "exit" {
			t.Errorf("the CRM got an exit: %v", f["m"])
		}
	}
}

// TestScenarioPlayedLaterKeepsTheCRM reproduces a new user's report: a
// scenario played from the page's Scenarios tab, once the CRM had its
// init answered, left the CRM's host closed in the new engine (the old
// one's shutdown closed it before it was carried), so every later action
// of the CRM was refused as one before init, and CPC never inits again.
func TestScenarioPlayedLaterKeepsTheCRM(t *testing.T) {
	t.Parallel()
	sc := parseScenario(t, "later", "name: later\nsteps:\n  - incoming: {as: call1, channel: phone}\n")
	_, hs := newTestServer(t, func(c *Config) { c.Scenarios = []*scenario.Scenario{sc} })
	p, _ := embeddedPage(t, hs, "http://localhost:3000")
	p.ext(state.HostInstance, `{"id":"initRequest","type":"init","payload":false}`)
	p.delivery(state.HostInstance, func(m map[string]any) bool { return m["type"] == "init" })
	p.view(func(v state.View) bool { return true })
	p.mustEvent(map[string]any{"type": "scenario_play", "name": "later"})
	call := p.view(func(v state.View) bool { return len(v.Interactions) == 1 }).Interactions[0].ID
	p.ext(state.HostInstance, `{"id":"a1","type":"action","payload":{"command":"interaction","interactionId":"`+call+`","value":"accept"}}`)
	if r := p.delivery(state.HostInstance, responseID("a1")); r["payload"].(map[string]any)["value"] != "ok" {
		t.Fatalf("the CRM's accept after the scenario started: %v", r)
	}
}
