package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// The control API (docs/api.md, docs/openapi.yaml): under /api/v1/ on the
// panel's listener, a test drives a session by name, as a page opened at
// /?session=NAME shows it. This file is its HTTP shell: the routes'
// table, the checks every request passes (its Origin, its body), and the
// one writer of answers and of problems (RFC 9457). The routes themselves
// are functions that return an error (api_*.go).

// apiPrefix is where the control API's routes are.
const apiPrefix = "/api/v1/"

// maxAPIBody is the largest request body, in bytes: an event, a pattern
// or a scenario's YAML is far smaller.
const maxAPIBody = 1 << 20

// apiHandler is one route of the control API: it writes its answer, or
// returns the error the shell answers with (a *problem, or any other
// error, a bug: 500).
type apiHandler func(w http.ResponseWriter, r *http.Request) error

// api collects the control API's routes, so that a path whose method is
// not served answers 405 with the methods that are (Allow).
type api struct {
	s      *Server
	routes map[string]map[string]apiHandler // by path pattern, then method
	order  []string                         // the patterns, in the order given
}

func (s *Server) newAPI() *api {
	return &api{s: s, routes: map[string]map[string]apiHandler{}}
}

// handle adds a route.
func (a *api) handle(method, pattern string, h apiHandler) {
	if a.routes[pattern] == nil {
		a.routes[pattern] = map[string]apiHandler{}
		a.order = append(a.order, pattern)
	}
	a.routes[pattern][method] = h
}

// mount adds the routes to r, and a 404 problem for any other path under
// the API's prefix.
func (a *api) mount(r chi.Router) {
	for _, pattern := range a.order {
		methods := a.routes[pattern]
		r.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			h := methods[r.Method]
			if h == nil {
				allow := make([]string, 0, len(methods))
				for m := range methods {
					allow = append(allow, m)
				}
				slices.Sort(allow)
				a.serve(w, r, func(w http.ResponseWriter, r *http.Request) error {
					w.Header().Set("Allow", strings.Join(allow, ", "))
					return &problem{Status: http.StatusMethodNotAllowed, Slug: "method-not-allowed", Title: "Method not allowed",
						Detail: fmt.Sprintf("%s does not take %s: it takes %s", r.URL.Path, r.Method, strings.Join(allow, ", "))}
				})
				return
			}
			a.serve(w, r, h)
		})
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		a.serve(w, r, func(w http.ResponseWriter, r *http.Request) error {
			return &problem{Status: http.StatusNotFound, Slug: "no-such-route", Title: "No such route",
				Detail: fmt.Sprintf("the control API has no route %s (docs/api.md lists them; GET %s is where they start)", r.URL.Path, apiPrefix)}
		})
	}
	r.HandleFunc(strings.TrimSuffix(apiPrefix, "/"), notFound)
	r.HandleFunc(apiPrefix+"*", notFound)
}

// serve runs a route after the checks every request passes, and answers
// its error as a problem.
func (a *api) serve(w http.ResponseWriter, r *http.Request, h apiHandler) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	err := checkAPIOrigin(r)
	if err == nil {
		err = h(w, r)
	}
	if err == nil {
		return
	}
	var p *problem
	if !errors.As(err, &p) {
		a.s.log.Error("control API: "+r.Method+" "+r.URL.Path, "err", err)
		p = &problem{Status: http.StatusInternalServerError, Slug: "internal", Title: "cpsim hit a bug", Detail: err.Error()}
	}
	writeProblem(w, p)
}

// checkAPIOrigin refuses a request a page on another site makes: a
// browser sends Origin with it, and it must be the panel's own origin
// (the one the request's Host names), or a page anywhere could drive the
// agent on the developer's machine. A request without Origin (curl,
// Node's fetch, a test's HTTP client) is no browser's cross-site request
// and passes; so does the panel's own page.
func checkAPIOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if strings.EqualFold(origin, "http://"+r.Host) || strings.EqualFold(origin, "https://"+r.Host) {
		return nil
	}
	return &problem{Status: http.StatusForbidden, Slug: "foreign-origin", Title: "Foreign origin",
		Detail: fmt.Sprintf("the control API answers the panel's own origin (http://%s) and clients that send no Origin, not a page at %s: a page on another site must not drive the agent", r.Host, origin)}
}

// problem is an answer of the control API that says what went wrong, as
// application/problem+json (RFC 9457): its type is
// https://cpsim.dev/problems/<Slug>; Field names the request's field that
// was wrong (a body's key, a query parameter, the path's name), and Ext
// holds the members particular to the problem (an event's known types, an
// expectation's closest messages).
type problem struct {
	Status int
	Slug   string
	Title  string
	Detail string
	Field  string
	Ext    map[string]any
}

func (p *problem) Error() string { return p.Detail }

// problemBase is where the problems' types are named.
const problemBase = "https://cpsim.dev/problems/"

// writeProblem writes p: the one place problems are written.
func writeProblem(w http.ResponseWriter, p *problem) {
	body := map[string]any{}
	for k, v := range p.Ext {
		body[k] = v
	}
	body["type"] = problemBase + p.Slug
	body["title"] = p.Title
	body["status"] = p.Status
	body["detail"] = p.Detail
	if p.Field != "" {
		body["field"] = p.Field
	}
	data, err := json.Marshal(body)
	if err != nil { // the members are plain values
		data = []byte(`{"type":"about:blank","title":"Internal error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(data, '\n'))
}

// answer writes a route's answer as JSON (writeJSON, embed.go).
func answer(w http.ResponseWriter, status int, v any) error {
	writeJSON(w, status, v)
	return nil
}

// badRequest is a 400 problem about a field.
func badRequest(field, format string, args ...any) *problem {
	return &problem{Status: http.StatusBadRequest, Slug: "bad-request", Title: "Bad request", Field: field, Detail: fmt.Sprintf(format, args...)}
}

// readAPIBody reads a request's JSON body, which must be
// application/json, at most maxAPIBody bytes, and valid JSON. An empty
// body is nil, which routes that need one refuse.
func readAPIBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
		return nil, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &problem{Status: http.StatusRequestEntityTooLarge, Slug: "body-too-large", Title: "Body too large",
			Detail: fmt.Sprintf("the body has more than %d bytes, the control API's limit", maxAPIBody)}
	case err != nil:
		return nil, badRequest("", "read the body: %v", err)
	case len(data) == 0:
		return nil, nil
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return nil, &problem{Status: http.StatusUnsupportedMediaType, Slug: "not-json", Title: "Not JSON",
			Detail: fmt.Sprintf("the body's Content-Type is %s: the control API takes application/json", ct)}
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, &problem{Status: http.StatusBadRequest, Slug: "malformed-json", Title: "Malformed JSON", Detail: "the body is not JSON: " + err.Error()}
	}
	return data, nil
}

// decodeStrict decodes a JSON object into v, refusing a key v has no field
// for and a value of the wrong type, naming the field; what is a problem
// of the request is a *problem.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return badRequest(typeErr.Field, "%s is %s, not %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &typeErr):
		return badRequest("", "the body is a JSON %s: it must be an object", typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, _ := strconv.Unquote(name)
		return badRequest(field, "unknown field %s", name)
	}
	return badRequest("", "the body: %v", err)
}

// jsonKind names a Go kind as JSON's types.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "uint64", "float64", "int32", "uint32", "uint", "uint16", "int16", "uint8", "int8", "float32":
		return "a number"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "a " + kind
}
