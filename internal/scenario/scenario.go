// Package scenario reads YAML scenarios, which script call and chat
// lifecycles and what an extension is expected to do meanwhile, and plays
// them against a panel (docs/scenarios.md).
//
// Everything that can be checked is checked when a file is read: its YAML,
// every step and value, and every name an interaction is referred to by.
// A run then fails only for what happens: a refusal of the panel, or an
// expectation the extension does not meet.
package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/suggest"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// Scenario is a checked scenario file.
type Scenario struct {
	File        string
	Name        string
	Description string
	// Data is what the scenario runs on: the base data it was read with,
	// with the scenario's own agent, queues and extensions over it.
	Data  *state.Data
	Steps []Step

	// sections are the scenario's own agent, queues and extensions as
	// written, on one line each, for Format.
	sections []section
}

// section is a top-level key of a scenario file and its value in flow
// style.
type section struct{ key, value string }

// Step is one step of a scenario.
type Step struct {
	Line, Column int
	Kind         string // the step's name: accept, expect, ...
	Text         string // the step as written, for progress and failures
	// Event is the event of the vocabulary the step performs, with its
	// interactions named by the scenario's names (the one a step acts on
	// when it does not say is named); nil for a step that is no event
	// (wait, expect, ...), which Format writes as Text.
	Event state.Event
	// As is the name the step gives the interaction it creates: given
	// with as, or made up (phone1).
	As string
	// Note is a comment Format writes above the step; Parse leaves it
	// empty.
	Note string
	run  func(r *stepRun) error
}

// Parse reads a scenario. base is the data it will run on (cpsim's data:
// built in or from -config); names of queues, profiles and extensions are
// checked against it, with the scenario's own data over it.
//
// Every mistake of the file is reported, each at its file:line:column: the
// error is a yamlx.Errors, in the order of the file (errors.As with a
// *yamlx.Error finds the first). A syntax error stops the reading, so it
// comes alone.
func Parse(file string, src []byte, base *state.Data) (*Scenario, error) {
	sc, _, err := parse(file, src, base)
	return sc, err
}

// parse is Parse, with the parser, which knows what of the data a file
// named and did not find.
func parse(file string, src []byte, base *state.Data) (*Scenario, *parser, error) {
	root, err := yamlx.Parse(file, src)
	if err != nil {
		var errs yamlx.Errors
		errs.Add(err)
		return nil, nil, errs
	}
	sc := &Scenario{File: file, Data: cloneData(base)}
	p := &parser{file: file, sc: sc, named: map[string]yamlx.Pos{}, lines: strings.Split(string(src), "\n"), lacks: map[string]bool{}}
	p.scenario(root)
	if len(p.errs) > 0 {
		p.errs.Sort()
		return nil, p, p.errs
	}
	return sc, p, nil
}

// scenario reads the file's mapping into p.sc, recording every mistake.
func (p *parser) scenario(root *yaml.Node) {
	file, sc := p.file, p.sc
	if root.Kind != yaml.MappingNode {
		p.errs.Add(yamlx.Errorf(file, root, "a scenario is a mapping with name, description and steps"))
		return
	}
	dataNode := &yaml.Node{Kind: yaml.MappingNode, Line: root.Line, Column: root.Column}
	var steps, misspelt *yaml.Node // misspelt: under a key close to "steps"
	nameMisspelt := false
	known := []string{"name", "description", "agent", "queues", "extensions", "steps"}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name", "description":
			var s string
			if err := yamlx.Decode(file, v, &s); err != nil {
				p.errs.Add(err)
				s = "?" // given, if wrongly: not also "no name"
			}
			if k.Value == "name" {
				sc.Name = s
			} else {
				sc.Description = s
			}
		case "agent", "queues", "extensions":
			dataNode.Content = append(dataNode.Content, k, v)
			sc.sections = append(sc.sections, section{k.Value, flowText(v)})
		case "steps":
			steps = v
		default:
			p.errs.Add(yamlx.UnknownKey(file, k, known))
			// A misspelt name or steps is not also missing, and the steps
			// under a misspelt key are checked all the same.
			switch best, _ := suggest.Closest(k.Value, known); best {
			case "name":
				nameMisspelt = true
			case "steps":
				misspelt = v
			}
		}
	}
	if steps == nil && misspelt != nil {
		steps = misspelt
	}
	if sc.Name == "" && !nameMisspelt {
		p.errs.Add(&yamlx.Error{File: file, Line: root.Line, Column: root.Column, Msg: "the scenario has no name", Hint: "add name: a few words"})
	}
	if len(dataNode.Content) > 0 {
		if err := config.Decode(file, dataNode, sc.Data); err != nil {
			p.errs.Add(err)
			// The names the steps use cannot be checked against data that
			// is wrong: only its own mistakes are reported.
			p.dataBroken = true
		}
	}
	if steps == nil || steps.Kind != yaml.SequenceNode || len(steps.Content) == 0 {
		where := root
		if steps != nil {
			where = steps
		}
		e := yamlx.Errorf(file, where, "the scenario has no steps")
		e.Hint = "add steps: a list such as - incoming: {as: call1, channel: phone}"
		p.errs.Add(e)
		return
	}
	for _, n := range steps.Content {
		st, err := p.step(n)
		if err != nil {
			p.errs.Add(err)
			p.salvage(n)
			continue
		}
		sc.Steps = append(sc.Steps, st)
	}
}

