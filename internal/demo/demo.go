// Package demo serves cpsim's demo extensions the way the seed's
// Configuration chapter tells an extension's server to behave: it sends no
// X-Frame-Options, lets only the panel frame its pages (Content-Security-
// Policy: frame-ancestors), and answers the panel's CORS requests. Served on
// a second listener, on another site than the panel, the demos meet the
// browser exactly as a customer's extension does in production.
package demo

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// Tested is what cpsim test loads when it is given no extension: the demos
// that behave well, the customer card and the activity monitor. The seed's
// examples throw on the panel's exit, as they would in production
// (docs/spec-notes.md), which would fail every scenario.
func Tested(base string) []state.ExtensionData {
	var out []state.ExtensionData
	for _, e := range Extensions(base) {
		if e.Key == "customer-card" || e.Key == "activity" {
			out = append(out, e)
		}
	}
	return out
}

// Extensions is what cpsim loads when nothing else is configured: the
// customer card (shown), the seed's two examples (loaded, not expanded) for
// every queue, and the activity monitor, global. base is the demos' URL.
func Extensions(base string) []state.ExtensionData {
	no := false
	return []state.ExtensionData{
		{Key: "customer-card", Text: "Customer card", Icon: "sap-icon://customer", URL: base + "/customer-card.html"},
		{Key: "seed-full", Text: "API explorer (seed example)", Icon: "sap-icon://syntax", URL: base + "/seed-full.html", Expanded: &no},
		{Key: "seed-simple", Text: "Simple (seed example)", Icon: "sap-icon://hint", URL: base + "/seed-simple.html", Expanded: &no},
		{Key: "activity", Text: "Activity log", URL: base + "/activity.html", Mode: string(state.ModeGlobal)},
	}
}

// New serves files (web/demo) to pages framed by one of panelOrigins. It
// lists no directory (web.FileServer); internal/server puts the panel's
// Host check (host.CheckHost) in front of it.
func New(files fs.FS, panelOrigins []string) http.Handler {
	// 'self' too: the demo CRM (crm.html) is on this listener, and an
	// extension in an embedded panel is framed under the CRM as well;
	// frame-ancestors checks every ancestor, not only the parent.
	ancestors := "'self' " + strings.Join(panelOrigins, " ")
	static := web.FileServer(files) // no directory listings
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "frame-ancestors "+ancestors)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if o := r.Header.Get("Origin"); slices.Contains(panelOrigins, o) {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		static.ServeHTTP(w, r)
	})
	// GET /cookies/set - sets one cookie of each kind the seed's
	// Configuration chapter discusses, for the cookies demo to see which
	// come back from inside the panel.
	mux.HandleFunc("GET /cookies/set", func(w http.ResponseWriter, r *http.Request) {
		for _, c := range probeCookies {
			w.Header().Add("Set-Cookie", c.header)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
	// GET /cookies/echo - which of them the browser sent back.
	mux.HandleFunc("GET /cookies/echo", func(w http.ResponseWriter, r *http.Request) {
		got := map[string]bool{}
		for _, c := range probeCookies {
			_, err := r.Cookie(c.name)
			got[c.name] = err == nil
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(got)
	})
	return mux
}

// probeCookies are the cookies of the cookies demo: the browser's default
// (Lax), an explicit Lax, and the SameSite=None; Secure the seed tells
// extensions to use. Secure cookies are allowed on http://localhost, a
// potentially trustworthy origin.
var probeCookies = []struct{ name, header string }{
	{"cpsim_default", "cpsim_default=1; Path=/"},
	{"cpsim_lax", "cpsim_lax=1; Path=/; SameSite=Lax"},
	{"cpsim_none", "cpsim_none=1; Path=/; SameSite=None; Secure"},
}
