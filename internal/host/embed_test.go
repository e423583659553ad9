package host

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// request makes a request to the panel as a CRM's browser would: from
// origin (none when ""), with the headers given as name, value pairs.
func request(t *testing.T, hs *httptest.Server, method, path, origin, body string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// basicBody is the body CPC.js's authenticate_basic posts: encodeURI of
// "Authorization=Basic " and the base64, which leaves '+', '/' and '='
// as they are and the space as %20.
func basicBody(user, pass string) string {
	return "Authorization=Basic%20" + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// TestEmbeddedPagePaths: the panel is served where CPC.load embeds it,
// with the query parameters CPC adds, also at the devTenant paths, and may
// be framed only by the allowed CRM origins.
func TestEmbeddedPagePaths(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	for _, path := range []string{
		"/ecf/latest/communicationpanel/embedded.html?salesforce=true",
		"/ecf/latest/communicationpanel/embedded_sso.html?salesforce=true&responsive=true&denyPopout=true&minWidth=400&minHeight=600&sap-ui-debug=true",
		"/embedded.html?salesforce=true",
		"//embedded.html?salesforce=true",
		"//embedded_sso.html?salesforce=true",
	} {
		resp := request(t, hs, "GET", path, "", "")
		body := readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "<title>cpsim</title>") {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, body)
			continue
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'self' http://127.0.0.1:* ") || !strings.Contains(csp, "http://localhost:*") {
			t.Errorf("GET %s: CSP %q does not let loopback CRMs frame it", path, csp)
		}
	}
	_, only := newTestServer(t, func(c *Config) { c.EmbedOrigins = []string{"https://crm.example.com"} })
	resp := request(t, only, "GET", "/ecf/latest/communicationpanel/embedded.html", "", "")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://crm.example.com;") {
		t.Errorf("with -embed-origin, CSP %q", csp)
	}
	if resp := request(t, hs, "GET", "/ecf/latest/communicationpanel/other.html", "", ""); resp.StatusCode != 404 {
		t.Errorf("another file of the panel's directory: %d, want 404", resp.StatusCode)
	}
}

// TestAuthentication: both of CPC.js's forms log in and set the cookie
// with SameSite=None; Secure, with CORS for a credentialed call; DELETE
// logs out and expires it; what is not a login is refused with why.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	const crm = "http://localhost:3000"
	const path = "/ecfs/authentication/"

	// Preflight, as Chromium sends it for CPC's fetch.
	resp := request(t, hs, "OPTIONS", path, crm, "",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	got := map[string]string{}
	for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
		got[h] = resp.Header.Get(h)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":      crm,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "POST, DELETE",
		"Access-Control-Allow-Headers":     "Authorization, Content-Type",
	}
	if resp.StatusCode != http.StatusNoContent || !cmp.Equal(got, want) {
		t.Errorf("preflight: %d %s", resp.StatusCode, cmp.Diff(want, got))
	}

	tests := []struct {
		name     string
		headers  []string
		body     string
		wantCode int
		wantText string // in the body
	}{
		{"ECFAuth with a Basic form body", []string{"Authorization", "ECFAuth", "Content-Type", "application/x-www-form-urlencoded"},
			basicBody("agent", "p>?>?s"), 200, `"user":"agent"`}, // base64 with '+' and '/'
		{"Bearer", []string{"Authorization", "Bearer eyJ.abc.def", "Content-Type", "application/json"}, "", 200, `"user":"oauth"`},
		{"no Authorization", nil, basicBody("agent", "pw"), 401, "no Authorization header"},
		{"empty bearer", []string{"Authorization", "Bearer "}, "", 401, "bearer token is empty"},
		{"another scheme", []string{"Authorization", "Digest x"}, "", 401, `unknown Authorization scheme \"Digest\"`},
		{"ECFAuth without the field", []string{"Authorization", "ECFAuth"}, "user=agent", 401, "the body must be"},
		{"ECFAuth with bad base64", []string{"Authorization", "ECFAuth"}, "Authorization=Basic%20!!!", 401, "not base64"},
		{"ECFAuth without a password", []string{"Authorization", "ECFAuth"}, basicBody("agent", ""), 401, "both not empty"},
		{"ECFAuth with a huge body", []string{"Authorization", "ECFAuth"}, "Authorization=Basic%20" + strings.Repeat("A", 20000), 401, "more than 16384 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := request(t, hs, "POST", path, crm, tc.body, tc.headers...)
			body := readBody(t, resp)
			if resp.StatusCode != tc.wantCode || !strings.Contains(body, tc.wantText) {
				t.Fatalf("%d %s, want %d and %q", resp.StatusCode, body, tc.wantCode, tc.wantText)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != crm || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
				t.Errorf("CORS headers: %v", resp.Header)
			}
			cookie := resp.Header.Get("Set-Cookie")
			if tc.wantCode != 200 {
				if cookie != "" {
					t.Errorf("a refused login set a cookie: %s", cookie)
				}
				return
			}
			for _, part := range []string{"cpsim_embed_" + strings.TrimPrefix(hs.URL[strings.LastIndex(hs.URL, ":"):], ":") + "=", "Path=/", "HttpOnly", "Secure", "SameSite=None"} {
				if !strings.Contains(cookie, part) {
					t.Errorf("Set-Cookie %q lacks %s", cookie, part)
				}
			}
			// Logging out forgets the login and expires the cookie.
			c := resp.Cookies()[0]
			out := request(t, hs, "DELETE", path, crm, "", "Cookie", c.Name+"="+c.Value)
			if b := readBody(t, out); out.StatusCode != 200 || !strings.Contains(b, `"loggedOut":true`) {
				t.Errorf("logout: %d %s", out.StatusCode, b)
			}
			if sc := out.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("logout's Set-Cookie %q does not expire the cookie", sc)
			}
			again := request(t, hs, "DELETE", path, crm, "", "Cookie", c.Name+"="+c.Value)
			if b := readBody(t, again); again.StatusCode != 200 || !strings.Contains(b, `"loggedOut":false`) {
				t.Errorf("second logout: %d %s", again.StatusCode, b)
			}
		})
	}
}

