package host

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/state"
)

// The embedded panel's HTTP surface: what a CRM that embeds the panel with
// Sinch's CPC.js asks of the tenant (docs/spec-notes.md, "The embedded
// panel"). The CRM is on another site and calls with credentials, so every
// answer to it carries CORS headers for its origin, and the login is a
// cookie with SameSite=None; Secure.

// embedCookie is the name of the login cookie the authentication endpoint
// sets, which ties a CRM's RI calls to its embedded panel's session:
// cpsim_embed, then the port cpsim was reached at. Browsers keep cookies
// by host, not by port, so two cpsims on one machine (or two test
// servers) would otherwise overwrite each other's logins.
func embedCookie(r *http.Request) string {
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		return "cpsim_embed_" + port
	}
	return "cpsim_embed"
}

// maxLogins bounds the logins remembered at once: each POST to the
// authentication endpoint makes one, and a script that logs in in a loop
// must not grow the server for ever. The oldest is forgotten first.
const maxLogins = 1000

// maxAuthBody bounds the authentication request's body, in bytes: it holds
// one form field.
const maxAuthBody = 16 << 10

// embedState is the server's part of embedding: which CRM origins may
// embed, and the logins their authentication made.
type embedState struct {
	origins []string // exact origins allowed; empty: any loopback origin

	mu     sync.Mutex
	logins map[string]*embedLogin // by cookie token
	order  []string               // tokens, oldest first
}

// embedLogin is one authentication: who, and the session of the embedded
// panel that the CRM opened with it (empty until its page connects).
type embedLogin struct {
	user    string
	session string
}

func newEmbedState(origins []string) *embedState {
	return &embedState{origins: origins, logins: map[string]*embedLogin{}}
}

// EmbedOriginsText says which CRM origins may embed the panel, for the
// log at start.
func EmbedOriginsText(origins []string) string {
	if len(origins) == 0 {
		return "any loopback origin (http or https on 127.0.0.1 or localhost, any port; [::1] may call but not frame the panel, since a CSP source cannot name an IPv6 address); set -embed-origin to name others"
	}
	return strings.Join(origins, ", ")
}

