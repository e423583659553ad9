package host

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/cpsim/cpsim/docs"
	"github.com/cpsim/cpsim/internal/state"
)

// The OpenAPI description (docs/openapi.yaml) is checked against the
// answers the API really gives, with libopenapi-validator, which was
// built for OpenAPI 3.1 (JSON Schema 2020-12: type lists, const, null)
// and validates the document itself as well as requests and responses;
// kin-openapi's 3.1 support is recent.

// specCheck validates exchanges against the description and records
// which operations they used.
type specCheck struct {
	t     testing.TB
	v     validator.Validator
	model *v3.Document
	next  http.RoundTripper

	mu   sync.Mutex
	seen map[string]bool // "GET /api/v1/sessions/{name}"
	// strict, when set, validates the request too: off for the requests
	// the API is to refuse.
	strict bool
}

func newSpecCheck(t testing.TB, next http.RoundTripper) *specCheck {
	t.Helper()
	doc, err := libopenapi.NewDocument(docs.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("the description: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("docs/openapi.yaml is not valid OpenAPI: %s", describe(verrs))
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	return &specCheck{t: t, v: v, model: &m.Model, next: next, seen: map[string]bool{}}
}

func describe(errs []*liberrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n    %s at %s (%s)", s.Reason, s.FieldPath, s.KeywordLocation)
		}
	}
	return b.String()
}

