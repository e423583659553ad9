package host

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestAPIExpect: expect answers the first message of the extensions after
// the cursor that matches the pattern, by a scenario's rules, as soon as
// it comes; with none within its time, 422 with the closest; a bad
// pattern, from or within is 400 naming the field.
func TestAPIExpect(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		c := pipeAPI(t, pp)
		p := dialWith(t, pp.URL, pp.client, "ex", 0, true, named)
		call := c.event("ex", `{"type":"incoming","channel":"phone"}`)
		c.event("ex", `{"type":"accept","id":"`+call+`"}`)
		inst := p.instanceOf(call)
		p.ext(inst, `{"id":"i1","type":"init","payload":true}`)
		p.delivery(inst, responseID("i1"))
		p.ext(inst, `{"id":"d1","type":"action","payload":{"command":"detail","value":"user"}}`)
		p.delivery(inst, responseID("d1"))

		expect := func(body string) apiAnswer { return c.do("POST", "/api/v1/sessions/ex/expect", body) }
		a := expect(`{"from":"crm","message":{"type":"action","payload":{"command":"detail"}}}`)
		var got struct{ Message apiMessage }
		if err := json.Unmarshal(a.raw, &got); a.status != http.StatusOK || err != nil {
			t.Fatalf("expect a detail: %d %s", a.status, a.raw)
		}
		if m := got.Message; m.Instance != inst || m.Key != "crm" || m.Interaction != call || m.Dir != "in" || !strings.Contains(string(m.Message), `"d1"`) {
			t.Errorf("expect a detail answered %+v", m)
		}

		// After it, the next detail: the one the page sends 2 s later.
		go func() {
			time.Sleep(2 * time.Second)
			p.ext(inst, `{"id":"d2","type":"action","payload":{"command":"detail","value":"interactions"}}`)
		}()
		start := time.Now()
		a = expect(apiBody(t, map[string]any{"message": map[string]any{"type": "action", "payload": map[string]any{"command": "detail"}}, "after": got.Message.N}))
		if a.status != http.StatusOK || !strings.Contains(string(a.raw), `"d2"`) || time.Since(start) != 2*time.Second {
			t.Errorf("expect after %d: %d %s after %v, want d2 after 2s", got.Message.N, a.status, a.raw, time.Since(start))
		}

		// None within 3s: 422 with the closest.
		start = time.Now()
		a = expect(`{"from":"crm","message":{"type":"action","payload":{"command":"transfer"}},"within":"3s"}`)
		if a.status != http.StatusUnprocessableEntity || time.Since(start) != 3*time.Second {
			t.Fatalf("an expect none meets: %d %s after %v, want 422 after 3s", a.status, a.raw, time.Since(start))
		}
		closest, _ := a.body["closest"].([]any)
		if len(closest) == 0 || !strings.Contains(closest[0].(string), "from "+inst) || a.body["type"] != problemBase+"no-match" {
			t.Errorf("the 422: %s", a.raw)
		}
		if d := a.body["detail"].(string); !strings.Contains(d, `{"payload":{"command":"transfer"},"type":"action"}`) || !strings.Contains(d, "within 3s") {
			t.Errorf("the 422 says %q", d)
		}

		for _, tt := range []struct{ name, body, field, detail string }{
			{"a type the API lacks", `{"message":{"type":"actoin"}}`, "message", `message:1:9: type "actoin" is not allowed`},
			{"a key patterns lack", `{"message":{"type":"action","within":"3s"}}`, "message", `unknown key "within"`},
			{"a command the API lacks", `{"message":{"payload":{"command":"detial"}}}`, "message", "detial"},
			{"a pattern that matches all", `{"message":{}}`, "message", "matches every message"},
			{"no pattern", `{"from":"crm"}`, "message", "give the message's pattern"},
			{"an unknown extension", `{"from":"crn","message":{"type":"init"}}`, "from", `no extension has the key "crn": the keys are bg, crm, host`},
			{"a bad within", `{"message":{"type":"init"},"within":"forever"}`, "within", "forever"},
			{"a within too long", `{"message":{"type":"init"},"within":"2m"}`, "within", "1m0s"},
			{"an unknown field", `{"message":{"type":"init"},"in":"call1"}`, "in", "unknown field"},
			{"a cursor past the log", `{"message":{"type":"init"},"after":99999}`, "after", "past the session's last row"},
		} {
			a := expect(tt.body)
			field, _ := a.body["field"].(string)
			detail, _ := a.body["detail"].(string)
			if a.status != http.StatusBadRequest || field != tt.field || !strings.Contains(detail, tt.detail) {
				t.Errorf("%s: %d %s, want 400 on %s saying %q", tt.name, a.status, a.raw, tt.field, tt.detail)
			}
		}
	})
}

