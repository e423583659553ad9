// Package yamlx decodes YAML strictly and reports every problem at its
// file:line:column, with a hint where one helps.
//
// cpsim reads YAML written by hand (the config file, scenarios), so a typo
// must be refused where it is, not silently ignored. gopkg.in/yaml.v3 can
// refuse unknown keys, but not through Node.Decode, which is what a caller
// needs to keep positions for its own checks; this package walks the node
// tree itself instead.
package yamlx

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is a problem in a YAML file. Callers branch on it with errors.As to
// show the position in their own way.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
	Hint   string // optional: how to fix it
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	} else if e.File != "" {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteByte(')')
	}
	return b.String()
}

// Pos is the position of a node. A struct field of type Pos is not read
// from the YAML; the decoder fills it with the position of the struct's own
// mapping so that later checks can point at it.
type Pos struct {
	Line   int
	Column int
}

// Errorf builds an Error at the position of n.
func Errorf(file string, n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// At builds an Error at p.
func At(file string, p Pos, format string, args ...any) *Error {
	return &Error{File: file, Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses src into its document node. An empty document is an error:
// an empty file is more likely a mistake than an intent.
func Parse(file string, src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, &Error{File: file, Msg: "the file is empty"}
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errorf(file, &extra, "a second YAML document starts here; put everything in one document")
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Msg: "the file is empty"}
	}
	return doc.Content[0], nil
}

// syntaxError turns yaml.v3's "yaml: line N: msg" into a positioned Error.
// yaml.v3 counts lines from 0 for its parser's errors (all of which read
// "did not find expected ...") and from 1 for its scanner's, so the former
// are moved down a line to point where the author must look.
func syntaxError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Msg: msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(num); convErr == nil {
				e.Line, e.Column, e.Msg = line, 1, tail
			}
		}
	}
	if strings.HasPrefix(e.Msg, "did not find expected") {
		e.Line++
		e.Column = 1
	}
	return e
}

// Decode decodes n into v, which must be a non-nil pointer. Structs take
// their keys from the `yaml` tag (or the lower-cased field name); a key the
// struct does not have is an error with a did-you-mean hint. Supported
// targets: structs, pointers, slices, string-keyed maps, strings, bools,
// integers, floats, time.Duration ("500ms", "2s"), `any`, *yaml.Node (kept
// as is) and Pos.
func Decode(file string, n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("yamlx: Decode needs a non-nil pointer, got %T", v)
	}
	d := decoder{file: file}
	return d.decode(n, rv.Elem())
}

type decoder struct {
	file  string
	depth int
}

var (
	nodeType     = reflect.TypeFor[yaml.Node]()
	posType      = reflect.TypeFor[Pos]()
	durationType = reflect.TypeFor[time.Duration]()
)

// maxDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxDepth = 64

func (d *decoder) decode(n *yaml.Node, v reflect.Value) error {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return Errorf(d.file, n, "unknown alias")
		}
		n = n.Alias
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return Errorf(d.file, n, "nested deeper than %d levels", maxDepth)
	}
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem())
	}
	if v.Type() == durationType {
		return d.duration(n, v)
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.structure(n, v)
	case reflect.Slice:
		return d.slice(n, v)
	case reflect.Map:
		return d.mapping(n, v)
	case reflect.Interface:
		var x any
		if err := d.anyValue(n, &x); err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		} else {
			v.SetZero()
		}
		return nil
	case reflect.String:
		s, err := d.scalar(n, "a string")
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		s, err := d.scalar(n, "true or false")
		if err != nil {
			return err
		}
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return Errorf(d.file, n, "%q is not true or false", s)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, err := d.scalar(n, "a whole number")
		if err != nil {
			return err
		}
		i, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return Errorf(d.file, n, "%q is not a whole number", s)
		}
		v.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s, err := d.scalar(n, "a whole number")
		if err != nil {
			return err
		}
		i, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return Errorf(d.file, n, "%q is not a non-negative whole number", s)
		}
		v.SetUint(i)
		return nil
	case reflect.Float32, reflect.Float64:
		s, err := d.scalar(n, "a number")
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return Errorf(d.file, n, "%q is not a number", s)
		}
		v.SetFloat(f)
		return nil
	}
	return fmt.Errorf("yamlx: cannot decode into %s", v.Type())
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (d *decoder) scalar(n *yaml.Node, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", Errorf(d.file, n, "expected %s, found %s", want, kindName(n))
	}
	return n.Value, nil
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value) error {
	s, err := d.scalar(n, "a duration such as 500ms or 2s")
	if err != nil {
		return err
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return &Error{File: d.file, Line: n.Line, Column: n.Column,
				Msg: fmt.Sprintf("%q has no unit", s), Hint: "write " + s + "s or " + s + "ms"}
		}
		return &Error{File: d.file, Line: n.Line, Column: n.Column,
			Msg: fmt.Sprintf("%q is not a duration", s), Hint: "write it like 500ms, 2s or 1m30s"}
	}
	if dur < 0 {
		return Errorf(d.file, n, "the duration %s is negative", s)
	}
	v.SetInt(int64(dur))
	return nil
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value) error {
	if v.Type() == posType {
		v.Set(reflect.ValueOf(Pos{n.Line, n.Column}))
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return Errorf(d.file, n, "expected a mapping of %s, found %s", strings.Join(keysOf(v.Type()), ", "), kindName(n))
	}
	fields := fieldsOf(v.Type())
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Type == posType {
			v.Field(i).Set(reflect.ValueOf(Pos{n.Line, n.Column}))
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return Errorf(d.file, k, "a key must be a plain word")
		}
		idx, ok := fields[k.Value]
		if !ok {
			return UnknownKey(d.file, k, keysOf(v.Type()))
		}
		if seen[k.Value] {
			return Errorf(d.file, k, "%q is given twice", k.Value)
		}
		seen[k.Value] = true
		if err := d.decode(val, v.Field(idx)); err != nil {
			return err
		}
	}
	return nil
}