func (sc *specCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := sc.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))

	check, _ := http.NewRequest(req.Method, req.URL.String(), bytes.NewReader(body))
	check.Header = req.Header.Clone()
	answer := *resp
	answer.Body = io.NopCloser(bytes.NewReader(got))
	sc.mu.Lock()
	defer sc.mu.Unlock()
	where := fmt.Sprintf("%s %s (%d %s)", req.Method, req.URL.RequestURI(), resp.StatusCode, clipText(string(got), 200))
	_, errs, path := paths.FindPath(check, sc.model, config.NewValidationOptions())
	if len(errs) > 0 {
		if sc.strict {
			sc.t.Errorf("%s: the description has no such operation", where)
		}
		return resp, nil // a route or method the API refuses, as TestAPIRefusals checks
	}
	sc.seen[req.Method+" "+path] = true
	if ok, errs := sc.v.ValidateHttpResponse(check, &answer); !ok {
		sc.t.Errorf("%s: the answer is not as described: %s", where, describe(errs))
	}
	if sc.strict {
		check.Body = io.NopCloser(bytes.NewReader(body))
		if ok, errs := sc.v.ValidateHttpRequest(check); !ok {
			sc.t.Errorf("%s: the request is not as described: %s", where, describe(errs))
		}
	}
	return resp, nil
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// operations lists the description's operations.
func (sc *specCheck) operations() []string {
	var out []string
	for path, item := range sc.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIDescribesTheAnswers: a tour of every route, through a page
// and without, with answers of every kind (success, problems, 422 with
// closest, plays passed and failed), each validated against
// docs/openapi.yaml; valid requests are validated too; every operation
// it describes is used; and its events are the engine's vocabulary.
func TestOpenAPIDescribesTheAnswers(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	sc := newSpecCheck(t, hs.Client().Transport)
	c := &apiClient{t: t, base: hs.URL, client: &http.Client{Transport: sc}}
	strict := func(on bool) { sc.mu.Lock(); sc.strict = on; sc.mu.Unlock() }

	strict(true)
	c.must(200, "GET", "/api/v1/", "")
	c.must(200, "GET", "/api/v1/openapi.yaml", "")
	c.must(201, "PUT", "/api/v1/sessions/tour", "")
	c.must(200, "PUT", "/api/v1/sessions/tour", "{}")
	p := dial(t, hs, "tour", 0, true, named)
	c.must(200, "GET", "/api/v1/sessions", "")
	call := c.event("tour", `{"type":"incoming","channel":"phone","cad":{"customer_id":"C-1"}}`)
	c.event("tour", `{"type":"accept","id":"`+call+`"}`)
	inst := p.instanceOf(call)
	p.ext(inst, `{"id":"i1","type":"init","payload":true}`)
	p.delivery(inst, responseID("i1"))
	p.ext(inst, `{"id":"d1","type":"action","payload":{"command":"detail","value":"user"}}`)
	p.delivery(inst, responseID("d1"))
	p.ext(inst, `{"id":"b1","type":"action","payload":{"command":"nonsense"}}`) // a protocol problem
	p.delivery(inst, responseID("b1"))
	p.send(map[string]any{"t": "m", "i": inst, "bad": "a function", "id": "u1"}) // unreadable
	p.delivery(inst, responseID("u1"))
	c.must(200, "GET", "/api/v1/sessions/tour", "")
	log := c.messages("tour", "after=0&limit=1000&wait=1s")
	kinds := map[string]bool{}
	for _, m := range log.Messages {
		kinds[m.Kind] = true
	}
	if !kinds["message"] || !kinds["unreadable"] {
		t.Errorf("the tour's log has kinds %v, want message and unreadable", kinds)
	}
	c.must(200, "POST", "/api/v1/sessions/tour/expect", `{"from":"crm","message":{"type":"action","payload":{"command":"detail"}},"within":"10s"}`)
	c.must(202, "POST", "/api/v1/sessions/tour/plays", apiBody(t, map[string]any{"yaml": "name: quick\nsteps:\n  - incoming: {as: c1, channel: chat}\n"}))
	c.must(200, "GET", "/api/v1/sessions/tour/plays/1?wait=30s", "")
	c.must(202, "POST", "/api/v1/sessions/tour/plays", apiBody(t, map[string]any{"yaml": "name: fails\nsteps:\n  - incoming: {as: c1, channel: phone}\n  - handle: c1\n", "speed": 2}))
	c.must(200, "GET", "/api/v1/sessions/tour/plays/2?wait=30s", "")
	c.must(200, "GET", "/api/v1/sessions/tour/plays/2", "")

	strict(false) // the API refuses these
	c.must(422, "POST", "/api/v1/sessions/tour/expect", `{"message":{"type":"exit"},"within":"1ms"}`)
	c.must(400, "POST", "/api/v1/sessions/tour/events", `{"type":"nothing"}`)
	c.must(409, "POST", "/api/v1/sessions/tour/events", `{"type":"accept","id":"nothing"}`)
	c.must(404, "GET", "/api/v1/sessions/nobody", "")
	c.must(405, "POST", "/api/v1/sessions", "{}")
	c.must(404, "GET", "/api/v1/nothing", "")
	c.must(403, "GET", "/api/v1/sessions", "", "Origin", "https://evil.example")
	c.must(415, "POST", "/api/v1/sessions/tour/events", "x", "Content-Type", "text/plain")
	c.must(400, "GET", "/api/v1/sessions/tour/messages?limit=5000", "")
	c.must(404, "GET", "/api/v1/sessions/tour/plays/99", "")
	c.must(400, "POST", "/api/v1/sessions/tour/plays", `{"yaml":"name: x\nsteps: []\n"}`)
	strict(true)
	c.must(204, "DELETE", "/api/v1/sessions/tour", "")

	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, op := range sc.operations() {
		if !sc.seen[op] {
			t.Errorf("the tour never used %s", op)
		}
	}

	// The description's event types are the engine's vocabulary.
	var kindsWant []string
	for _, k := range state.Kinds() {
		kindsWant = append(kindsWant, k.Name)
	}
	var kindsGot []string
	for _, v := range sc.model.Components.Schemas.GetOrZero("Event").Schema().Properties.GetOrZero("type").Schema().Enum {
		kindsGot = append(kindsGot, v.Value)
	}
	slices.Sort(kindsWant)
	slices.Sort(kindsGot)
	if !slices.Equal(kindsGot, kindsWant) {
		t.Errorf("docs/openapi.yaml's event types are %v, want state.Kinds: %v", kindsGot, kindsWant)
	}
}
