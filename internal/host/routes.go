package host

import (
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cpsim/cpsim/web"
)

func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(CheckHost(s.hosts))
	r.Use(cleanDoubleSlash)

	// GET / - the panel page
	r.Get("/", s.handlePage)

	// GET /static/* - the page's script and styles
	static, _ := fs.Sub(s.assets, "static") // checked in New
	files := http.StripPrefix("/static/", web.FileServer(static))
	r.Get("/static/*", func(w http.ResponseWriter, r *http.Request) {
		// Assets change with the binary and, with -dev, on disk: always
		// revalidate rather than run a stale script against a new server.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})

	// GET /ws - the relay: one websocket per page, each with its own session
	r.Get("/ws", s.handleWS)

	// The embedded panel, as a CRM embeds it with CPC.js (embed.go):
	// GET /ecf/latest/communicationpanel/embedded.html and embedded_sso.html -
	// the panel in a CRM's iframe, at the path CPC.load builds from
	// tenantBaseUrl (query parameters ignored)
	r.Get("/ecf/latest/communicationpanel/embedded.html", s.handleEmbedded)
	r.Get("/ecf/latest/communicationpanel/embedded_sso.html", s.handleEmbedded)
	// GET /embedded.html, /embedded_sso.html - the same, where CPC.load
	// loads it when the CRM page has ?devTenant=URL (tenantBaseUrl + "/" +
	// file: the double slash is cleaned first, below)
	r.Get("/embedded.html", s.handleEmbedded)
	r.Get("/embedded_sso.html", s.handleEmbedded)
	// POST, DELETE, OPTIONS /ecfs/authentication/ - log the CRM's user in
	// (a cookie) and out, with CORS for the CRM's origin
	r.Options("/ecfs/authentication/", s.preflight("POST, DELETE"))
	r.Post("/ecfs/authentication/", s.handleAuth)
	r.Delete("/ecfs/authentication/", s.handleAuth)
	// GET, PUT, OPTIONS /ecfs/RI/* - the Restful Interfaces of CPC.RI.request:
	// RMI presences and readyState on the login's session (ri.go); any
	// other call 404 with a JSON body saying cpsim does not simulate it
	r.HandleFunc("/ecfs/RI/*", s.handleRI)

	// The control API (api*.go, docs/api.md): a test drives a session by
	// name; every route refuses a foreign Origin and answers problems as
	// application/problem+json.
	api := s.newAPI()
	// GET /api/v1/ - cpsim's version, and where the sessions are
	api.handle("GET", "/api/v1/", s.apiRoot)
	// GET /api/v1/openapi.yaml - the API's OpenAPI 3.1 description (docs/openapi.yaml)
	api.handle("GET", "/api/v1/openapi.yaml", s.apiOpenAPI)
	// GET /api/v1/sessions - the sessions cpsim holds, and whether a page shows each
	api.handle("GET", "/api/v1/sessions", s.apiListSessions)
	// PUT /api/v1/sessions/{name} - start a session by name (201), or find it (200)
	api.handle("PUT", "/api/v1/sessions/{name}", s.apiPutSession)
	// GET /api/v1/sessions/{name} - the session: its view (agent, queues,
	// interactions, instances and their phases) and its scenario
	api.handle("GET", "/api/v1/sessions/{name}", s.apiGetSession)
	// DELETE /api/v1/sessions/{name} - end the session now
	api.handle("DELETE", "/api/v1/sessions/{name}", s.apiDeleteSession)
	// POST /api/v1/sessions/{name}/events - an event of the panel's
	// vocabulary, as the page's e frame carries it
	api.handle("POST", "/api/v1/sessions/{name}/events", s.apiEvent)
	// GET /api/v1/sessions/{name}/messages - the log's rows after a cursor:
	// a long poll (wait), or server-sent events (Accept: text/event-stream)
	api.handle("GET", "/api/v1/sessions/{name}/messages", s.apiMessages)
	// POST /api/v1/sessions/{name}/expect - wait for a message from the
	// extensions that matches a pattern, as a scenario's expect step does
	api.handle("POST", "/api/v1/sessions/{name}/expect", s.apiExpect)
	// POST /api/v1/sessions/{name}/plays - play a scenario (a name, or YAML) in the session
	api.handle("POST", "/api/v1/sessions/{name}/plays", s.apiStartPlay)
	// GET /api/v1/sessions/{name}/plays/{id} - how the play goes, or its
	// result as cpsim test reports it (wait: a long poll while it plays)
	api.handle("GET", "/api/v1/sessions/{name}/plays/{id}", s.apiGetPlay)
	api.mount(r)

	// GET /healthz - for scripts and containers that wait for cpsim to start
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return r
}

// cleanDoubleSlash routes a path that starts with "//" as the path with
// one slash: CPC.load with ?devTenant builds the panel's URL as
// tenantBaseUrl + "/embedded.html", and tenantBaseUrl ends with a slash.
func cleanDoubleSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "//") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + strings.TrimLeft(r.URL.Path, "/")
			r2.URL.RawPath = ""
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

// handlePage serves host.html with a strict Content-Security-Policy for the
// page's own scripts, styles and connections. Its frame-src allows any
// http(s) page: an extension's frame may pass through its identity
// provider's sign-in pages on other origins (a single sign-on redirect),
// which the production panel cannot know of and does not block. Which
// frame may talk to the panel is checked per message instead, by
// event.source and event.origin.
func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, "'none'")
}

// servePage serves host.html, read once unless dev, with the page's
// headers; ancestors is the CSP's frame-ancestors: 'none' for the full
// panel, the allowed CRM origins for the embedded one.
func (s *Server) servePage(w http.ResponseWriter, ancestors string) {
	page := s.page
	if s.dev {
		var err error
		if page, err = fs.ReadFile(s.assets, "host.html"); err != nil {
			http.Error(w, "read host.html: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "origin") // extensions see the panel's origin, as the seed expects
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; frame-src http: https:; frame-ancestors "+ancestors+"; base-uri 'none'; form-action 'none'")
	_, _ = w.Write(page)
}

// CheckHost refuses requests for host names other than hosts (lower
// case, IPv6 without brackets), with 421 Misdirected Request and how to
// open cpsim instead; empty hosts lets any through. A page on another
// site can make a browser resolve its own name to 127.0.0.1 (DNS
// rebinding) and then read cpsim as same-origin; the Host header still
// carries that other name. The panel and the demos' listener both use it.
func CheckHost(hosts []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(hosts) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host := r.Host
			if h, _, err := net.SplitHostPort(r.Host); err == nil {
				host = h
			}
			if !slices.Contains(hosts, strings.ToLower(strings.Trim(host, "[]"))) {
				port := "" // the listener's, for the addresses to give instead
				if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
					if _, p, err := net.SplitHostPort(a.String()); err == nil {
						port = ":" + p
					}
				}
				http.Error(w, "cpsim does not answer to the host name "+r.Host+
					" (a defence against DNS rebinding); open it as http://127.0.0.1"+port+" or http://localhost"+port+", "+
					"or start cpsim with -allowed-host and that name", http.StatusMisdirectedRequest)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