// UnknownKey reports a key that is not among known, with the closest known
// key as a hint.
func UnknownKey(file string, k *yaml.Node, known []string) *Error {
	e := Errorf(file, k, "unknown key %q", k.Value)
	if best := Closest(k.Value, known); best != "" {
		e.Hint = fmt.Sprintf("did you mean %q?", best)
	} else if len(known) > 0 {
		e.Hint = "known keys: " + strings.Join(known, ", ")
	}
	return e
}

func (d *decoder) slice(n *yaml.Node, v reflect.Value) error {
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return Errorf(d.file, n, "expected a list, found %s", kindName(n))
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		if err := d.decode(item, out.Index(i)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("yamlx: map keys must be strings, not %s", v.Type().Key())
	}
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return Errorf(d.file, n, "expected a mapping, found %s", kindName(n))
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return Errorf(d.file, k, "a key must be a plain word")
		}
		key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
		if out.MapIndex(key).IsValid() {
			return Errorf(d.file, k, "%q is given twice", k.Value)
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(val, elem); err != nil {
			return err
		}
		out.SetMapIndex(key, elem)
	}
	v.Set(out)
	return nil
}

// anyValue decodes free-form data (caller data, raw messages) into the
// types encoding/json would produce, so that the result marshals to JSON
// with no surprises: maps are map[string]any, numbers float64 or int64.
func (d *decoder) anyValue(n *yaml.Node, out *any) error {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return Errorf(d.file, n, "unknown alias")
		}
		n = n.Alias
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return Errorf(d.file, n, "nested deeper than %d levels", maxDepth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return Errorf(d.file, k, "a key must be a plain word")
			}
			if _, dup := m[k.Value]; dup {
				return Errorf(d.file, k, "%q is given twice", k.Value)
			}
			var x any
			if err := d.anyValue(val, &x); err != nil {
				return err
			}
			m[k.Value] = x
		}
		*out = m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			if err := d.anyValue(item, &s[i]); err != nil {
				return err
			}
		}
		*out = s
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			*out = nil
		case "!!bool":
			*out = n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		case "!!int":
			if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				*out = i
			} else if u, err := strconv.ParseUint(n.Value, 0, 64); err == nil {
				*out = u
			} else {
				return Errorf(d.file, n, "%q is not a number JSON can carry", n.Value)
			}
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return Errorf(d.file, n, "%q is not a number JSON can carry", n.Value)
			}
			*out = f
		default:
			*out = n.Value
		}
	default:
		return Errorf(d.file, n, "unexpected %s", kindName(n))
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// fieldsOf maps YAML keys to field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if key, ok := keyOf(t.Field(i)); ok {
			m[key] = i
		}
	}
	return m
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if key, ok := keyOf(t.Field(i)); ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

func keyOf(f reflect.StructField) (string, bool) {
	if !f.IsExported() || f.Type == posType {
		return "", false
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return "", false
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, true
}

// Closest returns the candidate nearest to s by edit distance, or "" when
// none is near enough to be a likely typo.
func Closest(s string, candidates []string) string {
	best, bestDist := "", math.MaxInt
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > max(2, len(s)/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
