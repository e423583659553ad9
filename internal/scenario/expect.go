package scenario

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// expectation is what an expect or expect_none step looks for in the
// messages an extension sends.
type expectation struct {
	want   map[string]any // the message must contain this
	within time.Duration
	from   string // an extension key, or "" for any
	in     string // an interaction's name: only its extensions' messages
	text   string // want as JSON, for failures
}

// defaultWithin is how long an expect waits when it does not say.
const defaultWithin = 5 * time.Second

func (p *parser) expectation(key, val *yaml.Node) (expectation, error) {
	var v struct {
		Type    string         `yaml:"type"`
		ID      *yaml.Node     `yaml:"id"`
		Payload *yaml.Node     `yaml:"payload"`
		Within  *time.Duration `yaml:"within"`
		From    string         `yaml:"from"`
		In      string         `yaml:"in"`
	}
	e := expectation{want: map[string]any{}, within: defaultWithin}
	if err := p.decode(key, val, &v, "{type: action, payload: {command: detail}, within: 3s}"); err != nil {
		return e, err
	}
	e.from = v.From
	var errs yamlx.Errors
	if v.In != "" {
		in, err := p.use(val, v.In)
		errs.Add(err)
		e.in = in
	}
	if v.From != "" && v.From != state.HostInstance { // host: the CRM of an embedded panel
		errs.Add(p.extensionKey(val, v.From))
	}
	if v.Type != "" {
		if err := p.oneOf(val, "type", v.Type, messageTypes()); err != nil {
			errs.Add(err)
		} else {
			e.want["type"] = v.Type
		}
	}
	if v.ID != nil {
		if mistake := p.idPattern(v.ID); mistake != nil {
			errs.Add(mistake)
		} else {
			e.want["id"] = p.anyOf(v.ID, &errs)
		}
	}
	if v.Payload != nil {
		payloadErrs := p.payloadPattern(v.Type, v.Payload)
		errs = append(errs, payloadErrs...)
		if len(payloadErrs) == 0 {
			e.want["payload"] = p.anyOf(v.Payload, &errs)
		}
	}
	if len(e.want) == 0 && len(errs) == 0 {
		errs.Add(p.errf(val, "say what the message has: type, id or payload", "%s matches every message", key.Value))
	}
	if v.Within != nil && *v.Within <= 0 {
		errs.Add(yamlx.Errorf(p.file, val, "within must be more than 0s"))
	} else if v.Within != nil {
		e.within = *v.Within
	}
	b, _ := json.Marshal(e.want)
	e.text = string(b)
	return e, errs.Err()
}

// anyOf decodes a node of a pattern into what it matches.
func (p *parser) anyOf(n *yaml.Node, errs *yamlx.Errors) any {
	var x any
	errs.Add(yamlx.Decode(p.file, n, &x))
	return x
}

// contains reports whether got contains want: every key of a want map is
// in got with a matching value, lists match element by element, numbers
// by value.
func contains(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !contains(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !contains(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	if wn, ok := number(want); ok {
		gn, ok := number(got)
		return ok && wn == gn
	}
	return got == want
}

// number reads the numbers YAML and JSON produce.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// score counts the leaves of want that got matches, to find the messages
// that came closest to an expectation.
func score(got, want any) int {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		n := 0
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				n += score(gv, wv)
			}
		}
		return n
	case []any:
		g, _ := got.([]any)
		n := 0
		for i := range w {
			if i < len(g) {
				n += score(g[i], w[i])
			}
		}
		return n
	}
	if contains(got, want) {
		return 1
	}
	return 0
}

// closest renders the messages that came nearest an expectation, of
// msgs: those of the extensions it listens to.
func closest(msgs []Message, e expectation, n int) []string {
	type scored struct {
		m Message
		s int
	}
	var all []scored
	for _, m := range msgs {
		all = append(all, scored{m, score(m.Value, e.want)})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return b.s - a.s })
	var out []string
	for _, s := range all[:min(n, len(all))] {
		b, _ := json.Marshal(s.m.Value)
		text := string(b)
		if len(text) > 240 {
			text = text[:240] + "..."
		}
		out = append(out, fmt.Sprintf("%s from %s", text, s.m.Instance))
	}
	return out
}

// Expectation is the pattern of an expect step on its own, for the
// control API (POST .../expect): one matcher serves a scenario's expect
// and the API's, so a test in JavaScript waits for a message by the same
// rules a YAML scenario does.
type Expectation struct {
	e expectation
}

// ParseExpect reads a pattern as an expect step's value without from, in
// and within, which the caller gives its own way: a mapping of type, id
// and payload (YAML, so JSON too), checked against the API as a
// scenario's is. Its mistakes are a yamlx.Errors, each at file:line:column
// of src.
func ParseExpect(file string, src []byte) (*Expectation, error) {
	root, err := yamlx.Parse(file, src)
	if err != nil {
		var errs yamlx.Errors
		errs.Add(err)
		return nil, errs
	}
	p := &parser{file: file, sc: &Scenario{Data: &state.Data{}}, named: map[string]yamlx.Pos{}, lines: strings.Split(string(src), "\n"), lacks: map[string]bool{}}
	key := &yaml.Node{Kind: yaml.ScalarNode, Value: "message", Line: root.Line, Column: root.Column}
	if root.Kind == yaml.MappingNode {
		var errs yamlx.Errors
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i]; !slices.Contains(patternKeys(), k.Value) {
				errs.Add(yamlx.UnknownKey(file, k, patternKeys()))
			}
		}
		if err := errs.Err(); err != nil {
			return nil, err
		}
	}
	e, err := p.expectation(key, root)
	if err != nil {
		return nil, err
	}
	return &Expectation{e: e}, nil
}

// patternKeys are the keys of ParseExpect's pattern.
func patternKeys() []string { return []string{"type", "id", "payload"} }

// Match reports whether a message (decoded JSON, as encoding/json
// decodes it into an any) contains what the pattern wants.
func (x *Expectation) Match(v any) bool { return contains(v, x.e.want) }

// String is the pattern as JSON, as a failure quotes it.
func (x *Expectation) String() string { return x.e.text }

// Closest renders the n messages of msgs that came nearest the pattern,
// as a failed expect step shows them ("{...} from crm-2").
func (x *Expectation) Closest(msgs []Message, n int) []string { return closest(msgs, x.e, n) }
