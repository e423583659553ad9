package scenario

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// An expect or expect_none step gives a pattern of a message the extension
// sends: every key it gives must be in the message, with that value. A key
// or a value the API does not have matches no message, so an expect would
// wait in vain and, worse, an expect_none would pass whatever the extension
// sends. Patterns are therefore checked against the API when the file is
// read, with internal/state's lists of its keys and values. A pattern is a
// part of a message: no key is required.

// messageTypes lists the types of message an extension sends.
func messageTypes() []string { return []string{"init", "exit", "action"} }

// idPattern checks the id of a pattern: a string, or a number
// (docs/spec-notes.md #14).
func (p *parser) idPattern(n *yaml.Node) error {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == "!!int" || n.Tag == "!!float") {
		return nil
	}
	return p.errf(n, "give the id the extension sends, such as id: cpc-1", "the id is a string or a number, not %s", shape(n))
}

// payloadPattern checks the payload of a pattern of a message of type typ
// ("" when the pattern does not say), and returns every mistake.
func (p *parser) payloadPattern(typ string, n *yaml.Node) yamlx.Errors {
	var errs yamlx.Errors
	n = resolve(n)
	if !slices.Contains(messageTypes(), typ) {
		typ = "" // refused already
	}
	switch {
	case typ == "exit":
		errs.Add(p.errf(n, "leave payload out", "an exit message has no payload"))
	case typ == "init" || (typ == "" && isBool(n)):
		if !isBool(n) {
			errs.Add(p.errf(n, "payload: true asks for the cached messages, payload: false drops them", "the payload of init is true or false, not %s", shape(n)))
		}
	case n.Kind == yaml.MappingNode:
		p.actionPattern(n, &errs)
	case typ == "action":
		errs.Add(p.errf(n, "write it like payload: {command: detail, value: user}", "the payload of an action is a mapping of %s, not %s", strings.Join(state.ActionKeys(), ", "), shape(n)))
	default:
		errs.Add(p.errf(n, "an action's payload is a mapping such as {command: detail, value: user}; init's is true or false", "no message an extension sends has the payload %s", shape(n)))
	}
	return errs
}

// actionPattern checks the payload of an action: its keys, its command,
// and its value by the command.
func (p *parser) actionPattern(n *yaml.Node, errs *yamlx.Errors) {
	command := ""
	var value *yaml.Node
	for k, v := range p.pairs(n, state.ActionKeys(), errs) {
		switch k.Value {
		case "command":
			if !isString(v) {
				errs.Add(p.errf(v, "use one of "+strings.Join(state.Commands(), ", "), "command is a word, not %s", shape(v)))
			} else if err := p.oneOf(v, "command", v.Value, state.Commands()); err != nil {
				errs.Add(err)
			} else {
				command = v.Value
			}
		case "value":
			value = v
		case "interactionId", "queueId":
			p.stringPattern(v, k.Value, errs)
		case "limit":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
				errs.Add(p.errf(v, "write it like limit: 10", "limit is a whole number of contacts, not %s", shape(v)))
			}
		}
	}
	if value != nil {
		p.valuePattern(command, value, errs)
	}
}

