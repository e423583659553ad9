package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestControlAPIDrivesThePanel: a test opens the real panel at
// /?session=NAME and drives it through the control API alone: a call
// comes in and is accepted, the page shows it, the customer card loads in
// the page and shows the caller data, and the API's expect sees the
// card's init, as a scenario's expect would.
func TestControlAPIDrivesThePanel(t *testing.T) {
	t.Parallel()
	st := startStack(t, demoCard)
	ctx := open(t, st.panel+"/?session=api-e2e", panelReady)
	if got := eval[string](t, ctx, `window.cpsim.session`); got != "api-e2e" {
		t.Fatalf("the page is in session %q, want api-e2e", got)
	}
	api := func(method, path, body string) map[string]any {
		t.Helper()
		req, err := http.NewRequestWithContext(beforeDeadline(t, ctx), method, st.panel+"/api/v1/sessions/api-e2e"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, data, err)
		}
		return out
	}
	if s := api("GET", "", ""); s["page"] != true {
		t.Fatalf("the API says no page shows the session: %v", s)
	}
	call, _ := api("POST", "/events", `{"type":"incoming","channel":"phone","cad":{"customer_id":"C-4242","customer_name":"Testi Asiakas"}}`)["created"].(string)
	if call == "" {
		t.Fatal("incoming created no interaction")
	}
	api("POST", "/events", fmt.Sprintf(`{"type":"accept","id":%q}`, call))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector(%q + '[data-status="accepted"]')`, card(call)))
	inst := instanceOf(t, ctx, call, "customer-card")

	got := api("POST", "/expect", `{"from":"customer-card","message":{"type":"init"},"within":"60s"}`)
	if m, _ := got["message"].(map[string]any); m["instance"] != inst || m["interaction"] != call {
		t.Errorf("expect the card's init: %v, want from %s on %s", got, inst, call)
	}
	ext := frame(t, ctx, inst)
	frameWait(t, ext, `document.querySelector('[data-testid="customer-name"]').textContent.includes("Testi Asiakas")`)
	frameWait(t, ext, `document.querySelector('[data-testid="customer-sub"]').textContent.includes("C-4242")`)

	// The page's inspector and the API's log are one log.
	row := waitRow(t, ctx, fmt.Sprintf(`r.dir === "in" && r.i === %q && m.type === "init"`, inst))
	if n := got["message"].(map[string]any)["n"]; n != row["n"] {
		t.Errorf("the API's init is row %v, the inspector's %v", n, row["n"])
	}
}
