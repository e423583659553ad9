package scenario

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// ownSteps are the steps that are more than an event of the vocabulary:
// they name interactions, post raw messages, wait or expect.
func ownSteps() []string {
	return []string{"name", "post", "wait", "expect", "expect_none"}
}

// renamed are the steps that are no more, with the step that replaces
// each and a hint: read, they are refused with the new word, so that an
// old file says how to mend it rather than failing on an unknown step.
var renamed = map[string][2]string{
	"confirm": {"send", "an extension's outbound without direct opens a draft at once: send sends it (send, send: out1, send: {in: out1, content: ...})"},
	"cancel":  {"discard", "an extension's outbound without direct opens a draft at once: discard drops it (discard, discard: out1)"},
}

// StepKinds lists every step a scenario may use: the vocabulary's
// (state.Kinds), then the scenario's own.
func StepKinds() []string {
	var out []string
	for _, k := range state.Kinds() {
		if name := k.StepName(); name != "" {
			out = append(out, name)
		}
	}
	return append(out, ownSteps()...)
}

// stepKind finds the vocabulary's event a step performs.
func stepKind(step string) (state.Kind, bool) {
	for _, k := range state.Kinds() {
		if k.StepName() == step {
			return k, true
		}
	}
	return state.Kind{}, false
}

// step reads one list item of steps.
func (p *parser) step(n *yaml.Node) (Step, error) {
	var key, val *yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		key = n
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return Step{}, p.errf(n, "put each step in a list item of its own, starting with -", "a step is one key and its value; this one has %d keys", len(n.Content)/2)
		}
		key, val = n.Content[0], n.Content[1]
	default:
		return Step{}, p.errf(n, "write a step as - login, or - accept: call1", "a step is a word, or a key and its value")
	}
	if err := p.runOn(key); err != nil {
		return Step{}, err
	}
	if val != nil && val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
		val = nil
	}
	if val != nil && key.Value != "fail_next_init" {
		if err := p.runOn(val); err != nil {
			return Step{}, err
		}
	}
	st := Step{Line: n.Line, Column: n.Column, Kind: key.Value, Text: p.text(n)}
	var err error
	st.run, err = p.build(&st, key, val)
	return st, err
}

// build checks a step and returns what it does; st gets the event it
// performs, if any, with the names it uses.
func (p *parser) build(st *Step, key, val *yaml.Node) (func(*stepRun) error, error) {
	kind := key.Value
	switch kind {
	case "confirm", "cancel":
		return nil, p.errf(key, renamed[kind][1], "%s is now %s", kind, renamed[kind][0])

	case "record":
		var v struct {
			In string `yaml:"in"`
			Do string `yaml:"do"`
		}
		if val != nil && val.Kind == yaml.ScalarNode {
			v.Do = val.Value
		} else if err := p.decode(key, val, &v, "start, stop, or {in: call1, do: start}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(orNode(val, key), "record", v.Do, []string{"start", "stop"}); err != nil {
			return nil, err
		}
		name, err := p.use(orNode(val, key), v.In)
		if err != nil {
			return nil, err
		}
		on := v.Do == "start"
		st.Event = state.Record{ID: name, On: on}
		return func(r *stepRun) error { _, err := r.apply(state.Record{ID: r.id(name), On: on}); return err }, nil

	case "name":
		var v struct {
			As      string `yaml:"as"`
			Channel string `yaml:"channel"`
			Status  string `yaml:"status"`
		}
		if err := p.decode(key, val, &v, "{as: out1, channel: phone, status: outgoing}"); err != nil {
			return nil, err
		}
		if v.As == "" {
			return nil, p.errf(val, "add as: the name", "name needs as")
		}
		if v.Channel != "" {
			if err := p.oneOf(val, "channel", v.Channel, state.Channels()); err != nil {
				return nil, err
			}
		}
		if v.Status != "" {
			if err := p.oneOf(val, "status", v.Status, []string{"queued", "incoming", "outgoing", "accepted", "ended"}); err != nil {
				return nil, err
			}
		}
		if err := p.define(val, v.As); err != nil {
			return nil, err
		}
		return func(r *stepRun) error { return r.name(v.As, v.Channel, v.Status) }, nil

	case "send":
		if raw := rawMessage(val); raw != nil {
			return nil, p.errf(raw, "post: {id: x, type: state, payload: {...}}", "send now sends a draft: a raw message is post")
		}

	case "post":
		var raw any
		if val == nil {
			return nil, p.errf(key, "give the raw message, e.g. post: {id: x, type: state, payload: {}}", "post needs a message")
		}
		if err := yamlx.Decode(p.file, val, &raw); err != nil {
			return nil, err
		}
		return func(r *stepRun) error { return r.send(raw) }, nil

	case "wait":
		if val == nil {
			return nil, p.errf(key, "write it like wait: 2s", "wait needs a duration")
		}
		d, err := p.durationOf(val)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error { return r.wait(d) }, nil

	case "expect", "expect_none":
		e, err := p.expectation(key, val)
		if err != nil {
			return nil, err
		}
		if kind == "expect" {
			return func(r *stepRun) error { return r.expect(e) }, nil
		}
		return func(r *stepRun) error { return r.expectNone(e) }, nil
	}
	if k, ok := stepKind(kind); ok {
		return p.eventStep(st, k, key, val)
	}
	e := yamlx.UnknownKey(p.file, key, StepKinds())
	e.Msg = fmt.Sprintf("unknown step %q", kind)
	return nil, e
}

