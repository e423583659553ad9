package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
)

// apiClient calls a panel's control API as a test's HTTP client does.
type apiClient struct {
	t      testing.TB
	base   string
	client *http.Client
}

func newAPIClient(t testing.TB, hs *httptest.Server) *apiClient {
	return &apiClient{t: t, base: hs.URL, client: hs.Client()}
}

// apiAnswer is an answer: its status, headers and body, decoded when it
// is JSON.
type apiAnswer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body, when not "", goes as application/json unless
// headers say otherwise (header pairs: name, value, ...).
func (c *apiClient) do(method, path, body string, headers ...string) apiAnswer {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(beforeDeadline(c.t), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	a := apiAnswer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			c.t.Fatalf("%s %s: %s: %v", method, path, raw, err)
		}
	}
	return a
}

// must sends a request that must answer status, and returns its body.
func (c *apiClient) must(status int, method, path, body string, headers ...string) map[string]any {
	c.t.Helper()
	a := c.do(method, path, body, headers...)
	if a.status != status {
		c.t.Fatalf("%s %s %s: %d %s, want %d", method, path, body, a.status, a.raw, status)
	}
	return a.body
}

// event posts an event that must succeed, and returns what it created.
func (c *apiClient) event(session string, ev string) string {
	c.t.Helper()
	body := c.must(http.StatusOK, "POST", "/api/v1/sessions/"+session+"/events", ev)
	id, _ := body["created"].(string)
	return id
}

// messages reads a session's messages after a cursor.
func (c *apiClient) messages(session, query string) apiLogAnswer {
	c.t.Helper()
	a := c.do("GET", "/api/v1/sessions/"+session+"/messages?"+query, "")
	if a.status != http.StatusOK {
		c.t.Fatalf("messages %s: %d %s", query, a.status, a.raw)
	}
	var out apiLogAnswer
	if err := json.Unmarshal(a.raw, &out); err != nil {
		c.t.Fatal(err)
	}
	return out
}

type apiLogAnswer struct {
	Messages []apiMessage `json:"messages"`
	Next     uint64       `json:"next"`
	Dropped  uint64       `json:"dropped"`
}