// TestAPIPlays: a scenario played through the API, as YAML or by name,
// runs in the session, and its result comes as cpsim test reports it;
// one plays at a time; a YAML mistake is 400 with its file:line.
func TestAPIPlays(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, pp := newPipeServer(t)
		c := pipeAPI(t, pp)
		c.must(http.StatusCreated, "PUT", "/api/v1/sessions/pl", "")
		yaml := "name: a call\nsteps:\n  - incoming: {as: call1, channel: phone}\n  - accept: call1\n  - wait: 2s\n  - hangup: call1\n"
		a := c.do("POST", "/api/v1/sessions/pl/plays", apiBody(t, map[string]any{"yaml": yaml}))
		if a.status != http.StatusAccepted || a.body["state"] != "playing" || a.body["id"] != "1" || a.header.Get("Location") != "/api/v1/sessions/pl/plays/1" {
			t.Fatalf("POST plays: %d %s", a.status, a.raw)
		}
		busy := c.do("POST", "/api/v1/sessions/pl/plays", apiBody(t, map[string]any{"yaml": yaml}))
		if busy.status != http.StatusConflict || busy.body["type"] != problemBase+"playing" {
			t.Errorf("a second play while one plays: %d %s", busy.status, busy.raw)
		}
		start := time.Now()
		var pl apiPlayView
		if err := json.Unmarshal(c.do("GET", "/api/v1/sessions/pl/plays/1?wait=60s", "").raw, &pl); err != nil {
			t.Fatal(err)
		}
		if pl.State != "passed" || pl.Report == nil || !pl.Report.Passed || time.Since(start) != 2*time.Second {
			t.Fatalf("the play after %v: %+v", time.Since(start), pl)
		}
		if n := len(pl.Report.Steps); n != 4 || pl.Report.Steps[2].Text != "wait: 2s" || pl.Report.Steps[2].Elapsed != "2s" {
			t.Errorf("the report's steps: %+v", pl.Report.Steps)
		}
		if want := "PASS yaml (2.0s)"; pl.Report.Summary != want {
			t.Errorf("summary %q, want %q", pl.Report.Summary, want)
		}
		var sess struct{ Scenario apiScenario }
		if err := json.Unmarshal(c.do("GET", "/api/v1/sessions/pl", "").raw, &sess); err != nil || sess.Scenario.State != "passed" || sess.Scenario.Name != "a call" {
			t.Errorf("the session's scenario: %+v (%v)", sess.Scenario, err)
		}

		// An expect no extension meets fails, with why.
		failing := "name: waits in vain\nsteps:\n  - expect: {type: action, within: 1s}\n"
		c.must(http.StatusAccepted, "POST", "/api/v1/sessions/pl/plays", apiBody(t, map[string]any{"yaml": failing}))
		if err := json.Unmarshal(c.do("GET", "/api/v1/sessions/pl/plays/2?wait=60s", "").raw, &pl); err != nil {
			t.Fatal(err)
		}
		if pl.State != "failed" || !strings.Contains(pl.Error, "yaml:3: expect: {type: action, within: 1s}: expected the extension to send") ||
			pl.Report == nil || pl.Report.Passed || !strings.HasPrefix(pl.Report.Summary, "FAIL yaml") {
			t.Errorf("the failing play: %+v %+v", pl, pl.Report)
		}

		for _, tt := range []struct{ name, body, field, detail string }{
			{"a YAML mistake", apiBody(t, map[string]any{"yaml": "name: x\nsteps:\n  - acept: call1\n"}), "yaml", `yaml:3:5: unknown step "acept"`},
			{"an unknown scenario", `{"scenario":"nothing"}`, "scenario", `no scenario is called "nothing"`},
			{"neither", `{"speed":2}`, "scenario", "one of them"},
			{"both", `{"scenario":"x","yaml":"y"}`, "scenario", "one of them"},
			{"a bad speed", `{"scenario":"x","speed":0}`, "speed", "more than 0"},
		} {
			a := c.do("POST", "/api/v1/sessions/pl/plays", tt.body)
			field, _ := a.body["field"].(string)
			detail, _ := a.body["detail"].(string)
			if a.status != http.StatusBadRequest || field != tt.field || !strings.Contains(detail, tt.detail) {
				t.Errorf("%s: %d %s, want 400 on %s saying %q", tt.name, a.status, a.raw, tt.field, tt.detail)
			}
		}
		if a := c.do("GET", "/api/v1/sessions/pl/plays/9", ""); a.status != http.StatusNotFound || a.body["field"] != "id" {
			t.Errorf("an unknown play: %d %s", a.status, a.raw)
		}
		if a := c.do("GET", "/api/v1/sessions/pl/plays/1?wait=forever", ""); a.status != http.StatusBadRequest || a.body["field"] != "wait" {
			t.Errorf("a bad wait: %d %s", a.status, a.raw)
		}
	})
}
