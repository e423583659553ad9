package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/state"
)

// Format writes a scenario as YAML in the library's style: the scenario's
// own data on one line a section, and a step a line, an event's in flow
// style with every interaction named (as and in given, not implied). A
// step that is no event (wait, expect, ...) is written as it was. Parse
// reads the result back to the same steps, and Format of that is the same
// text, so that what the recorder writes replays as it was recorded.
// Comments of the file are not kept; a step's Note is written above it.
func Format(sc *Scenario) []byte {
	var b bytes.Buffer
	b.WriteString("name: " + yamlString(sc.Name) + "\n")
	if sc.Description != "" {
		b.WriteString("description: " + yamlString(sc.Description) + "\n")
	}
	for _, s := range sc.sections {
		b.WriteString(s.key + ": " + s.value + "\n")
	}
	if len(sc.Steps) == 0 {
		b.WriteString("steps: []\n")
		return b.Bytes()
	}
	b.WriteString("steps:\n")
	for _, st := range sc.Steps {
		if st.Note != "" {
			for line := range strings.SplitSeq(st.Note, "\n") {
				b.WriteString("  # " + line + "\n")
			}
		}
		b.WriteString("  - " + stepText(st) + "\n")
	}
	return b.Bytes()
}

// stepText writes one step.
func stepText(st Step) string {
	if st.Event == nil {
		return st.Text
	}
	switch e := state.Deref(st.Event).(type) {
	case state.Record:
		do := "stop"
		if e.On {
			do = "start"
		}
		return "record: {in: " + yamlString(e.ID) + ", do: " + do + "}"
	}
	k, ok := state.KindOf(st.Event)
	if !ok || k.StepName() == "" {
		return st.Text
	}
	if v := eventValue(k, st.Event, st.As); v != "" {
		return k.StepName() + ": " + v
	}
	return k.StepName()
}

// eventValue writes the value of a step that performs ev: nothing, a word
// (the kind's short form, accept: call1), or a flow mapping of the fields
// that are given, and as.
func eventValue(k state.Kind, ev state.Event, as string) string {
	v := reflect.Indirect(reflect.ValueOf(ev))
	type pair struct{ key, value string }
	var pairs []pair
	hasIn, short := false, ""
	for _, f := range state.Fields(ev) {
		x := v.Field(f.Index)
		if f.YAML == "" {
			continue
		}
		keep := !x.IsZero()
		if x.IsZero() && needed(k, f) {
			switch x.Kind() {
			case reflect.Bool, reflect.Int64:
				keep = true
			}
		}
		if !keep {
			continue
		}
		if f.YAML == "in" {
			hasIn = true
		}
		text := yamlValue(x.Interface())
		if f.Go == k.Short {
			short = text
		}
		pairs = append(pairs, pair{f.YAML, text})
	}
	if as != "" {
		p := pair{"as", yamlString(as)}
		if hasIn {
			pairs = append(pairs, p)
		} else {
			pairs = slices.Insert(pairs, 0, p)
		}
	}
	switch {
	case len(pairs) == 0:
		return ""
	case len(pairs) == 1 && short != "" && as == "":
		return short
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.key + ": " + p.value
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// yamlValue writes a value in flow style.
func yamlValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return yamlString(x)
	case bool:
		return strconv.FormatBool(x)
	case time.Duration:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case state.Recipients:
		if len(x) == 1 {
			return yamlString(x[0])
		}
		return yamlValue([]string(x))
	case json.RawMessage:
		var y any
		if json.Unmarshal(x, &y) == nil {
			return yamlValue(y)
		}
		return "null"
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = yamlValue(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = yamlString(k) + ": " + yamlValue(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface())
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return yamlString(fmt.Sprint(v))
}

// plainWord is a string YAML reads as itself, unquoted, in flow style:
// words of letters, digits and a few marks, with single spaces between.
var plainWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./@+-]*( [A-Za-z0-9_./@+-]+)*$`)

// yamlString writes a string plain when YAML reads it back as the same
// string, and double-quoted (JSON's escapes, which YAML shares) when not.
func yamlString(s string) string {
	if plainWord.MatchString(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) == nil && len(n.Content) == 1 && n.Content[0].Tag == "!!str" && n.Content[0].Value == s {
			switch strings.ToLower(s) {
			case "yes", "no", "on", "off", "y", "n":
				// booleans to YAML 1.1 readers
			default:
				return s
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	var q strings.Builder
	for _, r := range out {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfeff || r == 0xfffe || r == 0xffff {
			fmt.Fprintf(&q, `\u%04x`, r)
			continue
		}
		q.WriteRune(r)
	}
	return q.String()
}