// TestAPISessionsAndEvents: a session started by name through the API,
// driven by events, shows the interactions they made, and its log the
// messages of the extensions they started.
func TestAPISessionsAndEvents(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t, func(c *Config) { c.Version = "1.2.3" })
	c := newAPIClient(t, hs)

	root := c.must(http.StatusOK, "GET", "/api/v1/", "")
	if diff := cmp.Diff(map[string]any{"version": "1.2.3", "sessions": "/api/v1/sessions", "openapi": "/api/v1/openapi.yaml"}, root); diff != "" {
		t.Errorf("GET /api/v1/ (-want +got):\n%s", diff)
	}
	if got := c.must(http.StatusOK, "GET", "/api/v1/sessions", ""); len(got["sessions"].([]any)) != 0 {
		t.Errorf("a new server lists sessions: %v", got)
	}
	a := c.do("PUT", "/api/v1/sessions/checkout", "")
	if a.status != http.StatusCreated || a.header.Get("Location") != "/api/v1/sessions/checkout" {
		t.Fatalf("PUT a new session: %d %s, Location %q", a.status, a.raw, a.header.Get("Location"))
	}
	if a.body["name"] != "checkout" || a.body["url"] != "/?session=checkout" || a.body["page"] != false || a.body["scenario"] != nil {
		t.Errorf("PUT a new session answered %s", a.raw)
	}
	c.must(http.StatusOK, "PUT", "/api/v1/sessions/checkout", "{}")
	list := c.must(http.StatusOK, "GET", "/api/v1/sessions", "")
	if diff := cmp.Diff([]any{map[string]any{"name": "checkout", "page": false, "url": "/?session=checkout"}}, list["sessions"]); diff != "" {
		t.Errorf("GET /api/v1/sessions (-want +got):\n%s", diff)
	}

	call := c.event("checkout", `{"type":"incoming","channel":"phone","cad":{"customer_id":"C-1"}}`)
	if call == "" {
		t.Fatal("incoming created no interaction")
	}
	if id := c.event("checkout", `{"type":"accept","id":"`+call+`"}`); id != "" {
		t.Errorf("accept created %q", id)
	}
	var got struct {
		View state.View `json:"view"`
	}
	if err := json.Unmarshal(c.do("GET", "/api/v1/sessions/checkout", "").raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.View.Interactions) != 1 || got.View.Interactions[0].ID != call || got.View.Interactions[0].Status != "accepted" {
		t.Fatalf("the view's interactions are %+v, want %s accepted", got.View.Interactions, call)
	}
	crm := ""
	for _, in := range got.View.Instances {
		if in.Interaction == call && in.Key == "crm" {
			crm = in.ID
		}
	}
	if crm == "" {
		t.Fatalf("no crm instance for %s in %+v", call, got.View.Instances)
	}

	// The panel holds its messages for the crm instance until it sends
	// init; a raw send goes now, and the log has it, whole, with its
	// interaction.
	if got := c.messages("checkout", ""); len(got.Messages) != 0 {
		t.Errorf("messages before any was sent: %+v", got)
	}
	c.event("checkout", `{"type":"send","instance":"`+crm+`","message":{"id":"x1","type":"state","payload":{}}}`)
	c.event("checkout", `{"type":"send","instance":"`+crm+`","message":{"id":"x2","type":"state","payload":{}}}`)
	log := c.messages("checkout", "")
	if len(log.Messages) == 0 || log.Dropped != 0 || log.Next != log.Messages[len(log.Messages)-1].N {
		t.Fatalf("the log after 0: %+v", log)
	}
	for i, m := range log.Messages {
		if m.N != uint64(i+1) {
			t.Errorf("message %d is numbered %d", i, m.N)
		}
	}
	i := slices.IndexFunc(log.Messages, func(m apiMessage) bool { return m.Instance == crm })
	if i < 0 {
		t.Fatalf("no message to %s in %+v", crm, log.Messages)
	}
	m := log.Messages[i]
	if m.Dir != "out" || m.Kind != "message" || m.Key != "crm" || m.Interaction != call || string(m.Message) != `{"id":"x1","type":"state","payload":{}}` {
		t.Errorf("the crm's message: %+v", m)
	}
	more := c.messages("checkout", "after="+jsonNumber(log.Next))
	if len(more.Messages) != 0 || more.Next != log.Next {
		t.Errorf("after the last: %+v, want none and next %d", more, log.Next)
	}
	part := c.messages("checkout", "limit=1")
	if len(part.Messages) != 1 || part.Next != 1 {
		t.Errorf("limit=1: %+v", part)
	}

	c.must(http.StatusNoContent, "DELETE", "/api/v1/sessions/checkout", "")
	c.must(http.StatusNotFound, "GET", "/api/v1/sessions/checkout", "")
	if got := c.must(http.StatusOK, "GET", "/api/v1/sessions", ""); len(got["sessions"].([]any)) != 0 {
		t.Errorf("the ended session is listed: %v", got)
	}
}