// valuePattern checks an action's value against what command takes, or,
// with no command (or a wrong one), against what any command takes.
func (p *parser) valuePattern(command string, n *yaml.Node, errs *yamlx.Errors) {
	var kinds []state.ActionValue
	if av, ok := state.ActionValueOf(command); ok {
		kinds = append(kinds, av)
	} else {
		command = ""
		for _, c := range state.Commands() {
			av, _ := state.ActionValueOf(c)
			kinds = append(kinds, av)
		}
	}
	var words, what []string
	var takesBool, takesObject, takesID bool
	for _, k := range kinds {
		switch k.Kind {
		case state.ValueNone:
			if command != "" {
				errs.Add(p.errf(n, "leave value out", "%s has no value", command))
				return
			}
		case state.ValueWord:
			takesID = takesID || k.OrID
			for _, w := range k.Words {
				if !slices.Contains(words, w) {
					words = append(words, w)
				}
			}
		case state.ValueBoolean:
			takesBool = true
		case state.ValueObject:
			takesObject = true
		}
	}
	switch {
	case takesBool && isBool(n):
		return
	case takesObject && n.Kind == yaml.MappingNode:
		p.objectPattern(n, errs)
		return
	case takesID && isString(n) && state.IsInteractionID(n.Value):
		return
	case len(words) > 0 && isString(n):
		name := "value"
		if command != "" {
			name = command + " value"
		}
		errs.Add(p.oneOf(n, name, n.Value, words))
		return
	}
	if len(words) > 0 {
		what = append(what, "one of "+strings.Join(words, ", "))
	}
	if takesBool {
		what = append(what, "true or false")
	}
	if takesObject {
		what = append(what, "a mapping of "+strings.Join(state.ValueKeys(), ", "))
	}
	of := "an action"
	if command != "" {
		of = command
	}
	errs.Add(p.errf(n, "", "the value of %s is %s, not %s", of, strings.Join(what, "; or "), shape(n)))
}

// objectPattern checks the value object of outbound, transfer, consult,
// join, message and dtmf.
func (p *parser) objectPattern(n *yaml.Node, errs *yamlx.Errors) {
	for k, v := range p.pairs(n, state.ValueKeys(), errs) {
		switch k.Value {
		case "channel":
			if !isString(v) {
				errs.Add(p.errf(v, "use one of "+strings.Join(state.OutboundChannels(), ", "), "channel is a word, not %s", shape(v)))
			} else {
				errs.Add(p.oneOf(v, "channel", v.Value, state.OutboundChannels()))
			}
		case "direct":
			if !isBool(v) {
				errs.Add(p.errf(v, "", "direct is true or false, not %s", shape(v)))
			}
		case "cad":
			if v.Kind != yaml.MappingNode {
				errs.Add(p.errf(v, "write it like cad: {customer_id: C-1001}", "cad is a mapping of caller data, not %s", shape(v)))
			}
		case "to", "cc", "bcc":
			if v.Kind == yaml.SequenceNode {
				for _, item := range v.Content {
					p.stringPattern(resolve(item), k.Value, errs)
				}
			} else {
				p.stringPattern(v, k.Value, errs)
			}
		case "content", "from", "subject":
			p.stringPattern(v, k.Value, errs)
		}
	}
}

// stringPattern refuses anything but a string where the API has one: a
// number or true written without quotes never equals the string the
// extension sends.
func (p *parser) stringPattern(n *yaml.Node, key string, errs *yamlx.Errors) {
	if isString(n) {
		return
	}
	hint := ""
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		hint = fmt.Sprintf("quote it: %s: %q", key, n.Value)
	}
	errs.Add(p.errf(n, hint, "%s is a string, not %s", key, shape(n)))
}

// pairs yields the keys of a mapping of a pattern that are among known,
// with their values, recording any other key as a mistake.
func (p *parser) pairs(n *yaml.Node, known []string, errs *yamlx.Errors) func(yield func(k, v *yaml.Node) bool) {
	return func(yield func(k, v *yaml.Node) bool) {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], resolve(n.Content[i+1])
			switch {
			case k.Kind != yaml.ScalarNode:
				errs.Add(p.errf(k, "", "a key must be a plain word"))
			case !slices.Contains(known, k.Value):
				errs.Add(yamlx.UnknownKey(p.file, k, known))
			case seen[k.Value]:
				errs.Add(p.errf(k, "", "%q is given twice", k.Value))
			default:
				seen[k.Value] = true
				if !yield(k, v) {
					return
				}
			}
		}
	}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isBool and isString tell a scalar by the type YAML resolved it to, so
// that true and "true", 2042 and "2042" are told apart as JSON tells them.
func isBool(n *yaml.Node) bool   { return n.Kind == yaml.ScalarNode && n.Tag == "!!bool" }
func isString(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!str" }

// shape names what a node is, for a mistake's message.
func shape(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "nothing"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}