// cloneData copies data so that a scenario's sections never change the
// base; a round trip through YAML would do, but the structs are plain.
func cloneData(d *state.Data) *state.Data {
	c := *d
	c.Agent.Profiles = slices.Clone(d.Agent.Profiles)
	c.Agent.SIPProxies = slices.Clone(d.Agent.SIPProxies)
	c.Queues = slices.Clone(d.Queues)
	c.Extensions = slices.Clone(d.Extensions)
	return &c
}

// parser reads steps, tracking the interaction names defined so far.
type parser struct {
	file  string
	sc    *Scenario
	lines []string             // the file's lines, to tell where a scalar ends
	named map[string]yamlx.Pos // names defined so far, where
	last  string               // the last name defined or used
	errs  yamlx.Errors         // every mistake found so far

	// dataBroken is set when the scenario's own data is wrong, so that
	// the names the steps take from it are not checked against it.
	dataBroken bool
	// lacks is what the file named that its data does not have: queues,
	// presence profiles, extensions (see Skipped).
	lacks map[string]bool
}

func (p *parser) errf(n *yaml.Node, hint, format string, args ...any) error {
	e := yamlx.Errorf(p.file, n, format, args...)
	e.Hint = hint
	return e
}

// text is the step as written, on one line, for progress and failures: a
// step written over several lines reads whole, without its comments.
func (p *parser) text(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		return n.Content[0].Value + ": " + flowText(n.Content[1])
	}
	return flowText(n)
}

// flowText renders a node in YAML's flow style, on one line, with its
// scalars quoted as they were written.
func flowText(n *yaml.Node) string {
	var b strings.Builder
	writeFlow(&b, n)
	return b.String()
}

func writeFlow(b *strings.Builder, n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end, step := "[", "]", 1
		if n.Kind == yaml.MappingNode {
			open, end, step = "{", "}", 2
		}
		b.WriteString(open)
		for i := 0; i+step <= len(n.Content); i += step {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFlow(b, n.Content[i])
			if step == 2 {
				b.WriteString(": ")
				writeFlow(b, n.Content[i+1])
			}
		}
		b.WriteString(end)
	case yaml.AliasNode:
		b.WriteString("*" + n.Value)
	default:
		switch {
		case n.Style&yaml.SingleQuotedStyle != 0:
			b.WriteString("'" + strings.ReplaceAll(n.Value, "'", "''") + "'")
		case n.Style&(yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			b.WriteByte('"')
			for _, r := range n.Value {
				switch {
				case r == '"' || r == '\\':
					b.WriteRune('\\')
					b.WriteRune(r)
				case r == '\n':
					b.WriteString(`\n`)
				case r == '\t':
					b.WriteString(`\t`)
				case r < 0x20 || r == 0x7f:
					fmt.Fprintf(b, `\x%02x`, r)
				default:
					b.WriteRune(r)
				}
			}
			b.WriteByte('"')
		default:
			b.WriteString(n.Value)
		}
	}
}