func jsonNumber(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestAPIRefusals: every kind of request the API refuses gets a problem
// (application/problem+json) with its status and the field that was
// wrong, and changes nothing.
func TestAPIRefusals(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	c := newAPIClient(t, hs)
	c.must(http.StatusCreated, "PUT", "/api/v1/sessions/s1", "")
	events := "/api/v1/sessions/s1/events"
	tests := []struct {
		name         string
		method, path string
		body         string
		headers      []string
		status       int
		slug, field  string
		detail       string // a part of it
	}{
		{"unknown session", "POST", "/api/v1/sessions/nobody/events", `{"type":"login"}`, nil, 404, "no-such-session", "name", `no session "nobody"`},
		{"unknown session's messages", "GET", "/api/v1/sessions/nobody/messages", "", nil, 404, "no-such-session", "name", ""},
		{"a name no session can have", "PUT", "/api/v1/sessions/-x", "", nil, 400, "bad-request", "name", "starting with a letter or digit"},
		{"unknown event", "POST", events, `{"type":"incomming","channel":"phone"}`, nil, 400, "unknown-event", "type", `unknown event type "incomming"`},
		{"no type", "POST", events, `{"channel":"phone"}`, nil, 400, "unknown-event", "type", "no type"},
		{"empty body", "POST", events, "", nil, 400, "bad-request", "type", "the body is empty"},
		{"a scenario event", "POST", events, `{"type":"scenario_play","name":"x"}`, nil, 400, "unknown-event", "type", "plays"},
		{"unknown field", "POST", events, `{"type":"incoming","channel":"phone","colour":"red"}`, nil, 400, "bad-request", "colour", `unknown field "colour"`},
		{"field of the wrong type", "POST", events, `{"type":"incoming","channel":5}`, nil, 400, "bad-request", "channel", "channel"},
		{"missing field", "POST", events, `{"type":"accept"}`, nil, 400, "bad-request", "id", "event accept needs id"},
		{"negative delay", "POST", events, `{"type":"delay","command":"detail","ms":-1}`, nil, 400, "bad-request", "ms", "0 or more"},
		{"refused by the engine", "POST", events, `{"type":"accept","id":"nothing"}`, nil, 409, "refused", "", "nothing"},
		{"foreign origin", "POST", events, `{"type":"login"}`, []string{"Origin", "https://evil.example"}, 403, "foreign-origin", "", "https://evil.example"},
		{"foreign origin reading", "GET", "/api/v1/sessions", "", []string{"Origin", "http://localhost:1"}, 403, "foreign-origin", "", ""},
		{"not JSON", "POST", events, `type=login`, []string{"Content-Type", "text/plain"}, 415, "not-json", "", "text/plain"},
		{"no content type", "POST", events, `{"type":"login"}`, []string{"Content-Type", ""}, 415, "not-json", "", "none"},
		{"malformed JSON", "POST", events, `{"type":`, nil, 400, "malformed-json", "", "not JSON"},
		{"not an object", "POST", events, `[1]`, nil, 400, "bad-request", "", ""},
		{"too big", "POST", events, `{"type":"say","id":"x","from":"customer","text":"` + strings.Repeat("a", maxAPIBody) + `"}`, nil, 413, "body-too-large", "", "1048576"},
		{"a body for PUT", "PUT", "/api/v1/sessions/s2", `{"page":true}`, nil, 400, "bad-request", "page", "unknown field"},
		{"wrong method", "PATCH", "/api/v1/sessions/s1", "", nil, 405, "method-not-allowed", "", "DELETE, GET, PUT"},
		{"wrong method on events", "GET", events, "", nil, 405, "method-not-allowed", "", "POST"},
		{"unknown route", "GET", "/api/v1/nothing", "", nil, 404, "no-such-route", "", "/api/v1/nothing"},
		{"unknown route under a session", "GET", "/api/v1/sessions/s1/nothing", "", nil, 404, "no-such-route", "", ""},
		{"the API without its slash", "GET", "/api/v1", "", nil, 404, "no-such-route", "", ""},
		{"bad after", "GET", "/api/v1/sessions/s1/messages?after=-1", "", nil, 400, "bad-request", "after", "log number"},
		{"after past the log", "GET", "/api/v1/sessions/s1/messages?after=100000", "", nil, 400, "bad-request", "after", "past the session's last row"},
		{"bad limit", "GET", "/api/v1/sessions/s1/messages?limit=0", "", nil, 400, "bad-request", "limit", "1 to 1000"},
		{"bad wait", "GET", "/api/v1/sessions/s1/messages?wait=2m", "", nil, 400, "bad-request", "wait", "0s to 1m0s"},
		{"unknown query", "GET", "/api/v1/sessions/s1/messages?since=3", "", nil, 400, "bad-request", "since", "unknown query parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &apiClient{t: t, base: c.base, client: c.client}
			a := c.do(tt.method, tt.path, tt.body, tt.headers...)
			if a.status != tt.status {
				t.Fatalf("%d %s, want %d", a.status, a.raw, tt.status)
			}
			if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			if got, want := a.body["type"], problemBase+tt.slug; got != want {
				t.Errorf("type %v, want %s", got, want)
			}
			if a.body["status"] != float64(tt.status) || a.body["title"] == "" {
				t.Errorf("status %v, title %v", a.body["status"], a.body["title"])
			}
			field, _ := a.body["field"].(string)
			if field != tt.field {
				t.Errorf("field %q, want %q", field, tt.field)
			}
			if detail, _ := a.body["detail"].(string); !strings.Contains(detail, tt.detail) {
				t.Errorf("detail %q, want it to say %q", detail, tt.detail)
			}
			if tt.status == 405 && a.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	unknown := c.do("POST", events, `{"type":"incomming"}`)
	if known, _ := unknown.body["known"].([]any); !slices.Contains(known, any("incoming")) {
		t.Errorf("an unknown event's problem lists %v, want the known types", unknown.body["known"])
	}
	// The panel's own origin passes, as a client without one does.
	c.must(http.StatusOK, "GET", "/api/v1/sessions", "", "Origin", hs.URL)
	// Nothing refused reached the engine.
	var got struct {
		View state.View `json:"view"`
	}
	if err := json.Unmarshal(c.do("GET", "/api/v1/sessions/s1", "").raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.View.Interactions) != 0 {
		t.Errorf("refused requests made interactions: %+v", got.View.Interactions)
	}
	if c.do("GET", "/api/v1/sessions/s2", "").status != 404 {
		t.Error("a refused PUT started its session")
	}
}

// TestAPIDrivesAPage: a page opened at /?session=NAME and the API share
// the session: events sent through the API reach the page, as the view's
// change and as the deliveries to its extensions, and what the page's
// extensions send is in the API's log.
func TestAPIDrivesAPage(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	c := newAPIClient(t, hs)
	p := dial(t, hs, "e2e", 0, true, named)
	list := c.must(http.StatusOK, "GET", "/api/v1/sessions", "")
	if diff := cmp.Diff([]any{map[string]any{"name": "e2e", "page": true, "url": "/?session=e2e"}}, list["sessions"]); diff != "" {
		t.Errorf("GET /api/v1/sessions (-want +got):\n%s", diff)
	}
	c.must(http.StatusOK, "PUT", "/api/v1/sessions/e2e", "")

	call := c.event("e2e", `{"type":"incoming","channel":"phone","cad":{"customer_id":"C-7"}}`)
	c.event("e2e", `{"type":"accept","id":"`+call+`"}`)
	inst := p.instanceOf(call) // the page's view shows the call's instance
	p.ext(inst, `{"id":"i1","type":"init","payload":true}`)
	resp := p.delivery(inst, responseID("i1"))
	if resp["type"] != "response" {
		t.Fatalf("the init's answer: %v", resp)
	}
	p.ext(inst, `{"id":"d1","type":"action","payload":{"command":"detail","value":"user"}}`)
	p.delivery(inst, responseID("d1"))

	// The API's log has the page's extension's messages, in and out.
	var in, out []apiMessage
	after := uint64(0)
	for len(out) < 2 {
		log := c.messages("e2e", "wait=30s&after="+jsonNumber(after))
		after = log.Next
		for _, m := range log.Messages {
			if m.Instance != inst || m.Kind != "message" {
				continue
			}
			var head struct{ ID, Type string }
			_ = json.Unmarshal(m.Message, &head)
			switch {
			case m.Dir == "in" && (head.ID == "i1" || head.ID == "d1"):
				in = append(in, m)
			case m.Dir == "out" && head.Type == "response":
				out = append(out, m)
			}
		}
	}
	if len(in) != 2 || in[0].Key != "crm" || in[0].Interaction != call {
		t.Errorf("the extension's messages in the log: %+v", in)
	}
	if out[1].Answers != in[1].N || out[1].MS == nil {
		t.Errorf("the detail's response answers row %d (%v ms), want %d", out[1].Answers, out[1].MS, in[1].N)
	}

	// DELETE closes the page with why.
	c.must(http.StatusNoContent, "DELETE", "/api/v1/sessions/e2e", "")
	// The extension gets its exit, and then the page the close with why.
	exited := false
	for {
		_, data, err := p.ws.Read(p.ctx)
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			if !strings.Contains(ce.Reason, "control API ended this session") {
				t.Errorf("the page closed with %v %q", ce.Code, ce.Reason)
			}
			break
		}
		if err != nil {
			t.Fatalf("the page's connection ended without a close: %v", err)
		}
		var frames []map[string]any
		_ = json.Unmarshal(data, &frames)
		for _, f := range frames {
			if f["t"] == "d" && f["i"] == inst && f["m"].(map[string]any)["type"] == "exit" {
				exited = true
			}
		}
	}
	if !exited {
		t.Error("the extension got no exit when its session ended")
	}
}

// apiBody is a JSON body for a request.
func apiBody(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
