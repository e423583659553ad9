package scenario

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// StepKinds lists every step a scenario may use.
func StepKinds() []string {
	return []string{
		"login", "logout", "work_status", "profile", "phone_status", "serve",
		"incoming", "accept", "reject", "pick", "hangup", "handle", "hold", "unhold", "mute", "unmute",
		"record", "transfer", "consult", "join", "cad", "say", "typing", "outbound", "outcome",
		"confirm", "cancel", "name", "select",
		"state", "status", "send", "fail_next_init", "fail", "delay", "clear_faults",
		"wait", "expect", "expect_none",
	}
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
	st.run, err = p.build(key, val)
	return st, err
}

// build checks a step and returns what it does.
func (p *parser) build(key, val *yaml.Node) (func(*stepRun) error, error) {
	kind := key.Value
	switch kind {
	case "login", "logout", "clear_faults", "cancel":
		if val != nil {
			return nil, p.errf(val, "write it alone: - "+kind, "%s takes no value", kind)
		}
		ev := map[string]state.Event{"login": state.Login{}, "logout": state.Logout{}, "clear_faults": state.ClearFaults{}}[kind]
		if kind == "cancel" {
			return func(r *stepRun) error {
				id, err := r.pending()
				if err != nil {
					return err
				}
				_, err = r.apply(state.Cancel{ID: id})
				return err
			}, nil
		}
		return func(r *stepRun) error { _, err := r.apply(ev); return err }, nil

	case "work_status", "profile", "phone_status":
		v, err := p.word(key, val)
		if err != nil {
			return nil, err
		}
		var ev state.Event
		switch kind {
		case "work_status":
			err, ev = p.oneOf(val, "work_status", v, []string{"ready", "not_ready", "wrap_up"}), state.SetWorkStatus{Status: v}
		case "profile":
			err, ev = p.inData(val, "profile", v, p.profiles(), "presence profiles"), state.SetProfile{Profile: v}
		case "phone_status":
			err, ev = p.oneOf(val, "phone_status", v, []string{"connected", "disconnected"}), state.SetPhoneStatus{Status: v}
		}
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error { _, err := r.apply(ev); return err }, nil

	case "serve":
		var v struct {
			Queue string `yaml:"queue"`
			On    *bool  `yaml:"on"`
		}
		if err := p.decode(key, val, &v, "{queue: Sales, on: false}"); err != nil {
			return nil, err
		}
		if err := p.inData(val, "queue", v.Queue, p.queues(""), "queues"); err != nil {
			return nil, err
		}
		if v.On == nil {
			return nil, p.errf(val, "add on: true or on: false", "serve needs on")
		}
		ev := state.SetServe{Queue: v.Queue, Serve: *v.On}
		return func(r *stepRun) error { _, err := r.apply(ev); return err }, nil

	case "incoming":
		var v struct {
			As      string         `yaml:"as"`
			Channel string         `yaml:"channel"`
			Queue   string         `yaml:"queue"`
			From    string         `yaml:"from"`
			To      string         `yaml:"to"`
			Subject string         `yaml:"subject"`
			Content string         `yaml:"content"`
			CAD     map[string]any `yaml:"cad"`
		}
		if err := p.decode(key, val, &v, "{as: call1, channel: phone}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "channel", v.Channel, state.Channels()); err != nil {
			return nil, err
		}
		if len(p.queues(v.Channel)) == 0 && !p.dataBroken {
			p.lacks["queues"] = true
			return nil, p.errf(val, "add a queue of that channel to the scenario's queues", "no queue takes %s", v.Channel)
		}
		if v.Queue != "" {
			if err := p.inData(val, fmt.Sprintf("queue of channel %s", v.Channel), v.Queue, p.queues(v.Channel), "queues"); err != nil {
				return nil, err
			}
		}
		name := v.As
		if name == "" {
			name = p.autoName(v.Channel)
		}
		if err := p.define(val, name); err != nil {
			return nil, err
		}
		ev := state.Incoming{Channel: v.Channel, Queue: v.Queue, From: v.From, To: v.To, Subject: v.Subject, Content: v.Content, CAD: v.CAD}
		return func(r *stepRun) error {
			o, err := r.apply(ev)
			if err == nil {
				r.bind(name, o.Created)
			}
			return err
		}, nil

	case "accept", "reject", "pick", "hangup", "handle", "hold", "unhold", "mute", "unmute", "join", "select":
		name, err := p.ref(key, val)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error {
			id := r.id(name)
			var ev state.Event
			switch kind {
			case "accept":
				ev = state.Accept{ID: id}
			case "reject":
				ev = state.Reject{ID: id}
			case "pick":
				ev = state.Pick{ID: id}
			case "hangup":
				ev = state.Hangup{ID: id}
			case "handle":
				ev = state.Handle{ID: id}
			case "join":
				ev = state.Join{ID: id}
			case "select":
				ev = state.SelectInteraction{ID: id}
			default:
				ev = state.CallState{ID: id, Op: kind}
			}
			_, err := r.apply(ev)
			return err
		}, nil

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
		op := map[string]string{"start": "startRecording", "stop": "stopRecording"}[v.Do]
		return func(r *stepRun) error { _, err := r.apply(state.CallState{ID: r.id(name), Op: op}); return err }, nil

	case "transfer", "consult":
		var v struct {
			In  string         `yaml:"in"`
			To  string         `yaml:"to"`
			CAD map[string]any `yaml:"cad"`
			As  string         `yaml:"as"`
		}
		if err := p.decode(key, val, &v, "{in: call1, to: \"+358409999999\"}"); err != nil {
			return nil, err
		}
		if v.To == "" {
			return nil, p.errf(val, "add to: the number, agent or queue", "%s needs to", kind)
		}
		if kind == "transfer" && v.As != "" {
			return nil, p.errf(val, "the transferred leg leaves the panel: there is nothing to name", "transfer takes no as")
		}
		if kind == "consult" && v.CAD != nil {
			return nil, p.errf(val, "caller data goes with a transfer", "consult takes no cad")
		}
		name, err := p.use(val, v.In)
		if err != nil {
			return nil, err
		}
		if err := p.define(val, v.As); err != nil {
			return nil, err
		}
		return func(r *stepRun) error {
			if kind == "transfer" {
				_, err := r.apply(state.Transfer{ID: r.id(name), To: v.To, CAD: v.CAD})
				return err
			}
			o, err := r.apply(state.Consult{ID: r.id(name), To: v.To})
			if err == nil && v.As != "" {
				r.bind(v.As, o.Created)
			}
			return err
		}, nil

	case "cad":
		var v struct {
			In  string         `yaml:"in"`
			Set map[string]any `yaml:"set"`
		}
		if err := p.decode(key, val, &v, "{in: call1, set: {case: C-17}}"); err != nil {
			return nil, err
		}
		if len(v.Set) == 0 {
			return nil, p.errf(val, "add set: the keys and values to change", "cad needs set")
		}
		name, err := p.use(val, v.In)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error { _, err := r.apply(state.SetCAD{ID: r.id(name), Set: v.Set}); return err }, nil

	case "say":
		var v struct {
			In   string `yaml:"in"`
			From string `yaml:"from"`
			Text string `yaml:"text"`
		}
		if err := p.decode(key, val, &v, "{in: chat1, from: customer, text: Hello}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "from", v.From, []string{"customer", "agent"}); err != nil {
			return nil, err
		}
		if v.Text == "" {
			return nil, p.errf(val, "add text: what is said", "say needs text")
		}
		name, err := p.use(val, v.In)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error {
			_, err := r.apply(state.Say{ID: r.id(name), Agent: v.From == "agent", Text: v.Text})
			return err
		}, nil

	case "typing":
		var v struct {
			In string `yaml:"in"`
			On *bool  `yaml:"on"`
		}
		if err := p.decode(key, val, &v, "{in: chat1, on: true}"); err != nil {
			return nil, err
		}
		if v.On == nil {
			return nil, p.errf(val, "add on: true or on: false", "typing needs on")
		}
		name, err := p.use(val, v.In)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error { _, err := r.apply(state.Typing{ID: r.id(name), On: *v.On}); return err }, nil

	case "outbound":
		var v struct {
			As      string `yaml:"as"`
			Channel string `yaml:"channel"`
			To      any    `yaml:"to"`
			From    string `yaml:"from"`
			Subject string `yaml:"subject"`
			Content string `yaml:"content"`
		}
		if err := p.decode(key, val, &v, "{as: out1, channel: phone, to: \"+358409999999\"}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "channel", v.Channel, state.OutboundChannels()); err != nil {
			return nil, err
		}
		to, err := strings1(v.To)
		if err != nil || len(to) == 0 {
			return nil, p.errf(val, "add to: a number, or for email one address or a list", "outbound needs to")
		}
		name := v.As
		if name == "" {
			name = p.autoName("out")
		}
		if err := p.define(val, name); err != nil {
			return nil, err
		}
		ev := state.Outbound{Request: state.OutboundRequest{Channel: v.Channel, To: to, From: v.From, Subject: v.Subject, Content: v.Content}}
		return func(r *stepRun) error {
			o, err := r.apply(ev)
			if err == nil {
				r.bind(name, o.Created)
			}
			return err
		}, nil

	case "outcome":
		var v struct {
			In     string `yaml:"in"`
			Result string `yaml:"result"`
		}
		if err := p.decode(key, val, &v, "{in: out1, result: busy}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "result", v.Result, state.Outcomes()); err != nil {
			return nil, err
		}
		name, err := p.use(val, v.In)
		if err != nil {
			return nil, err
		}
		return func(r *stepRun) error { _, err := r.apply(state.Outcome{ID: r.id(name), Result: v.Result}); return err }, nil

	case "confirm":
		var v struct {
			As string `yaml:"as"`
		}
		if val != nil {
			if err := p.decode(key, val, &v, "{as: out1}"); err != nil {
				return nil, err
			}
			if err := p.define(val, v.As); err != nil {
				return nil, err
			}
		}
		return func(r *stepRun) error {
			id, err := r.pending()
			if err != nil {
				return err
			}
			o, err := r.apply(state.Confirm{ID: id})
			if err == nil && v.As != "" {
				r.bind(v.As, o.Created)
			}
			return err
		}, nil

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

	case "state":
		var v struct {
			In        string `yaml:"in"`
			Attribute string `yaml:"attribute"`
			Value     any    `yaml:"value"`
		}
		if err := p.decode(key, val, &v, "{in: call1, attribute: channel_status, value: onvideo}"); err != nil {
			return nil, err
		}
		if v.Attribute == "" {
			return nil, p.errf(val, "add attribute: status, channel_status, cad, message, activeExtension or activeInteraction", "state needs attribute")
		}
		name := ""
		if v.In != "" {
			var err error
			if name, err = p.use(val, v.In); err != nil {
				return nil, err
			}
		}
		return func(r *stepRun) error {
			_, err := r.apply(state.State{ID: r.id(name), Attribute: v.Attribute, Value: v.Value})
			return err
		}, nil

	case "status":
		var v struct {
			Attribute string `yaml:"attribute"`
			Value     any    `yaml:"value"`
		}
		if err := p.decode(key, val, &v, "{attribute: work_status, value: ready}"); err != nil {
			return nil, err
		}
		if v.Attribute == "" {
			return nil, p.errf(val, "add attribute: login_status, work_status, phone_status or profile", "status needs attribute")
		}
		return func(r *stepRun) error {
			_, err := r.apply(state.Status{Attribute: v.Attribute, Value: v.Value})
			return err
		}, nil

	case "send":
		var raw any
		if val == nil {
			return nil, p.errf(key, "give the raw message, e.g. send: {id: x, type: state, payload: {}}", "send needs a message")
		}
		if err := yamlx.Decode(p.file, val, &raw); err != nil {
			return nil, err
		}
		return func(r *stepRun) error { return r.send(raw) }, nil

	case "fail_next_init":
		reason := ""
		if val != nil {
			var err error
			if reason, err = p.word(key, val); err != nil {
				return nil, err
			}
		}
		return func(r *stepRun) error { _, err := r.apply(state.FailNextInit{Reason: reason}); return err }, nil

	case "fail":
		var v struct {
			Command string `yaml:"command"`
			Reason  string `yaml:"reason"`
		}
		if err := p.decode(key, val, &v, "{command: transfer, reason: backend unavailable}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "command", v.Command, state.Commands()); err != nil {
			return nil, err
		}
		return func(r *stepRun) error {
			_, err := r.apply(state.FailCommand{Command: v.Command, Reason: v.Reason})
			return err
		}, nil

	case "delay":
		var v struct {
			Command string         `yaml:"command"`
			By      *time.Duration `yaml:"by"`
		}
		if err := p.decode(key, val, &v, "{command: detail, by: 500ms}"); err != nil {
			return nil, err
		}
		if err := p.oneOf(val, "command", v.Command, append(state.Commands(), "init")); err != nil {
			return nil, err
		}
		if v.By == nil {
			return nil, p.errf(val, "add by: such as 500ms (0s stops it)", "delay needs by")
		}
		return func(r *stepRun) error {
			_, err := r.apply(state.DelayCommand{Command: v.Command, By: *v.By})
			return err
		}, nil

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
	e := yamlx.UnknownKey(p.file, key, StepKinds())
	e.Msg = fmt.Sprintf("unknown step %q", kind)
	return nil, e
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

// word reads a step's single-word value.
func (p *parser) word(key, val *yaml.Node) (string, error) {
	if val == nil {
		return "", p.errf(key, "write it like "+key.Value+": <value>", "%s needs a value", key.Value)
	}
	var s string
	err := yamlx.Decode(p.file, val, &s)
	return s, err
}

// ref reads the interaction a step acts on: a name, {in: name}, or nothing
// for the last one named.
func (p *parser) ref(key, val *yaml.Node) (string, error) {
	name := ""
	switch {
	case val == nil:
	case val.Kind == yaml.ScalarNode:
		name = val.Value
	default:
		var v struct {
			In string `yaml:"in"`
		}
		if err := p.decode(key, val, &v, "call1"); err != nil {
			return "", err
		}
		name = v.In
	}
	return p.use(orNode(val, key), name)
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

// strings1 reads a string or a list of strings.
func strings1(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("not a string: %v", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a string: %v", v)
}