// rawMessage is the key of a message's own (id, type, payload) in a
// step's mapping, as the raw send of old took; nil when there is none.
func rawMessage(val *yaml.Node) *yaml.Node {
	for i := 0; val != nil && val.Kind == yaml.MappingNode && i+1 < len(val.Content); i += 2 {
		switch val.Content[i].Value {
		case "id", "type", "payload":
			return val.Content[i]
		}
	}
	return nil
}

// runOn refuses a plain word that YAML continued onto the next line: a
// line indented deeper than the step above it is read as more words of
// that step (login - logout), which is never what its author meant. The
// mistake is on the deeper line.
func (p *parser) runOn(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Line < 1 || n.Line > len(p.lines) {
		return nil
	}
	first := []rune(p.lines[n.Line-1])
	if n.Column < 1 || n.Column > len(first)+1 || strings.HasPrefix(string(first[n.Column-1:]), n.Value) {
		return nil
	}
	for i := n.Line; i < len(p.lines); i++ {
		text := strings.TrimLeft(p.lines[i], " ")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		return &yamlx.Error{File: p.file, Line: i + 1, Column: len(p.lines[i]) - len(text) + 1,
			Msg:  fmt.Sprintf("this line is indented deeper than the step of line %d, so YAML reads the two as one step (%q)", n.Line, n.Value),
			Hint: fmt.Sprintf("line its - up with the one of line %d", n.Line)}
	}
	return nil
}

// salvage defines what a step that has a mistake would have named, so
// that the steps after it that use the name are checked as if it had
// none, rather than refused for a name it would have defined.
func (p *parser) salvage(n *yaml.Node) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return
	}
	kind, val := n.Content[0].Value, n.Content[1]
	word := func(key string) string {
		for i := 0; val.Kind == yaml.MappingNode && i+1 < len(val.Content); i += 2 {
			if val.Content[i].Value == key && val.Content[i+1].Kind == yaml.ScalarNode {
				return val.Content[i+1].Value
			}
		}
		return ""
	}
	name := word("as")
	if name == "" {
		switch kind {
		case "incoming":
			name = p.autoName(word("channel"))
		case "outbound":
			name = p.autoName("out")
		}
	}
	if name != "" {
		if _, taken := p.named[name]; !taken {
			p.named[name] = yamlx.Pos{Line: val.Line, Column: val.Column}
		}
		p.last = name
		return
	}
	if in := word("in"); in != "" {
		if _, ok := p.named[in]; ok {
			p.last = in
		}
	}
}

// decode reads a step's mapping value.
func (p *parser) decode(key, val *yaml.Node, v any, example string) error {
	if val == nil || val.Kind != yaml.MappingNode {
		at := key
		if val != nil {
			at = val
		}
		return p.errf(at, "write it like "+key.Value+": "+example, "%s needs a mapping", key.Value)
	}
	return yamlx.Decode(p.file, val, v)
}

// autoName names an interaction the scenario did not name: phone1, chat2.
func (p *parser) autoName(prefix string) string {
	for i := 1; ; i++ {
		name := fmt.Sprintf("%s%d", prefix, i)
		if _, taken := p.named[name]; !taken {
			return name
		}
	}
}

func orNode(n, def *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return def
}