// NormalizeOrigin checks an origin given to -embed-origin and returns it
// as browsers send it: scheme://host[:port], lower case, without a path;
// an error says what is wrong with it.
func NormalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil {
		return "", fmt.Errorf("embed origin %q: %w", o, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("embed origin %q is not an http or https origin such as https://crm.example.com", o)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("embed origin %q has more than a scheme, a host and a port: write it as %s://%s", o, u.Scheme, u.Host)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// allowed reports whether a CRM at origin may embed the panel and call its
// endpoints: one of the configured origins, or with none configured, a
// loopback origin.
func (e *embedState) allowed(origin string) bool {
	if len(e.origins) > 0 {
		return slices.Contains(e.origins, strings.ToLower(origin))
	}
	return loopbackOrigin(origin)
}

// loopbackOrigin reports whether origin is http(s) on a loopback name.
func loopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// frameAncestors is the CSP source list of the pages that may frame the
// embedded panel. A CSP source cannot name an IPv6 address (Chromium
// reports "does not support the source expression 'http://[::1]:*'" and
// ignores it), so a CRM at http://[::1] cannot embed the panel; its API
// calls are allowed (allowed), and it may be opened at localhost instead.
func (e *embedState) frameAncestors() string {
	if len(e.origins) > 0 {
		var list []string
		for _, o := range e.origins {
			if !strings.Contains(o, "[") {
				list = append(list, o)
			}
		}
		return strings.Join(list, " ")
	}
	return "http://127.0.0.1:* https://127.0.0.1:* http://localhost:* https://localhost:*"
}

// login remembers a new login and returns its token.
func (e *embedState) login(user string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.order) >= maxLogins {
		delete(e.logins, e.order[0])
		e.order = e.order[1:]
	}
	e.logins[tok] = &embedLogin{user: user}
	e.order = append(e.order, tok)
	return tok
}

// logout forgets a login; it reports whether there was one.
func (e *embedState) logout(tok string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.logins[tok]; !ok {
		return false
	}
	delete(e.logins, tok)
	e.order = slices.DeleteFunc(e.order, func(t string) bool { return t == tok })
	return true
}

// bind records that the embedded panel opened with login tok runs in
// session; an unknown token binds nothing.
func (e *embedState) bind(tok, session string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l := e.logins[tok]; l != nil {
		l.session = session
	}
}

// sessionOf returns the session bound to a login, and whether the login
// is known.
func (e *embedState) sessionOf(tok string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.logins[tok]
	if l == nil {
		return "", false
	}
	return l.session, true
}

// loginToken is the request's login cookie, or "".
func loginToken(r *http.Request) string {
	c, err := r.Cookie(embedCookie(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// cors answers for a CRM's origin: it sets the CORS headers of a
// credentialed response when the request's Origin may embed the panel, and
// refuses it (403, with a JSON body saying how to allow it) when it may
// not. A request with no Origin header is no browser's cross-site call
// (curl, a test): it is let through without CORS headers. It reports
// whether the handler may go on.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin == "" {
		return true
	}
	if !s.embed.allowed(origin) {
		s.log.Warn("embedding refused: origin not allowed", "origin", origin, "path", r.URL.Path)
		writeJSON(w, http.StatusForbidden, map[string]any{
			"error": fmt.Sprintf("origin %s may not embed cpsim's panel: cpsim allows %s (start cpsim with -embed-origin %s to allow it)",
				origin, EmbedOriginsText(s.embed.origins), origin),
		})
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	return true
}

// preflight answers a CORS preflight (OPTIONS) for a CRM's origin: the
// methods and headers CPC.js sends. Chromium's Private Network Access
// preflight (a public site calling loopback) is allowed too.
func (s *Server) preflight(methods string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.cors(w, r) {
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Methods", methods)
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		h.Set("Access-Control-Max-Age", "600")
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			h.Set("Access-Control-Allow-Private-Network", "true")
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// handleAuth logs a CRM's user in (POST) or out (DELETE), as the tenant's
// ecfs/authentication/ does for CPC.js's authenticate_basic,
// authenticate_token and unload. Any user name and password, and any
// bearer token, are accepted: cpsim has one agent, from its
// configuration, and checks no credentials. A login sets the cookie that
// ties the CRM's RI calls to its embedded panel.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	if !s.cors(w, r) {
		return
	}
	if r.Method == http.MethodDelete {
		tok := loginToken(r)
		was := tok != "" && s.embed.logout(tok)
		http.SetCookie(w, &http.Cookie{Name: embedCookie(r), Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode})
		s.log.Info("embedded panel: logged out", "known", was)
		writeJSON(w, http.StatusOK, map[string]any{"loggedOut": was})
		return
	}
	user, err := authUser(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="cpsim"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": err.Error()})
		return
	}
	tok := s.embed.login(user)
	http.SetCookie(w, &http.Cookie{Name: embedCookie(r), Value: tok, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode})
	s.log.Info("embedded panel: logged in", "user", user)
	writeJSON(w, http.StatusOK, map[string]any{"user": user})
}

// authUser reads who logs in from either of CPC.js's forms: the header
// "Authorization: ECFAuth" with the form body "Authorization=Basic
// <base64 of user:password>" (authenticate_basic, which encodes the body
// with encodeURI, so a '+' of the base64 stays a '+'), or "Authorization:
// Bearer <token>" (authenticate_token). The user of a token is "oauth".
func authUser(r *http.Request) (string, error) {
	authz := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, rest, _ := strings.Cut(authz, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		if strings.TrimSpace(rest) == "" {
			return "", fmt.Errorf("the bearer token is empty")
		}
		return "oauth", nil
	case strings.EqualFold(authz, "ECFAuth"):
	case authz == "":
		return "", fmt.Errorf(`no Authorization header: send "Authorization: ECFAuth" with the form body "Authorization=Basic <base64 of user:password>", or "Authorization: Bearer <token>"`)
	default:
		return "", fmt.Errorf(`unknown Authorization scheme %q: send ECFAuth (with a form body) or Bearer`, scheme)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAuthBody+1))
	if err != nil {
		return "", fmt.Errorf("read the body: %w", err)
	}
	if len(body) > maxAuthBody {
		return "", fmt.Errorf("the body is more than %d bytes: it holds one field, Authorization=Basic ...", maxAuthBody)
	}
	field, ok := strings.CutPrefix(strings.TrimSpace(string(body)), "Authorization=")
	if !ok {
		return "", fmt.Errorf(`with "Authorization: ECFAuth", the body must be "Authorization=Basic <base64 of user:password>"`)
	}
	field, err = url.PathUnescape(field)
	if err != nil {
		return "", fmt.Errorf("the Authorization field is not URL-encoded: %w", err)
	}
	b64, ok := strings.CutPrefix(field, "Basic ")
	if !ok {
		return "", fmt.Errorf(`the Authorization field must start with "Basic "`)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", fmt.Errorf("the Basic credentials are not base64: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return "", fmt.Errorf("the Basic credentials must be user:password, both not empty")
	}
	return user, nil
}

// handleEmbedded serves the panel in its embedded mode: the same page as
// the full panel (host.html, whose script turns compact on these paths),
// which only the allowed CRM origins may frame. The query parameters CPC.js
// adds (salesforce, responsive, denyPopout, minWidth, minHeight,
// sap-ui-debug, ui-version) are accepted and change nothing.
func (s *Server) handleEmbedded(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, strings.TrimSpace("'self' "+s.embed.frameAncestors()))
}

// maxOrigin bounds the CRM origin a hello names, in bytes: a scheme,
// a host name of at most 253 bytes and a port.
const maxOrigin = 300

// loginKey keys the login token in a relay's context.
type loginKey struct{}

// withLogin carries the login cookie of a page's websocket request to its
// hello, which ties an embedded panel's session to the CRM's login.
func withLogin(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, loginKey{}, tok)
}