// define records a name an interaction gets.
func (p *parser) define(n *yaml.Node, name string) error {
	if name == "" {
		return nil
	}
	if at, ok := p.named[name]; ok {
		return p.errf(n, fmt.Sprintf("it was defined at line %d; give this one another name", at.Line), "the name %q is taken", name)
	}
	p.named[name] = yamlx.Pos{Line: n.Line, Column: n.Column}
	p.last = name
	return nil
}

// use resolves a reference to a named interaction; "" means the last one.
func (p *parser) use(n *yaml.Node, name string) (string, error) {
	if name == "" {
		if p.last == "" {
			return "", p.errf(n, "name one with as, such as incoming: {as: call1, channel: phone}", "no interaction has been named yet")
		}
		return p.last, nil
	}
	if _, ok := p.named[name]; !ok {
		var names []string
		for k := range p.named {
			names = append(names, k)
		}
		hint := "define it first with as: in an incoming, consult, outbound, send or name step"
		if h := suggest.Hint(name, names); h != "" {
			hint = h
		}
		return "", p.errf(n, hint, "%q names no interaction: no step before it defines it with as:", name)
	}
	p.last = name
	return name, nil
}

// oneOf checks a value against the words the API allows.
// n is the value, or a mapping that holds it under the key what starts
// with; the error points at the value itself.
func (p *parser) oneOf(n *yaml.Node, what, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	key, _, _ := strings.Cut(what, " ")
	if at := valueAt(n, key); at != nil {
		n = at
	}
	hint := "use one of " + strings.Join(allowed, ", ")
	if h := suggest.Hint(v, allowed); h != "" && v != "" {
		hint = h
	}
	if v == "" {
		return p.errf(n, hint, "%s is missing", what)
	}
	return p.errf(n, hint, "%s %q is not allowed", what, v)
}

// valueAt finds the value of key in a mapping, or in the mappings within it
// (the nearest first), or nil.
func valueAt(n *yaml.Node, key string) *yaml.Node {
	level := []*yaml.Node{n}
	for len(level) > 0 {
		var next []*yaml.Node
		for _, m := range level {
			if m.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i].Value == key {
					return m.Content[i+1]
				}
				next = append(next, m.Content[i+1])
			}
		}
		level = next
	}
	return nil
}

// inData checks a name the scenario's data must have (a queue, a presence
// profile), and records what the data lacks for Skipped. A name missing
// from the file is the file's mistake, not the data's.
func (p *parser) inData(n *yaml.Node, what, v string, allowed []string, lack string) error {
	if p.dataBroken {
		return nil
	}
	err := p.oneOf(n, what, v, allowed)
	if err != nil && v != "" {
		p.lacks[lack] = true
	}
	return err
}

// extensionKey checks the key of an extension an expectation listens to:
// one of the scenario's data, with cpsim's extensions under it.
func (p *parser) extensionKey(n *yaml.Node, key string) error {
	if p.dataBroken {
		return nil
	}
	var keys []string
	for _, e := range p.sc.Data.Extensions {
		keys = append(keys, e.Key)
		if e.Key == key {
			return nil
		}
	}
	if at := valueAt(n, "from"); at != nil {
		n = at
	}
	p.lacks["extensions"] = true
	hint := "no extension is configured: add extensions: to the scenario or to the -config file"
	if h := suggest.Hint(key, keys); h != "" {
		hint = h
	} else if len(keys) > 0 {
		hint = "the extensions are " + strings.Join(keys, ", ")
	}
	return p.errf(n, hint, "no extension has the key %q", key)
}

// profiles and queues are the names the scenario's data allows.
func (p *parser) profiles() []string {
	var out []string
	for _, pr := range p.sc.Data.Agent.Profiles {
		out = append(out, pr.Name)
	}
	return out
}

func (p *parser) queues(channel string) []string {
	var out []string
	for _, q := range p.sc.Data.Queues {
		if channel == "" || q.Channel == channel {
			out = append(out, q.Name)
		}
	}
	return out
}

// durationOf decodes a duration node.
func (p *parser) durationOf(n *yaml.Node) (time.Duration, error) {
	var d time.Duration
	err := yamlx.Decode(p.file, n, &d)
	return d, err
}