// TestEmbedOrigins: by default any loopback origin may call; with
// -embed-origin only those named, and a foreign origin is refused with a
// body that says how to allow it, and no CORS headers.
func TestEmbedOrigins(t *testing.T) {
	t.Parallel()
	_, loop := newTestServer(t)
	_, named := newTestServer(t, func(c *Config) { c.EmbedOrigins = []string{"https://crm.example.com"} })
	tests := []struct {
		hs     *httptest.Server
		origin string
		ok     bool
	}{
		{loop, "http://localhost:3000", true},
		{loop, "http://127.0.0.1:5173", true},
		{loop, "https://[::1]:8443", true},
		{loop, "http://app.localhost:3000", true},
		{loop, "https://crm.example.com", false},
		{loop, "null", false},
		{named, "https://crm.example.com", true},
		{named, "https://CRM.example.com", true},
		{named, "http://localhost:3000", false},
		{named, "https://evil.example.com", false},
	}
	for _, tc := range tests {
		for _, m := range []string{"OPTIONS", "POST"} {
			resp := request(t, tc.hs, m, "/ecfs/authentication/", tc.origin, basicBody("a", "b"),
				"Authorization", "ECFAuth", "Access-Control-Request-Method", "POST")
			body := readBody(t, resp)
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if tc.ok && (resp.StatusCode >= 300 || acao != tc.origin) {
				t.Errorf("%s from %s: %d, ACAO %q: want it allowed", m, tc.origin, resp.StatusCode, acao)
			}
			if !tc.ok && (resp.StatusCode != 403 || acao != "" || !strings.Contains(body, "-embed-origin "+tc.origin)) {
				t.Errorf("%s from %s: %d, ACAO %q, %s: want 403 saying how to allow it", m, tc.origin, resp.StatusCode, acao, body)
			}
			if !tc.ok && resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("%s from %s set a cookie", m, tc.origin)
			}
		}
	}
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, err string }{
		{"https://CRM.example.com", "https://crm.example.com", ""},
		{"http://localhost:3000/", "http://localhost:3000", ""},
		{"crm.example.com", "", "not an http or https origin"},
		{"ftp://x", "", "not an http or https origin"},
		{"https://crm.example.com/app", "", "write it as https://crm.example.com"},
	}
	for _, tc := range tests {
		got, err := NormalizeOrigin(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// decodeJSON reads a response body as JSON.
func decodeBody(t *testing.T, resp *http.Response) any {
	t.Helper()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("the body is not JSON: %v", err)
	}
	return v
}
