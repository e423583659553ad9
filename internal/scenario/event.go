package scenario

import (
	"fmt"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// eventStep reads a step that performs an event of the vocabulary, from
// what state.Kinds says of it: its fields are the event's yaml keys; a
// field keyed "in" names an interaction by the scenario's name (the last
// one named when the step does not say, if the event needs one); a step of
// an event that creates an interaction may name it with as.
func (p *parser) eventStep(st *Step, k state.Kind, key, val *yaml.Node) (func(*stepRun) error, error) {
	step := key.Value
	ptr := k.New()
	ev := reflect.ValueOf(ptr).Elem()
	fields := state.Fields(ptr)
	ref, hasRef := refField(fields)
	keyed := slices.ContainsFunc(fields, func(f state.Field) bool { return f.YAML != "" })
	short := false
	as := ""
	switch {
	case !keyed:
		if val != nil {
			return nil, p.errf(val, "write it alone: - "+step, "%s takes no value", step)
		}
	case k.Short != "" && (val == nil || val.Kind != yaml.MappingNode):
		f, _ := state.FieldOf(ptr, k.Short)
		if val == nil {
			if needed(k, f) && f.YAML != "in" {
				return nil, p.errf(key, "write it like "+step+": <value>", "%s needs a value", step)
			}
			break
		}
		if err := yamlx.Decode(p.file, val, ev.Field(f.Index).Addr().Interface()); err != nil {
			return nil, err
		}
		short = true
	default:
		if val == nil || val.Kind != yaml.MappingNode {
			return nil, p.errf(orNode(val, key), "write it like "+step+": "+exampleText(k), "%s needs a mapping", step)
		}
		for _, no := range takesNo(step) {
			if valueAt1(val, no.key) != nil {
				return nil, p.errf(val, no.hint, "%s takes no %s", step, no.key)
			}
		}
		var err error
		if as, err = p.decodeEvent(ev, k.Creates, val); err != nil {
			return nil, err
		}
	}
	for _, f := range fields {
		allowed, ok := k.Allowed[f.Go]
		if !ok || f.YAML == "" {
			continue
		}
		what := f.YAML
		if short {
			what = step
		}
		if err := p.oneOf(orNode(val, key), what, ev.Field(f.Index).String(), allowed()); err != nil {
			return nil, err
		}
	}
	if err := p.dataCheck(step, orNode(val, key), ptr); err != nil {
		return nil, err
	}
	if !short && val != nil {
		for _, f := range fields {
			if f.YAML == "" || f.YAML == "in" || !needed(k, f) || k.Allowed[f.Go] != nil {
				continue
			}
			if !given(val, f, ev.Field(f.Index)) {
				return nil, p.errf(val, needHint(step, f.YAML), "%s needs %s", step, f.YAML)
			}
		}
	}
	name := ""
	if hasRef {
		name = ev.Field(ref.Index).String()
		if name != "" || needed(k, ref) {
			var err error
			if name, err = p.use(orNode(val, key), name); err != nil {
				return nil, err
			}
			ev.Field(ref.Index).SetString(name)
		}
	}
	if k.Creates {
		if as == "" {
			if prefix := autoPrefix(step, ptr); prefix != "" {
				as = p.autoName(prefix)
			}
		}
		if err := p.define(orNode(val, key), as); err != nil {
			return nil, err
		}
	}
	st.Event, st.As = state.Deref(ptr), as
	named := st.Event
	return func(r *stepRun) error {
		ev := named
		if hasRef {
			ev = withField(named, ref, r.id(name))
		}
		o, err := r.apply(ev)
		if err == nil && as != "" {
			r.bind(as, o.Created)
		}
		return err
	}, nil
}

// decodeEvent decodes a step's mapping into the event ev holds, and as when
// the event creates an interaction: the event's fields, with as beside
// them, so that a mistaken key gets its hint among them all.
func (p *parser) decodeEvent(ev reflect.Value, creates bool, val *yaml.Node) (string, error) {
	t := ev.Type()
	var sf []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		sf = append(sf, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
	}
	if creates {
		sf = append(sf, reflect.StructField{Name: "StepAs", Type: reflect.TypeFor[string](), Tag: `yaml:"as"`})
	}
	w := reflect.New(reflect.StructOf(sf)).Elem()
	for i := range t.NumField() {
		w.Field(i).Set(ev.Field(i))
	}
	err := yamlx.Decode(p.file, val, w.Addr().Interface())
	for i := range t.NumField() {
		ev.Field(i).Set(w.Field(i))
	}
	if creates {
		return w.Field(t.NumField()).String(), err
	}
	return "", err
}

// refField is the field that names the interaction the event acts on.
func refField(fields []state.Field) (state.Field, bool) {
	for _, f := range fields {
		if f.YAML == "in" {
			return f, true
		}
	}
	return state.Field{}, false
}

// needed reports whether the kind requires a field.
func needed(k state.Kind, f state.Field) bool { return slices.Contains(k.Required, f.Go) }

// given reports whether a required field is in a step's mapping, with a
// value: a word, a mapping or a list that is not empty.
func given(val *yaml.Node, f state.Field, v reflect.Value) bool {
	if valueAt1(val, f.YAML) == nil {
		return false
	}
	switch v.Kind() {
	case reflect.String, reflect.Map, reflect.Slice:
		return v.Len() > 0
	}
	return true
}

// withField returns a copy of ev with a string field set.
func withField(ev state.Event, f state.Field, s string) state.Event {
	v := reflect.New(reflect.TypeOf(ev)).Elem()
	v.Set(reflect.ValueOf(ev))
	v.Field(f.Index).SetString(s)
	return v.Interface().(state.Event)
}

// valueAt1 is the value of key in a mapping itself, or nil.
func valueAt1(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// autoPrefix is what an interaction a step creates is called when the step
// does not name it: phone1, chat2, out1. A consultation has no name unless
// given one.
func autoPrefix(step string, ev state.Event) string {
	switch e := state.Deref(ev).(type) {
	case state.Incoming:
		return e.Channel
	case state.Outbound:
		return "out"
	}
	return ""
}

// takesNo lists the keys a step refuses with a reason of its own, beyond
// those its event does not have.
func takesNo(step string) []struct{ key, hint string } {
	switch step {
	case "consult":
		return []struct{ key, hint string }{{"cad", "caller data goes with a transfer"}}
	case "transfer":
		return []struct{ key, hint string }{{"as", "the transferred leg leaves the panel: there is nothing to name"}}
	}
	return nil
}

// needHint says how to give a key a step needs.
func needHint(step, key string) string {
	switch step + "." + key {
	case "serve.on", "typing.on":
		return "add on: true or on: false"
	case "transfer.to", "consult.to":
		return "add to: the number, agent or queue"
	case "outbound.to":
		return "add to: a number, or for email one address or a list"
	case "cad.set":
		return "add set: the keys and values to change"
	case "say.text":
		return "add text: what is said"
	case "state.attribute":
		return "add attribute: status, channel_status, cad, message, activeExtension or activeInteraction"
	case "status.attribute":
		return "add attribute: login_status, work_status, phone_status or profile"
	case "delay.by":
		return "add by: such as 500ms (0s stops it)"
	}
	return "add " + key
}

// dataCheck checks the names a step takes from the scenario's data: a
// queue, a presence profile.
func (p *parser) dataCheck(step string, n *yaml.Node, ev state.Event) error {
	switch e := state.Deref(ev).(type) {
	case state.SetProfile:
		return p.inData(n, "profile", e.Profile, p.profiles(), "presence profiles")
	case state.SetServe:
		return p.inData(n, "queue", e.Queue, p.queues(""), "queues")
	case state.Incoming:
		if len(p.queues(e.Channel)) == 0 && !p.dataBroken {
			p.lacks["queues"] = true
			return p.errf(n, "add a queue of that channel to the scenario's queues", "no queue takes %s", e.Channel)
		}
		if e.Queue != "" {
			return p.inData(n, fmt.Sprintf("queue of channel %s", e.Channel), e.Queue, p.queues(e.Channel), "queues")
		}
	}
	return nil
}

// exampleText is the kind's example as a step's value, for hints.
func exampleText(k state.Kind) string {
	as := ""
	if k.Creates {
		as = "new1"
	}
	return eventValue(k, k.Example, as)
}