// embedRefusal refuses the hello of an embedded panel whose CRM's origin
// may not embed it.
func (s *Server) embedRefusal(h inFrame) *protocolError {
	if len(h.Embed) > maxOrigin {
		return &protocolError{websocket.StatusPolicyViolation, fmt.Sprintf("the hello's embed is %d bytes; an origin is at most %d", len(h.Embed), maxOrigin)}
	}
	if h.Embed == "" || s.embed.allowed(h.Embed) {
		return nil
	}
	s.log.Warn("embedded panel refused: its CRM's origin is not allowed", "origin", h.Embed)
	return &protocolError{websocket.StatusPolicyViolation, shorten("-embed-origin does not allow the CRM at " + h.Embed + " to embed the panel")}
}

// embedAttach makes the session of an embedded panel's page one with an
// embedding host, and binds it to the CRM's login (the latest panel of a
// login wins: a CRM that unloads and loads again gets a new login, and
// its page may resume the session it had), so that the CRM's RI calls act
// on it. The caller holds ss.mu.
func (s *Server) embedAttach(ctx context.Context, ss *session, b *batch, h inFrame) {
	if h.Embed == "" {
		return
	}
	tok, _ := ctx.Value(loginKey{}).(string)
	_, logged := s.embed.sessionOf(tok)
	if logged {
		s.embed.bind(tok, ss.id)
	}
	if !ss.eng.Embedded() {
		ss.absorb(b, ss.eng.EmbedHost())
		ss.insts[state.HostInstance] = instRef{key: state.HostInstance} // the inspector's key for its rows
		s.log.Info("embedded panel", "session", ss.id, "crm", h.Embed, "login", logged)
	}
}
